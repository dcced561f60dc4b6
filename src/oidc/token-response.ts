/**
 * What a token endpoint's answer becomes: the TokenSet the cache keeps. openid-client has already checked the ID token
 * in it (signature against the JWKS, iss, aud, exp, and the nonce of a login); every token is remembered as a secret
 * so that no message prints it.
 */
import type * as client from 'openid-client';
import { rememberSecrets } from '../app-error.js';
import type { TokenSet } from '../core/ports.js';
import { checkAccessToken } from './access-token-check.js';
import type { ConfiguredProvider } from './provider.js';

export type TokenResponse = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

/** The TokenSet of an answer, its access token checked when it is what kubectl will send (./access-token-check.ts). */
export function tokenSetOf(provider: ConfiguredProvider, response: TokenResponse): Promise<TokenSet> {
  return checkAccessToken(provider, toTokenSet(response));
}

export function toTokenSet(response: TokenResponse): TokenSet {
  rememberSecrets(response.id_token, response.access_token, response.refresh_token);
  const now = Date.now();
  const claims = response.claims();
  return {
    idToken: response.id_token,
    idTokenExpiresAt: claims ? claims.exp * 1000 : undefined,
    accessToken: response.access_token,
    accessTokenExpiresAt:
      typeof response.expires_in === 'number' ? now + response.expires_in * 1000 : undefined,
    refreshToken: response.refresh_token,
  };
}
