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
 * - A secret held back (OIDC_CLIENT_SECRET under an explicit PKCE S256, where public clients refuse any secret) is
 *   sent from the moment the token endpoint answers that the client must authenticate: Google's PKCE clients still
 *   need their secret. A failed client authentication consumes nothing (it is checked before the grant), so the
 *   request can be repeated.
 */
import * as client from 'openid-client';
import { httpStatusOf } from './translate-error.js';

export type SecretMethod = 'basic' | 'post';

/** Per client instance: the secret sent, which method the last request used, and whether Basic was refused. */
export interface ClientAuthState {
  /** The secret requests carry now (none: the client id alone, as a public client). */
  secret: string | undefined;
  /** A secret to send once the provider asks for client authentication (see sendSecretIfAsked). */
  readonly secretIfAsked: string | undefined;
  lastMethod: SecretMethod | undefined;
  basicRefused: boolean;
  /** Whether -v=1 already said that the secret held back was never asked for. */
  unusedNamed: boolean;
}

export function newClientAuthState(
  secret: string | undefined,
  secretIfAsked: string | undefined,
): ClientAuthState {
  return {
    secret,
    secretIfAsked: secret ? undefined : secretIfAsked,
    lastMethod: undefined,
    basicRefused: false,
    unusedNamed: false,
  };
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

export function clientAuthentication(state: ClientAuthState): client.ClientAuth {
  return (as, metadata, body, headers) => {
    const { secret } = state;
    if (!secret) {
      state.lastMethod = undefined;
      body.set('client_id', metadata.client_id);
      return;
    }
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

/**
 * Whether a request without a secret should be repeated once with the secret held back: the provider answered that
 * the client must authenticate. From then on every request of this client carries the secret.
 */
export function sendSecretIfAsked(error: unknown, state: ClientAuthState): boolean {
  if (state.secret || !state.secretIfAsked || !asksForClientAuthentication(error)) return false;
  state.secret = state.secretIfAsked;
  return true;
}

/** The secret sent after sendSecretIfAsked was refused too: the client takes none, and requests go without it. */
export function withdrawSecretIfAsked(state: ClientAuthState): void {
  if (state.secretIfAsked && state.secret === state.secretIfAsked) state.secret = undefined;
}

/**
 * The answers that may mean "authenticate the client": `invalid_client` and `unauthorized_client` (in the body or a
 * challenge), any 401, and an error whose description names the client secret (Google: `invalid_request`,
 * "client_secret is missing."). Broad on purpose: it only decides whether a secret the user gave is tried.
 */
function asksForClientAuthentication(error: unknown): boolean {
  if (clientAuthenticationFailed(error)) return true;
  if (error instanceof client.ResponseBodyError)
    return error.error === 'unauthorized_client' || error.status === 401;
  if (error instanceof client.WWWAuthenticateChallengeError) return true;
  return httpStatusOf(error) === 401;
}

/**
 * The provider said plainly that the client failed to authenticate: `invalid_client`, or an error description that
 * names the client secret as missing or wrong.
 */
export function clientAuthenticationFailed(error: unknown): boolean {
  if (isInvalidClient(error)) return true;
  return (
    error instanceof client.ResponseBodyError &&
    /client[_ ]secret/i.test(error.error_description ?? '') &&
    error.error !== 'unauthorized_client'
  );
}

function isInvalidClient(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError) return error.error === 'invalid_client';
  if (error instanceof client.WWWAuthenticateChallengeError)
    return error.cause.some((challenge) => challenge.parameters.error === 'invalid_client');
  return false;
}
