/**
 * Where an error becomes an exit code: every code an AppError carries and the exit code it ends the process with.
 * README.md's "Exit codes and errors" says what each exit code means (test/unit/error-codes.test.ts keeps the two in
 * step). A code is part of the contract: `-v` prints it, tests and users match it, so it never changes its spelling.
 *
 * The cache hit's bundle holds this table (app-error.ts reads it): codes and numbers only. Hints stay with the code
 * that raises the error, which knows the flag, file or answer at hand. The table is a function so that it is built
 * only when an error is: a clean cache hit raises none, and evaluating the literal cost every hit ~0.2 M
 * instructions (docs/performance.md).
 */

/** Exit codes are part of the user contract: they are documented in README.md ("Exit codes and errors"). */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  provider: 3,
  authentication: 4,
  interactionRequired: 5,
  cache: 6,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Each code whose exit code does not depend on the case, under that exit code (a row of the README table). */
export const codesByExitCode = () =>
  ({
    // A flag, a setting, a file or the CI job's setup the user gave is wrong (usageError makes `usage`).
    [ExitCode.usage]: [
      'usage',
      'usage.cache-key',
      'usage.certificate-authority',
      'usage.certificate-authority-data',
      'usage.client-secret',
      'usage.cluster-setting',
      'usage.exec-info',
      'usage.listen-address',
      'usage.local-server-cert',
      'usage.missing-setting',
      'usage.ports-busy',
      'usage.proxy',
      'usage.redirect-host',
      'kubeconfig.invalid',
      'kubeconfig.unreadable',
      'ci-token.audience',
      'ci-token.file',
      'ci-token.github-permission',
      'ci-token.no-exp',
      'ci-token.not-a-jwt',
      'ci-token.not-in-ci',
      'ci-token.variable-unset',
    ],
    // The identity provider (or GitHub's CI token service) is unreachable, misconfigured, or answered something unusable.
    [ExitCode.provider]: [
      'provider.client-rejected',
      'provider.clock-skew',
      'provider.device-code-refused',
      'provider.grant-refused',
      'provider.invalid-response',
      'provider.issuer-mismatch',
      'provider.no-authorization-endpoint',
      'provider.no-device-code',
      'provider.no-token',
      'provider.response-too-large',
      'provider.server-error',
      'provider.subject-changed',
      'provider.token-expired',
      'provider.unreachable',
      'provider.unsafe-browser-url',
      'auth.client-secret-missing',
      'exchange.audience-missing',
      'exchange.audience-refused',
      'exchange.not-allowed',
      'exchange.unsupported',
      'ci-token.bad-response',
      'ci-token.refused',
      'ci-token.unreachable',
    ],
    // The login was refused or not completed; the CI job's token has expired.
    [ExitCode.authentication]: [
      'auth.expired_token',
      'auth.no-code',
      'auth.password-refused',
      'auth.start-url-raced',
      'auth.timeout',
      'ci-token.expired',
    ],
    // A prompt without a terminal, or a closed stdin.
    [ExitCode.interactionRequired]: ['interaction.no-input', 'interaction.required'],
    // The token cache cannot be used.
    [ExitCode.cache]: [
      'cache.encryption-key',
      'cache.keyring',
      'cache.lock',
      'cache.lock-timeout',
      'cache.untrusted',
      'cache.write',
    ],
  }) as const satisfies Partial<Record<ExitCode, readonly string[]>>;

/**
 * `provider.http-<status>`: the provider answered an HTTP error without an OAuth error in its body, or a redirect
 * that was not followed. Exit 3.
 */
export type HttpAnswerCode = `provider.http-${number}`;

/** The OAuth errors (RFC 6749 §4.1.2.1 and §5.2, RFC 8628 §3.5, RFC 8693 §2.2.2) the plugin reads by name. */
export type KnownOAuthError =
  | 'access_denied'
  | 'consent_required'
  | 'expired_token'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_request'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unauthorized_client'
  | 'unsupported_grant_type';

declare const fromProvider: unique symbol;
/** An OAuth `error` as the provider answered it: foreign text, any string (oauthRefusalCode makes the code). */
type ProviderOAuthError = string & { readonly [fromProvider]: true };

/**
 * `auth.<error>`: the provider refused with an OAuth error (auth.invalid_grant, auth.access_denied, …). Its exit code
 * depends on the error: oauthRefusalExitCode.
 */
export type OAuthRefusalCode = `auth.${KnownOAuthError}` | `auth.${ProviderOAuthError}`;

/**
 * setup's run found a failed check: its checklist on stderr has said which and how to fix it, so main.ts prints
 * nothing more. The exit code is the one of the error that stopped setup, else the failed checks'
 * (core/setup/output.ts, setupExitCode).
 */
export type SetupFailedCode = 'setup.failed';

type CodeTable = ReturnType<typeof codesByExitCode>;
type TableCode = CodeTable[keyof CodeTable][number];
/** The codes whose exit code is in the table above (or, for `provider.http-<status>`, always 3). */
export type FixedExitCode = TableCode | HttpAnswerCode;
/** The codes whose exit code the code that raises them chooses, because it depends on the case. */
export type ChosenExitCode = OAuthRefusalCode | SetupFailedCode;
export type ErrorCode = FixedExitCode | ChosenExitCode;

export function exitCodeOf(code: FixedExitCode): ExitCode {
  for (const [exitCode, codes] of Object.entries(codesByExitCode()))
    if ((codes as readonly string[]).includes(code)) return Number(exitCode) as ExitCode;
  return ExitCode.provider; // provider.http-<status>
}

export function httpAnswerCode(status: number): HttpAnswerCode {
  return `provider.http-${status}`;
}

/** The HTTP status of a `provider.http-<status>` code, else undefined. */
export function httpAnswerStatus(code: ErrorCode): number | undefined {
  const status = /^provider\.http-(\d{3})$/.exec(code)?.[1];
  return status === undefined ? undefined : Number(status);
}

export function oauthRefusalCode(oauthError: string): OAuthRefusalCode {
  return `auth.${oauthError as ProviderOAuthError}`;
}

/** OAuth errors that say the client's registration is wrong rather than the user's login. */
const clientRegistrationErrors: readonly string[] = [
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'invalid_scope',
];

/**
 * The exit code of `auth.<error>`: an error about the client's registration is exit 3 (the provider is misconfigured
 * for this client: logging in again cannot help), any other exit 4. The same wherever the refusal came, the token
 * endpoint or the browser's callback, so a script reads one meaning from one code.
 */
export function oauthRefusalExitCode(oauthError: string): ExitCode {
  return clientRegistrationErrors.includes(oauthError) ? ExitCode.provider : ExitCode.authentication;
}
