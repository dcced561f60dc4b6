/**
 * The one error type the plugin raises on purpose. main.ts turns it into `error:` / `hint:` lines and an exit code;
 * anything else that escapes is a bug and exits with 1.
 */

import {
  type ChosenExitCode,
  type ErrorCode,
  type ExitCode,
  exitCodeOf,
  type FixedExitCode,
} from './error-codes.js';

export interface AppErrorOptions {
  /** The next step for the user, printed as `hint: …`. */
  hint?: string;
  cause?: unknown;
}

export class AppError extends Error {
  /** Stable, machine-readable identifier such as `usage.missing-setting` (never shown without -v): error-codes.ts. */
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  /** The exit code is the code's own (error-codes.ts); the raiser gives it only where the code lets it choose. */
  constructor(code: FixedExitCode, message: string, options?: AppErrorOptions);
  constructor(code: ChosenExitCode, message: string, options: AppErrorOptions & { exitCode: ExitCode });
  constructor(code: ErrorCode, message: string, options: AppErrorOptions & { exitCode?: ExitCode } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.exitCode = options.exitCode ?? exitCodeOf(code as FixedExitCode);
    this.hint = options.hint;
  }
}

/**
 * Duck-typed check rather than instanceof: the bundle may hold more than one copy of this module when a lazily
 * loaded chunk is built separately.
 */
export function isAppError(value: unknown): value is AppError {
  return (
    value instanceof Error &&
    typeof (value as Partial<AppError>).code === 'string' &&
    typeof (value as Partial<AppError>).exitCode === 'number'
  );
}

/**
 * A value echoed in a message (a URL from a flag or from the provider), cut to `max` characters with an ellipsis:
 * a 120 KB --oidc-issuer-url must not become a 120 KB error line.
 */
export function cutForMessage(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The hint of a usage error that has no better one: the flags of the command that was run. */
export function flagsHint(command: string): string {
  return `run \`kubectl together-login ${command} --help\` for the flags`;
}

export function usageError(message: string, hint = flagsHint('get-token')): AppError {
  return new AppError('usage', message, { hint });
}

/**
 * Every secret this process has handled (authorization code, PKCE verifier, device code, tokens, client secret,
 * password), so that any text printed on stderr can be cleaned of them, whoever wrote it: a provider that echoes the
 * request in its error_description puts them there. Kept on globalThis because the second bundle has its own copy of
 * this module, and both must feed one set.
 */
const secretsKey = Symbol.for('kubectl-together_login.secrets');

function secretRegistry(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  holder[secretsKey] ??= new Set<string>();
  return holder[secretsKey];
}

export function rememberSecrets(...values: (string | undefined)[]): void {
  for (const value of values) if (value && value.length >= 4) secretRegistry().add(value);
}

/**
 * Replaces every occurrence of the given secrets, and of every secret the process has handled, in a text by a fixed
 * marker. Applied to everything written on stderr (platform/logger.ts): the plugin never puts a secret into a
 * message on purpose, but foreign texts (provider responses, library errors) may carry them.
 */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  // Longest first: a secret that contains another is replaced whole.
  const all = [...secrets, ...secretRegistry()].filter((secret): secret is string =>
    Boolean(secret && secret.length >= 4),
  );
  for (const secret of all.sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  // By value only, never by a parameter's name: a provider may call a user code `code`
  // (`…/device?code=ABCD-EFGH`), and that link must reach the user intact.
  return out;
}
