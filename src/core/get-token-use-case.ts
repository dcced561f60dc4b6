/**
 * The get-token use case: cached token if fresh, else refresh, else log in; all under a per-key lock so that
 * parallel kubectl calls share one login and refresh-token rotation never races. Its two halves live apart so that
 * a cache hit loads only the first: ./cached-token.ts (the hit) and ./renew-token.ts (the miss, in the login
 * machinery's bundle; app/get-token.ts joins them the same way across the bundles).
 */

import type { GetTokenDeps, GetTokenRequest } from './cached-token.js';
import { cachedToken } from './cached-token.js';
import type { IssuedCredential } from './freshness.js';
import { renewToken } from './renew-token.js';

export type { GetTokenDeps, GetTokenRequest } from './cached-token.js';
export { clampExpiry, maxTokenLifetimeMs } from './freshness.js';
export { toEntry } from './renew-token.js';

export async function getToken(request: GetTokenRequest, deps: GetTokenDeps): Promise<IssuedCredential> {
  return (await cachedToken(request, deps)) ?? renewToken(request, deps);
}
