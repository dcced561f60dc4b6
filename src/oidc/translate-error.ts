/**
 * Translates what openid-client and fetch throw into AppErrors with the documented exit codes. OAuth errors keep the
 * provider's `error` and `error_description`.
 */
import * as client from 'openid-client';
import { AppError, cutForMessage, isAppError } from '../app-error.js';
import { isRefreshRejected, RefreshRejectedError } from '../core/ports.js';
import { ExitCode, httpAnswerCode, oauthRefusalCode, oauthRefusalExitCode } from '../error-codes.js';
import { describeProviderError } from './provider-text.js';

export type OidcStep = 'discovery' | 'login' | 'refresh' | 'token exchange';

/** Token-endpoint refusals during a login whose meaning and remedy are clear. */
const knownLoginErrors: Record<string, { message: string; hint: string }> = {
  expired_token: {
    message: 'the device code expired before the login was completed',
    hint: 'run the command again and complete the login at the provider before the code expires',
  },
  access_denied: {
    message: 'the login was denied at the identity provider',
    hint: 'run the command again and approve the request',
  },
  invalid_grant: {
    message: 'the identity provider refused the login',
    hint: 'check the username and password (or the code you pasted), then try again',
  },
};

export function toAppError(error: unknown, step: OidcStep, issuerUrl: string): Error {
  if (isAppError(error) || isRefreshRejected(error)) return error;
  const issuer = cutForMessage(issuerUrl);
  // Our own error from inside the fetch (an oversized response), wrapped by openid-client.
  const ours = appErrorInCauses(error);
  if (ours) return ours;

  if (error instanceof client.ResponseBodyError) {
    const what = describeOAuthError(error);
    if (step === 'refresh' && refreshTokenRefused(error.status, error.error))
      return new RefreshRejectedError(what);
    // Own keys only: a provider answering `constructor` or `__proto__` would find Object's properties.
    const known = Object.hasOwn(knownLoginErrors, error.error) ? knownLoginErrors[error.error] : undefined;
    if (step === 'login' && known) {
      return new AppError(oauthRefusalCode(error.error), `${known.message} (${what})`, {
        exitCode: oauthRefusalExitCode(error.error),
        hint: known.hint,
        cause: error,
      });
    }
    if (error.status >= 500) return serverError(`HTTP ${error.status}, ${what}`, error);
    const exitCode = oauthRefusalExitCode(error.error);
    const clientProblem = exitCode === ExitCode.provider;
    return new AppError(
      oauthRefusalCode(error.error),
      `the identity provider refused the ${step} (${what})`,
      {
        exitCode,
        hint: clientProblem
          ? 'check --oidc-client-id, --oidc-client-secret (or OIDC_CLIENT_SECRET) and the scopes against the client registration'
          : 'log in again; if it keeps failing, ask the identity provider administrator',
        cause: error,
      },
    );
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    // A 401 with a WWW-Authenticate challenge: the provider did not accept the client's credentials, unless the
    // challenge names another OAuth error (a refused refresh token, answered in the header instead of the body).
    const challenge = error.cause[0]?.parameters;
    const what = describeOAuthAnswer(error);
    if (step === 'refresh' && challenge?.error && refreshTokenRefused(error.status, challenge.error))
      return new RefreshRejectedError(what);
    return new AppError('provider.client-rejected', `the identity provider refused the ${step} (${what})`, {
      hint: 'check --oidc-client-id and --oidc-client-secret (or OIDC_CLIENT_SECRET) against the client registration',
      cause: error,
    });
  }
  if (error instanceof client.AuthorizationResponseError) {
    // The consent page's "no" comes back as access_denied, or as consent_required from some providers: the user's
    // choice, not a registration problem.
    const declined = error.error === 'access_denied' || error.error === 'consent_required';
    return new AppError(
      oauthRefusalCode(error.error),
      declined
        ? `you declined the consent at the provider (${describeOAuthError(error)})`
        : `the identity provider refused the login (${describeOAuthError(error)})`,
      {
        exitCode: oauthRefusalExitCode(error.error),
        hint: declined
          ? 'run the command again and allow the access the provider asks for; if you did not decline, ask the provider administrator whether your account may use this client'
          : 'check the client registration at the identity provider',
        cause: error,
      },
    );
  }
  const code = (error as { code?: unknown }).code;
  const status = httpStatusOf(error);
  const network = networkFailureIn(error);
  if (network) {
    const reason = describeNetworkError(network);
    // Node's TLS verification codes: UNABLE_TO_VERIFY_LEAF_SIGNATURE, SELF_SIGNED_CERT_IN_CHAIN,
    // DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, …
    const certificate = /CERT|SSL|TLS|SIGN|VERIFY|ALTNAME/i.test(reason);
    // A server that replied in plain HTTP to our TLS hello: Node names it in the code (OpenSSL's
    // ERR_SSL_WRONG_VERSION_NUMBER), Bun only in the message of its EPROTO ("Does the server speak TLS on this port?").
    const plainHttp = /WRONG_VERSION_NUMBER|wrong version number|packet length too long|speak TLS/i.test(
      networkErrorText(network),
    );
    return new AppError(
      'provider.unreachable',
      `cannot reach the identity provider at ${issuer} (${reason})`,
      {
        hint: plainHttp
          ? `the server does not speak TLS (it answered in plain HTTP): is the issuer ${issuer.replace(/^https:/, 'http:')}?`
          : certificate
            ? "the provider's TLS certificate is not trusted: if it comes from a private CA, pass --certificate-authority=CA.pem (or --certificate-authority-data)"
            : 'check --oidc-issuer-url, your network or proxy (HTTPS_PROXY, NO_PROXY), and the provider status',
        cause: error,
      },
    );
  }
  if (status !== undefined && status >= 500) return serverError(`HTTP ${status} at the ${step}`, error);
  if (status !== undefined && status >= 400) return errorWithoutOAuthBody(error, step, status, issuer);
  if (status !== undefined && status >= 300 && status < 400)
    return redirectNotFollowed(error, step, status, issuer);
  if (typeof code === 'string' && code.startsWith('OAUTH_')) {
    // Response validation: wrong issuer, audience, nonce, signature, an unusable discovery document…
    return new AppError(
      'provider.invalid-response',
      `the identity provider's ${step} response is not acceptable: ${innermostMessage(error)}`,
      {
        hint:
          step === 'discovery'
            ? `check --oidc-issuer-url: ${discoveryUrl(issuer)} must be an OpenID discovery document whose issuer is exactly ${issuer}`
            : "check --oidc-issuer-url and --oidc-client-id against the provider, and this machine's clock",
        cause: error,
      },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Whether a 4xx answer to a refresh means the refresh token itself is unusable. RFC 6749 says `invalid_grant`, but
 * providers whose session ended overnight or was revoked also answer `invalid_request`, `unauthorized_client`,
 * `invalid_scope`, or a bare 400/401 without an OAuth body (`oauthError` undefined): like int128, treat them all as
 * a dead refresh token, so the next step is a login rather than the same failure on every call until `clean`.
 * Not so: a failed client authentication (`invalid_client`: a new login would fail the same way, and the token may
 * still be good once the secret is fixed), and 408/429, which say "not now" rather than "never".
 */
export function refreshTokenRefused(status: number, oauthError: string | undefined): boolean {
  if (status < 400 || status >= 500 || status === 408 || status === 429) return false;
  return oauthError !== 'invalid_client';
}

/**
 * A 4xx whose body is not an OAuth error (empty, HTML, plain text): named by its status and endpoint. The body is
 * never shown: it is foreign text that may echo the request (secrets) or carry terminal escapes.
 */
function errorWithoutOAuthBody(error: unknown, step: OidcStep, status: number, issuer: string): Error {
  const response = responseIn(error);
  const endpoint = response?.url
    ? cutForMessage(response.url.replace(/[?#].*$/, ''))
    : `the provider (${issuer})`;
  const type = response?.headers.get('content-type')?.split(';')[0]?.trim();
  const body =
    response?.headers.get('content-length') === '0' ? 'empty body' : type ? `${type} body` : 'no JSON body';
  const what = `HTTP ${status} at ${endpoint}, without an OAuth error (${body})`;
  if (step === 'refresh' && refreshTokenRefused(status, undefined)) return new RefreshRejectedError(what);
  const clientAuthentication = status === 401;
  const message =
    step === 'discovery'
      ? `no discovery document at ${endpoint} (HTTP ${status})`
      : `the identity provider refused the ${step}: ${what}`;
  return new AppError(httpAnswerCode(status), message, {
    hint:
      step === 'discovery'
        ? `check --oidc-issuer-url: ${discoveryUrl(issuer)} must be an OpenID discovery document`
        : clientAuthentication
          ? 'the provider did not accept the client: check --oidc-client-id and --oidc-client-secret (or OIDC_CLIENT_SECRET) against the client registration'
          : 'check --oidc-client-id, the grant and the redirect URIs against the client registration; -v=2 shows the requests',
    cause: error,
  });
}

/**
 * What a refused request answered, on one line: the OAuth error and its description (from the body or a
 * WWW-Authenticate challenge), else the HTTP status.
 */
export function describeOAuthAnswer(error: unknown): string {
  if (error instanceof client.ResponseBodyError) return describeOAuthError(error);
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0]?.parameters;
    return describeProviderError(challenge?.error ?? `HTTP ${error.status}`, challenge?.error_description);
  }
  const status = httpStatusOf(error);
  return status === undefined ? 'no answer' : `HTTP ${status}`;
}

/**
 * A redirect the provider fetch did not follow (to another origin, or one too many: src/oidc/provider-fetch.ts),
 * named with its status and where it pointed, instead of openid-client's "unexpected HTTP response status code".
 */
function redirectNotFollowed(error: unknown, step: OidcStep, status: number, issuer: string): AppError {
  const response = responseIn(error);
  const endpoint = response?.url ? response.url.replace(/[?#].*$/, '') : `the provider (${issuer})`;
  const location = response?.headers.get('location');
  const where = location ? `to ${location.replace(/[?#].*$/, '').slice(0, 200)}` : 'without a Location';
  const what = `HTTP ${status} redirects ${where} (redirects are followed within ${new URL(issuer).origin} only, at most 5)`;
  return new AppError(
    httpAnswerCode(status),
    step === 'discovery'
      ? `no discovery document at ${endpoint}: ${what}`
      : `the identity provider refused the ${step}: ${what}`,
    {
      hint:
        step === 'discovery'
          ? `check --oidc-issuer-url: it must be the issuer exactly as the provider names itself, and ${discoveryUrl(issuer)} its discovery document`
          : 'check the endpoints of the discovery document; -v=2 shows the requests',
      cause: error,
    },
  );
}

/** `error: description`, as OAuth errors (token endpoint or callback) carry them, on one line. */
function describeOAuthError(error: { error: string; error_description?: string | undefined }): string {
  return describeProviderError(error.error, error.error_description);
}

/** The provider failed (HTTP 5xx), whether it said why in an OAuth error body or not. */
function serverError(detail: string, cause: unknown): AppError {
  return new AppError('provider.server-error', `the identity provider failed (${detail})`, {
    hint: 'retry later; if it persists, ask the identity provider administrator',
    cause,
  });
}

/** The HTTP status of a response openid-client refused to process (it keeps the Response as the cause). */
export function httpStatusOf(error: unknown): number | undefined {
  let current = error as { cause?: unknown; status?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof Response || (typeof current.status === 'number' && 'headers' in current))
      return current.status as number;
    current = current.cause as typeof current;
  }
  return undefined;
}

/**
 * The Response openid-client refused to process, kept as the cause of its error. By shape: with a proxy or a private
 * CA the transport is undici's fetch, whose Response is not the global class.
 */
function responseIn(error: unknown): Pick<Response, 'url' | 'status' | 'headers'> | undefined {
  let current = error as { cause?: unknown; status?: unknown; headers?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (typeof current.status === 'number' && current.headers instanceof Object && 'get' in current.headers)
      return current as Pick<Response, 'url' | 'status' | 'headers'>;
    current = current.cause as typeof current;
  }
  return undefined;
}

/** openid-client wraps the precise reason ("response parameter iss missing") in generic errors. */
function innermostMessage(error: unknown): string {
  let current = error as Error | undefined;
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message ?? String(error);
}

/**
 * The network failure (fetch's TypeError, a timeout, an abort) anywhere in the cause chain, if any. Node's fetch
 * (undici) throws TypeError('fetch failed') with the system or TLS error as its cause; the standalone build's
 * runtime (Bun) throws a TypeError that carries the code itself (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, …).
 */
function networkFailureIn(error: unknown): Error | undefined {
  let current = error as Error | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return current;
    if (current instanceof TypeError && /fetch failed|terminated/i.test(current.message)) return current;
    if (current instanceof TypeError && typeof (current as { code?: unknown }).code === 'string')
      return current;
    current = current.cause as Error | undefined;
  }
  return undefined;
}

/** The short reason of a failed fetch: the system error code (ECONNREFUSED, a TLS code), 'timed out', or the message. */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((error as Error).name === 'TimeoutError') return 'timed out';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return cause?.message ?? (error as Error).message;
}

/** The codes and messages of a network error and its cause, to recognise a failure by either runtime's words. */
function networkErrorText(error: unknown): string {
  const parts = [error, (error as { cause?: unknown }).cause].flatMap((e) =>
    e ? [(e as { code?: unknown }).code, (e as { message?: unknown }).message] : [],
  );
  return parts.filter((part) => typeof part === 'string').join(' ');
}

/** Where the discovery document of an issuer is (one slash before .well-known, whether the issuer ends with / or not). */
function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

function appErrorInCauses(error: unknown): Error | undefined {
  let current = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; current && depth < 5; depth++) {
    if (isAppError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
