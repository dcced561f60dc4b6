/**
 * How a client with a secret authenticates at the token endpoint, as int128/kubelogin (Go's oauth2 library) does,
 * so every client id and secret that works there works here:
 *
 * - HTTP Basic with id and secret encoded by Go's `url.QueryEscape` (letters, digits and `-_.~` as they are, space as
 *   `+`, everything else `%XX`). openid-client follows RFC 6749 appendix B to the letter and also escapes
 *   `-_.!~*'()`, which providers that do not percent-decode Basic credentials refuse (`kubernetes-ci` arrives as
 *   `kubernetes%2Dci`).
 * - Basic when the discovery document lists client_secret_basic (or lists nothing: the spec's default), else
 *   client_secret_post when it lists that.
 * - One retry with client_secret_post after `invalid_client` to a Basic attempt, when the provider lists post: Go's
 *   auto-detection does the same, and some providers accept only one of the two whatever they advertise.
 */
import * as client from 'openid-client';

export type SecretMethod = 'basic' | 'post';

/** Per client instance: which method the last request used, and whether Basic was refused. */
export interface ClientAuthState {
  lastMethod: SecretMethod | undefined;
  basicRefused: boolean;
}

export function newClientAuthState(): ClientAuthState {
  return { lastMethod: undefined, basicRefused: false };
}

/** Go's url.QueryEscape: unreserved ASCII stays, space becomes `+`, every other UTF-8 byte `%XX`. */
export function queryEscape(text: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char)) out += char;
    else if (char === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function chooseSecretMethod(
  advertised: readonly string[] | undefined,
  state: Pick<ClientAuthState, 'basicRefused'>,
): SecretMethod {
  if (state.basicRefused) return 'post';
  if (advertised === undefined || advertised.includes('client_secret_basic')) return 'basic';
  return advertised.includes('client_secret_post') ? 'post' : 'basic';
}

export function clientAuthentication(secret: string | undefined, state: ClientAuthState): client.ClientAuth {
  if (!secret) return client.None();
  return (as, metadata, body, headers) => {
    const method = chooseSecretMethod(as.token_endpoint_auth_methods_supported, state);
    state.lastMethod = method;
    if (method === 'post') {
      body.set('client_id', metadata.client_id);
      body.set('client_secret', secret);
      return;
    }
    const credentials = `${queryEscape(metadata.client_id)}:${queryEscape(secret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
  };
}

/**
 * Whether a failed request should be repeated once with client_secret_post: it went out with Basic, the provider
 * answered invalid_client (nothing was consumed: client authentication comes first), and the provider lists post.
 * Marks Basic as refused for the rest of this client's life.
 */
export function retryWithPost(
  error: unknown,
  advertised: readonly string[] | undefined,
  state: ClientAuthState,
): boolean {
  if (state.lastMethod !== 'basic' || state.basicRefused) return false;
  if (!advertised?.includes('client_secret_post') || !isInvalidClient(error)) return false;
  state.basicRefused = true;
  return true;
}

function isInvalidClient(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError) return error.error === 'invalid_client';
  if (error instanceof client.WWWAuthenticateChallengeError)
    return error.cause.some((challenge) => challenge.parameters.error === 'invalid_client');
  return false;
}
