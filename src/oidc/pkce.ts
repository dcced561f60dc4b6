/**
 * PKCE for the browser and device logins: S256 when the provider advertises it (or --oidc-pkce-method=S256 says so),
 * never plain. The verifier is a secret; its challenge goes into the first request.
 */
import * as client from 'openid-client';
import { rememberSecrets } from '../app-error.js';

export type PkceMode = 'auto' | 'no' | 'S256';

export interface Pkce {
  readonly verifier: string | undefined;
  /** `code_challenge` and `code_challenge_method`, or nothing without PKCE. */
  readonly params: Readonly<Record<string, string>>;
}

export function advertisesPkceS256(config: client.Configuration): boolean {
  return config.serverMetadata().code_challenge_methods_supported?.includes('S256') ?? false;
}

export async function pkceFor(config: client.Configuration, mode: PkceMode): Promise<Pkce> {
  const usePkce = mode === 'S256' || (mode === 'auto' && advertisesPkceS256(config));
  if (!usePkce) return { verifier: undefined, params: {} };
  const verifier = client.randomPKCECodeVerifier();
  rememberSecrets(verifier);
  return {
    verifier,
    params: {
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    },
  };
}
