/**
 * Device authorization grant (RFC 8628) for shells without a browser: the user opens a URL on any device and
 * confirms a short code. Needs no stdin, so it works with kubectl's `interactiveMode: Never`.
 *
 * A run waits at most --authentication-timeout-sec (and never past the code's expiry). The code is saved in the
 * key's login record, so that a later run whose code is still valid shows the same code and keeps polling it
 * instead of asking for a new one (every new code makes the one the user is typing worthless).
 *
 * Where it opens a browser, the browser gets a one-time start URL of ours that redirects to the verification page
 * (./start-server.ts), never the page's URL, which carries the user code: the launcher's command line is readable by
 * every local user. The code and URL are still printed on stderr, the user's own terminal.
 */

import { AppError } from '../app-error.js';
import { spokenDuration } from '../core/duration.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import {
  deviceCodeInstructions,
  type LoginRecord,
  reusableDeviceCode,
  type SavedDeviceCode,
} from '../core/login-coordination.js';
import type { Logger, TokenSet } from '../core/ports.js';
import type { DeviceAuthorization, OidcClient } from '../oidc/client.js';
import { openInBrowser } from '../platform/browser.js';
import { startCountdown, type TerminalInfo } from '../platform/status-line.js';
import type { FlowRun } from './flow-run.js';
import { explainDeviceCodeRefusal, noDeviceCodeFlow } from './refusals.js';
import { type StartServer, startStartServer } from './start-server.js';

export interface DeviceCodeOptions {
  /** Open the verification page in a browser too (only where one can be shown, and not --skip-open-browser). */
  readonly openBrowser: boolean;
  readonly browserCommand: string | undefined;
  readonly extraParams: Readonly<Record<string, string>>;
  readonly pkce: 'auto' | 'no' | 'S256';
  readonly verbosity: number;
  /** Named when the provider refuses the flow for this client. */
  readonly clientId: string;
  /** --authentication-timeout-sec, and when this run gives up (ms since the epoch). */
  readonly timeoutSec: number;
  readonly deadline: number;
  /** A still-valid code of an earlier run, to poll again instead of asking for a new one. */
  readonly resume: SavedDeviceCode | undefined;
  /** Called with a new code, so that later runs can find it. */
  readonly onNewCode: (code: SavedDeviceCode) => void;
  /** Called when the code must never be polled again: another client may have approved it as someone else. */
  readonly onCodeSpoiled: () => void;
  readonly terminal: TerminalInfo;
  /** Draw the verification URL as a QR code on a terminal wide enough (not with --skip-qr-code). */
  readonly qrCode: boolean;
}

/**
 * The options of a run from the flags and the login record: an earlier run's code still valid is resumed. Without
 * --authentication-timeout-sec the code's own lifetime is the limit (int128 waits as long), and processes waiting
 * for this key's lock learn it.
 */
export function deviceCodeOptions(input: GetTokenInput, run: FlowRun): DeviceCodeOptions {
  const { record } = run;
  const wholeLifetime = !input.authenticationTimeoutGiven;
  const resume = reusableDeviceCode(record?.read(), Date.now());
  const holderUntil = (r: LoginRecord, expiresAt: number) =>
    wholeLifetime && r.holder ? { holder: { ...r.holder, until: expiresAt } } : {};
  if (resume) record?.update((r) => ({ ...r, ...holderUntil(r, resume.expiresAt) }));
  return {
    openBrowser: run.step.openBrowser,
    browserCommand: input.browserCommand,
    extraParams: input.authRequestExtraParams,
    pkce: input.pkceMethod,
    verbosity: input.verbosity,
    clientId: input.clientId,
    timeoutSec: input.authenticationTimeoutSec,
    deadline: wholeLifetime ? Number.POSITIVE_INFINITY : run.deadline,
    resume,
    onNewCode: (device) => record?.update((r) => ({ ...r, device, ...holderUntil(r, device.expiresAt) })),
    onCodeSpoiled: () => record?.update((r) => ({ ...r, device: undefined })),
    terminal: run.terminal,
    qrCode: !input.skipQrCode,
  };
}

