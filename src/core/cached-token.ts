/**
 * The get-token use case's cache hit: the cached token, when it was written for this key and is fresh. What a miss
 * does under the lock (./renew-token.ts) is part of the login machinery's bundle, so a hit never compiles it;
 * ./get-token-use-case.ts joins the two.
 */

import type { CacheEntry } from './cache-entry.js';
import type { CacheKeyFields } from './cache-key.js';
import { freshCredential, type IssuedCredential } from './freshness.js';
import type { Authenticator, Clock, KeyLock, Logger, TokenStore } from './ports.js';

export interface GetTokenRequest {
  /** The cache key: an entry is served only to the key it was written under. */
  readonly key: string;
  /** How tokens are obtained for this key (user login, password, client credentials, CI token), for status. */
  readonly grant?: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly useAccessToken: boolean;
  readonly forceRefresh: boolean;
  readonly marginMs: number;
}

/** The request for the tokens of a key: what the key's fields say, and how fresh a token must be. */
export function tokenRequest(
  key: string,
  keyFields: Pick<CacheKeyFields, 'grantFamily' | 'issuer' | 'clientId' | 'useAccessToken'>,
  freshness: { readonly forceRefresh: boolean; readonly expiryMarginSec: number },
): GetTokenRequest {
  return {
    key,
    grant: keyFields.grantFamily,
    issuer: keyFields.issuer,
    clientId: keyFields.clientId,
    useAccessToken: keyFields.useAccessToken,
    forceRefresh: freshness.forceRefresh,
    marginMs: freshness.expiryMarginSec * 1000,
  };
}

export interface GetTokenDeps {
  readonly store: TokenStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Loads the heavy parts (lock, OIDC client, flows) only when the cache cannot answer. */
  openSession(): Promise<{ lock: KeyLock; authenticator: Authenticator }>;
}

/**
 * The store's read with the key, issuer and client check, and the freshness test, as both halves use them (and an
 * exchanged token's entry, ./token-exchange.ts).
 */
export function cacheReader(
  request: Omit<GetTokenRequest, 'grant' | 'forceRefresh'>,
  deps: Pick<GetTokenDeps, 'store' | 'clock' | 'logger'>,
): {
  read: () => Promise<CacheEntry | undefined>;
  /** The same read without waiting, where the store offers one (TokenStore.readNow). */
  readNow: (() => CacheEntry | undefined) | undefined;
  fresh: (entry: CacheEntry | undefined) => IssuedCredential | undefined;
} {
  const fresh = (entry: CacheEntry | undefined) =>
    freshCredential(entry, {
      useAccessToken: request.useAccessToken,
      marginMs: request.marginMs,
      now: deps.clock.now(),
    });

  // An entry recorded for another key is not ours, whatever file name it sits under (a swapped or copied file):
  // never serve its token, nor send its refresh token to our provider. One string comparison on the hit path.
  const ours = (entry: CacheEntry | undefined) => {
    if (!entry) return entry;
    if (entry.issuer !== request.issuer || entry.clientId !== request.clientId) {
      deps.logger.warn(
        `ignoring the cached entry: it was recorded for issuer ${JSON.stringify(entry.issuer)} and client ${JSON.stringify(entry.clientId)}, not this one`,
      );
      return undefined;
    }
    if (entry.key === request.key) return entry;
    if (entry.key === undefined) {
      deps.logger.debug(1, 'ignoring the cached entry: an older version wrote it without its cache key');
    } else {
      deps.logger.warn(
        'ignoring the cached entry: it was written for other settings (user name, cache hint, scopes, CA, headers …) and copied or renamed to this file',
      );
    }
    return undefined;
  };
  const { store } = deps;

  return {
    read: async () => ours(await store.read()),
    readNow: store.readNow && (() => ours(store.readNow?.())),
    fresh,
  };
}

/** The cached token when it answers the request (not with --force-refresh), else undefined: a miss. */
export async function cachedToken(
  request: GetTokenRequest,
  deps: GetTokenDeps,
): Promise<IssuedCredential | undefined> {
  if (request.forceRefresh) return undefined;
  const { read, readNow, fresh } = cacheReader(request, deps);
  return usingCached(fresh(readNow ? readNow() : await read()), deps.logger);
}

/**
 * cachedToken answered without waiting, by a store that reads so (TokenStore.readNow, the disk store): `hit` is the
 * cached token or undefined on a miss. undefined when the store reads only asynchronously (cachedToken then does).
 */
export function cachedTokenNow(
  request: GetTokenRequest,
  deps: GetTokenDeps,
): { readonly hit: IssuedCredential | undefined } | undefined {
  if (request.forceRefresh) return { hit: undefined };
  const { readNow, fresh } = cacheReader(request, deps);
  return readNow && { hit: usingCached(fresh(readNow()), deps.logger) };
}

function usingCached(hit: IssuedCredential | undefined, logger: Logger): IssuedCredential | undefined {
  if (hit) logger.debug(1, 'using the cached token');
  return hit;
}
