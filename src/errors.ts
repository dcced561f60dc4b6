/**
 * The one error type the plugin raises on purpose. main.ts turns it into `error:` / `hint:` lines and an exit code;
 * anything else that escapes is a bug and exits with 1.
 */

/** Exit codes are part of the user contract: they are documented in README.md ("Exit codes"). */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  provider: 3,
  authentication: 4,
  interactionRequired: 5,
  cache: 6,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface AppErrorOptions {
  exitCode: ExitCode;
  /** The next step for the user, printed as `hint: …`. */
  hint?: string;
  cause?: unknown;
}

export class AppError extends Error {
  /** Stable, machine-readable identifier such as `usage.missing-flag` (never shown without -v). */
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.exitCode = options.exitCode;
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

export function usageError(
  message: string,
  hint = 'run `kubectl together-login get-token --help` for the flags',
): AppError {
  return new AppError('usage', message, { exitCode: ExitCode.usage, hint });
}

/**
 * Replaces every occurrence of the given secrets in a text by a fixed marker. Used on anything derived from foreign
 * error messages (provider responses, library errors) before it is printed, as a second line of defence: the plugin
 * never puts a secret into a message on purpose.
 */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  // Authorization codes, tokens and verifiers that travel in URLs or form bodies.
  return out.replace(
    /\b(code|code_verifier|access_token|id_token|refresh_token|client_secret|password|device_code)=([^&\s"']+)/g,
    '$1=[redacted]',
  );
}