export async function loginWithDeviceCode(
  oidc: OidcClient,
  options: DeviceCodeOptions,
  logger: Logger,
): Promise<TokenSet> {
  let authorization: DeviceAuthorization;
  if (options.resume) {
    authorization = oidc.resumeDeviceAuthorization(options.resume);
    logger.info(
      `A login with this device code is already under way (from an earlier run); it is still valid for ${spokenDuration(options.resume.expiresAt - Date.now())}.`,
    );
  } else {
    if (!oidc.supportsDeviceCode()) throw noDeviceCodeFlow();
    authorization = await oidc
      .startDeviceAuthorization(options.extraParams, options.pkce)
      .catch((error: unknown) =>
        Promise.reject(explainDeviceCodeRefusal(error, options.clientId, 'device-authorization')),
      );
    options.onNewCode(authorization.saved);
  }
  const { saved } = authorization;
  logger.info(deviceCodeInstructions(saved));
  if (options.qrCode)
    await drawQrCode(saved.verificationUriComplete ?? saved.verificationUri, options.terminal, logger);
  const until = Math.min(options.deadline, saved.expiresAt);
  const start =
    options.openBrowser && !options.resume
      ? await openThroughStartServer(saved, until, options, logger)
      : undefined;
  try {
    return await pollUntil(authorization, until, options, start, logger);
  } finally {
    await start?.close();
  }
}

/**
 * Opens the verification page through a one-time start URL of our own (./start-server.ts), never with the page's
 * URL itself: that carries the user code, and the launcher's command line is readable by every local user.
 */
async function openThroughStartServer(
  saved: SavedDeviceCode,
  until: number,
  options: DeviceCodeOptions,
  logger: Logger,
): Promise<StartServer | undefined> {
  const start = await startStartServer(
    saved.verificationUriComplete ?? saved.verificationUri,
    (until - Date.now()) / 1000,
    logger,
  );
  if (start) {
    await openInBrowser(start.url, {
      source: saved.verificationUriComplete ? 'verification_uri_complete' : 'verification_uri',
      command: options.browserCommand,
      verbosity: options.verbosity,
      logger,
    });
  }
  return start;
}

async function pollUntil(
  authorization: DeviceAuthorization,
  until: number,
  options: DeviceCodeOptions,
  start: StartServer | undefined,
  logger: Logger,
): Promise<TokenSet> {
  const { saved } = authorization;
  const codeRunsOut = saved.expiresAt <= options.deadline;
  logger.info(
    codeRunsOut
      ? `Waiting for the login (the code expires in ${spokenDuration(saved.expiresAt - Date.now())})…`
      : `Waiting for the login for ${spokenDuration(until - Date.now())} (the code stays valid for ${spokenDuration(saved.expiresAt - Date.now())}; a later run shows it again)…`,
  );
  const countdown = startCountdown('Waiting for the login at the provider', until, options.terminal);
  const timeout = AbortSignal.timeout(Math.max(0, until - Date.now()));
  // A raced start URL stops the polling too: a token the other client approved must never arrive after it.
  const raced = new AbortController();
  const stop = AbortSignal.any([timeout, raced.signal]);
  try {
    start?.raced.catch(() => raced.abort());
    const polled = authorization.poll(stop);
    const tokens = await (start ? Promise.race([polled, start.raced]) : polled);
    countdown.stop();
    logger.info('Logged in.');
    return tokens;
  } catch (error) {
    countdown.stop();
    // Whoever raced for the start URL holds the code: a later run must not resume it and poll their approval.
    if (raced.signal.aborted) {
      options.onCodeSpoiled();
      throw error;
    }
    if (!timeout.aborted) throw explainDeviceCodeRefusal(error, options.clientId, 'poll');
    throw codeRunsOut
      ? new AppError('auth.expired_token', 'the device code expired without a login', {
          hint: 'run the command again and complete the login at the provider before the code expires',
          cause: error,
        })
      : new AppError('auth.timeout', `no login completed within ${options.timeoutSec} s`, {
          hint: `open the URL above and enter the code, then run the command again in a minute (the code stays valid for ${spokenDuration(saved.expiresAt - Date.now())}); or raise --authentication-timeout-sec`,
          cause: error,
        });
  }
}

/** The QR code of the verification URL, for a phone; skipped when stderr is no terminal or too narrow for it. */
async function drawQrCode(url: string, terminal: TerminalInfo, logger: Logger): Promise<void> {
  if (!terminal.isTerminal) return;
  try {
    const { default: encodeQR } = await import('qr');
    const art = encodeQR(url, 'ascii');
    const width = Math.max(...art.split('\n').map((line) => line.length));
    if (width + 2 > terminal.columns) {
      logger.debug(1, `no QR code: it needs ${width + 2} columns, the terminal has ${terminal.columns}`);
      return;
    }
    logger.info(`Or scan this with your phone:\n${art}`);
  } catch (error) {
    logger.debug(1, `no QR code: ${(error as Error).message}`);
  }
}
