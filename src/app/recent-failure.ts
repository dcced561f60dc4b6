/**
 * A login that failed moments ago (nobody logged in, the user said no, the code ran out) is remembered in the key's
 * login record, so that kubectl's retries end at once with the same error instead of each starting a login of
 * minutes. A user at a terminal may press Enter to try again at once; --force-refresh always does.
 */

import { AppError, isAppError } from '../app-error.js';
import { spokenDuration } from '../core/duration.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import {
  deviceCodeInstructions,
  failureToReplay,
  isRememberedFailure,
  retryAfterFailureMs,
  reusableDeviceCode,
} from '../core/login-coordination.js';
import type { Logger, LoginRecordStore } from '../core/ports.js';
import type { ChosenExitCode, ExitCode } from '../error-codes.js';
import { writeStderr } from '../platform/logger.js';
import { createStdinPrompter } from '../platform/prompt.js';
import type { LoginContext } from './login-context.js';

export async function failFastAfterRecentFailure(
  record: LoginRecordStore | undefined,
  input: GetTokenInput,
  context: LoginContext,
  logger: Logger,
): Promise<void> {
  const current = record?.read();
  const failure = failureToReplay(current, Date.now(), input.forceRefresh);
  if (!failure) return;
  const left = failure.at + retryAfterFailureMs - Date.now();
  // kubectl passes no flag of ours: the way to start over at once has to be a command of its own.
  logger.info(
    `The last login failed ${spokenDuration(Date.now() - failure.at)} ago; not starting another for ${spokenDuration(left)}. Wait ${spokenDuration(left)}, or run \`kubectl together-login clean\` to start over (by hand, --force-refresh tries at once).`,
  );
  // The code the user may be typing right now: shown again, not "printed above" by a run whose output is gone.
  const device = reusableDeviceCode(current, Date.now());
  if (device) {
    logger.info(
      `The device code of that login is still valid for ${spokenDuration(device.expiresAt - Date.now())}; a run after the wait picks up the login once it is done. ${deviceCodeInstructions(device)}`,
    );
  }
  const atTerminal = context.interactive !== false && Boolean(process.stdin.isTTY);
  if (atTerminal && !failure.asked) {
    if (await pressedEnter(Math.min(left, 30_000))) return;
    // The offer passed unanswered: the user is not at this terminal; later retries in the window do not ask again.
    record?.update((r) => ({ ...r, failure: r.failure && { ...r.failure, at: Date.now(), asked: true } }));
  }
  // A replay keeps the exit code it was recorded with: passed as a raiser passes a code's chosen exit code.
  throw new AppError(failure.code as ChosenExitCode, failure.message, {
    exitCode: failure.exitCode as ExitCode,
    // "The URL printed above" was printed by the run that failed, not by this one, unless its device code was.
    hint:
      !device && failure.hint?.includes('printed above')
        ? `this run started no login and printed no URL: run the command again in ${spokenDuration(left)}, or at once after \`kubectl together-login clean\`, and complete the login it prints`
        : failure.hint,
  });
}

/** Keeps a failed login for replay when its error is one worth replaying (core/login-coordination.ts says which). */
export function rememberFailure(record: LoginRecordStore | undefined, error: unknown): void {
  if (!(isAppError(error) && isRememberedFailure(error.code))) return;
  const failure = {
    at: Date.now(),
    code: error.code,
    message: error.message,
    hint: error.hint,
    exitCode: error.exitCode,
  };
  // A device code that merely outlived this run stays for the next one; a refused or expired one does not.
  record?.update((r) => ({
    ...r,
    failure,
    device: error.code === 'auth.timeout' ? r.device : undefined,
  }));
}

async function pressedEnter(withinMs: number): Promise<boolean> {
  const withdraw = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const answered = createStdinPrompter(undefined, { what: 'retrying', hint: '' })
    .ask(`Press Enter within ${spokenDuration(withinMs)} to log in again now: `, { signal: withdraw.signal })
    .then(
      () => true,
      () => false,
    );
  const passed = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), withinMs);
  });
  try {
    return await Promise.race([answered, passed]);
  } finally {
    clearTimeout(timer);
    withdraw.abort();
    writeStderr('\n');
  }
}
