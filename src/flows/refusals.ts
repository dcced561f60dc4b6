/**
 * What a provider's refusal means for the flow that met it, said plainly with the fix. The generic translation
 * (oidc/translate-error.ts) knows the HTTP answer; these know which grant was asked for, so "unauthorized_client"
 * becomes "this client may not use the device-code flow: allow it, or use …".
 */

import { AppError, isAppError } from '../app-error.js';
import { withoutDeviceCode } from '../core/select-flow.js';
import { type ErrorCode, httpAnswerCode, httpAnswerStatus } from '../error-codes.js';
import { deviceCodeGrant, grantRefused } from '../oidc/grant-refusal.js';
import { describeProviderError } from '../oidc/provider-text.js';

/** Codes of the errors that mean "this provider or client offers no device-code flow" (auto falls back on them). */
export const deviceCodeUnavailable: readonly ErrorCode[] = [
  'provider.no-device-code',
  'provider.device-code-refused',
];

export function isDeviceCodeUnavailable(error: unknown): error is AppError {
  return isAppError(error) && deviceCodeUnavailable.includes(error.code);
}

export function noDeviceCodeFlow(): AppError {
  return new AppError(
    'provider.no-device-code',
    'the identity provider offers no device-code flow (its discovery document has no device_authorization_endpoint)',
    { hint: withoutDeviceCode },
  );
}

/** Codes oidc/ gives a refused client authentication (invalid_client, a 401, a secret missing). */
const clientRefusals: readonly ErrorCode[] = [
  'auth.invalid_client',
  'auth.client-secret-missing',
  'provider.client-rejected',
  httpAnswerCode(401),
];

/**
 * A refusal of the device authorization request or its grant: the client may not use the flow (unauthorized_client,
 * unsupported_grant_type, "device_code is not allowed for this client", a bare 4xx from the device endpoint). At the
 * device authorization endpoint a refused client (invalid_client, 401) is one too: Google answers every client that
 * is not of its "TV and limited input" type so, and the browser flow works for that client. At the token endpoint
 * (a poll) it is not: there the browser flow's code exchange would fail the same way.
 */
export function explainDeviceCodeRefusal(
  error: unknown,
  clientId: string,
  at: 'device-authorization' | 'poll',
): unknown {
  if (!isAppError(error)) return error;
  const oauth = oauthErrorOf(error);
  const refused =
    grantRefused(error) ||
    isRefusedByHttpStatus(error.code) ||
    (at === 'device-authorization' && clientRefusals.includes(error.code));
  if (!refused) return error;
  return new AppError(
    'provider.device-code-refused',
    `the identity provider does not allow the device-code flow for client ${clientId} (${oauth ?? error.message})`,
    {
      hint: `allow the grant ${deviceCodeGrant} for the client at the provider, or ${withoutDeviceCode}`,
      cause: error,
    },
  );
}

const grantLabels = {
  password: { label: 'password', atProvider: "Keycloak: the client's Direct access grants" },
  client_credentials: {
    label: 'client-credentials',
    atProvider:
      "Keycloak: the client's Service accounts; Okta/Auth0: the Client Credentials grant of the app",
  },
} as const;

/**
 * The token endpoint refused a password or client-credentials request because the grant is not offered
 * (unsupported_grant_type) or not allowed for the client (unauthorized_client): name the grant, the client, what
 * discovery says about it, and the fix at the provider. Other errors pass unchanged.
 */
export function explainGrantRefusal(
  error: unknown,
  grant: keyof typeof grantLabels,
  clientId: string,
  grantTypesSupported: unknown,
): unknown {
  if (!isAppError(error) || !grantRefused(error)) return error;
  const { label, atProvider } = grantLabels[grant];
  const unlisted = Array.isArray(grantTypesSupported) && !grantTypesSupported.includes(grant);
  const whom =
    error.code === 'auth.unsupported_grant_type' ? 'does not offer' : `does not allow client ${clientId}`;
  return new AppError(
    'provider.grant-refused',
    `the identity provider ${whom} the ${label} grant (${oauthErrorOf(error) ?? error.message})${unlisted ? `; its discovery document does not list "${grant}" in grant_types_supported` : ''}`,
    {
      hint: `enable the ${grant} grant for client ${clientId} at the provider (${atProvider}), or choose another --grant-type (authcode, device-code)`,
      cause: error,
    },
  );
}

/**
 * The password grant's refusals of the user, not the client: invalid_grant, or a bare 400/401 (providers that
 * answer a wrong password without an OAuth body). A refused client secret (invalid_client, a WWW-Authenticate
 * challenge) stays exit 3 with its client-secret hint, and so does a bare 401 to a request that carried a client
 * secret: 401 is the status of a failed client authentication (RFC 6749 §5.2), a wrong password is a 400.
 */
export function explainPasswordRefusal(error: unknown, clientSecretSent: boolean): unknown {
  if (!isAppError(error)) return error;
  const userRefusals: readonly ErrorCode[] = ['auth.invalid_grant', httpAnswerCode(400), httpAnswerCode(401)];
  if (!userRefusals.includes(error.code) || (clientSecretSent && error.code === httpAnswerCode(401)))
    return error;
  return new AppError(
    'auth.password-refused',
    `the provider refused the username or password (${oauthErrorOf(error) ?? error.message})`,
    {
      hint: 'check the username and password, then try again',
      cause: error,
    },
  );
}

/** A bare 4xx other than 401 (a refused client authentication, which clientRefusals weighs by endpoint). */
function isRefusedByHttpStatus(code: ErrorCode): boolean {
  const status = httpAnswerStatus(code);
  return status !== undefined && status >= 400 && status < 500 && status !== 401;
}

/**
 * What the provider answered, behind an AppError: `error: description` when it sent an OAuth error, else the
 * `HTTP 400 at <endpoint> …` of an answer without one.
 */
function oauthErrorOf(error: AppError): string | undefined {
  const cause = error.cause as { error?: unknown; error_description?: unknown } | undefined;
  if (typeof cause?.error !== 'string') return /HTTP \d{3} at .*/.exec(error.message)?.[0];
  return describeProviderError(cause.error, cause.error_description);
}
