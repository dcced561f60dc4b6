/**
 * Authorization code flow with the browser: start the callback server, open its one-time start URL (which binds
 * the browser with a cookie and redirects to the provider's login page), wait for the redirect, exchange the code
 * (with PKCE), all within --authentication-timeout-sec.
 */

import { AppError, isAppError } from '../app-error.js';
import { spokenDuration } from '../core/duration.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import type { KeyLock, Logger, TokenSet } from '../core/ports.js';
import type { OidcClient } from '../oidc/client.js';
import { openInBrowser } from '../platform/browser.js';
import { createStdinPrompter, type Prompter } from '../platform/prompt.js';
import { startCountdown, type TerminalInfo } from '../platform/status-line.js';
import { newBrowserBinding } from './browser-binding.js';
import { localServerTls, startCallbackServer } from './callback-server.js';
import { type FlowRun, personAtTerminal } from './flow-run.js';
import { callbackUrlFromAnswer } from './pasted-response.js';

export interface AuthCodeOptions {
  readonly listenAddresses: readonly string[];
  readonly redirectUrl: string | undefined;
  readonly redirectUrlHostname: string;
  readonly localServerTls: { cert: string; key: string } | undefined;
  readonly pkce: 'auto' | 'no' | 'S256';
  readonly authRequestExtraParams: Readonly<Record<string, string>>;
  readonly skipOpenBrowser: boolean;
  readonly browserCommand: string | undefined;
  readonly openUrlAfterAuthentication: string | undefined;
  readonly timeoutSec: number;
  readonly verbosity: number;
  /** Offer to paste the redirected URL on the terminal as well (only when there is one). */
  readonly pasteFallback: Prompter | undefined;
  /** Why no browser can be shown here (SSH, CI, no display), or undefined when one can. */
  readonly noBrowser: string | undefined;
  /** Whether --grant-type=device-code is worth suggesting: the provider offers it and did not refuse it. */
  readonly deviceCodeOffered: boolean;
  /**
   * At most one browser tab per provider at a time, across processes and cache keys: held from opening the tab to
   * the end of this login. A burst of kubectl processes (k9s, scripts, watch) then opens one tab, not one each.
   */
  readonly browserSlot: KeyLock | undefined;
  readonly terminal: TerminalInfo;
}

/** The options of a run from the flags and the plan's step: whether to open a browser, and what to suggest. */
export function authcodeOptions(input: GetTokenInput, run: FlowRun): AuthCodeOptions {
  return {
    listenAddresses: input.listenAddresses,
    redirectUrl: input.redirectUrl,
    redirectUrlHostname: input.redirectUrlHostname,
    localServerTls: localServerTls(input),
    pkce: input.pkceMethod,
    authRequestExtraParams: input.authRequestExtraParams,
    skipOpenBrowser: !run.step.openBrowser,
    browserCommand: input.browserCommand,
    openUrlAfterAuthentication: input.openUrlAfterAuthentication,
    timeoutSec: input.authenticationTimeoutSec,
    verbosity: input.verbosity,
    // Only with a person at a terminal.
    pasteFallback: personAtTerminal(run.interactive)
      ? createStdinPrompter(run.interactive, { what: 'pasting the URL', hint: '' })
      : undefined,
    noBrowser: run.step.noBrowser,
    deviceCodeOffered: run.step.deviceCodeOffered,
    browserSlot: run.browserSlot?.(),
    terminal: run.terminal,
  };
}

export async function loginWithBrowser(
  oidc: OidcClient,
  options: AuthCodeOptions,
  logger: Logger,
): Promise<TokenSet> {
  const deadline = Date.now() + options.timeoutSec * 1000;
  if (!options.browserSlot) return loginInBrowserTab(oidc, options, deadline, logger);
  try {
    return await options.browserSlot.withLock(() => loginInBrowserTab(oidc, options, deadline, logger));
  } catch (error) {
    // Waiting for another process's tab used up this login's time: that is this login's timeout.
    if (isAppError(error) && error.code === 'cache.lock-timeout') throw loginTimeout(options);
    throw error;
  }
}

async function loginInBrowserTab(
  oidc: OidcClient,
  options: AuthCodeOptions,
  deadline: number,
  logger: Logger,
): Promise<TokenSet> {
  const server = await startCallbackServer({
    addresses: options.listenAddresses,
    redirectHost: options.redirectUrl ? new URL(options.redirectUrl).hostname : options.redirectUrlHostname,
    tls: options.localServerTls,
    logger,
  });
  const withdrawPaste = new AbortController();
  let countdown: { stop(): void } | undefined;
  try {
    const redirectUri =
      options.redirectUrl ?? `${server.scheme}://${options.redirectUrlHostname}:${server.port}`;
    const request = await oidc.startAuthorization({
      redirectUri,
      pkce: options.pkce,
      extraParams: options.authRequestExtraParams,
    });
    // The browser is given our one-time start URL, never the authorization URL itself: a launcher's command line is
    // readable by every local user (./browser-binding.ts). The start URL reaches this machine only, so a user
    // forwarding the port over SSH opens it as well.
    const binding = newBrowserBinding(server.port);
    const startUrl = `${new URL(redirectUri).origin}${binding.startPath}`;
    const viaCallback = server.waitForCallback({
      host: new URL(redirectUri).host,
      path: new URL(redirectUri).pathname,
      state: request.state,
      redirectAfterSuccess: options.openUrlAfterAuthentication,
      handle: (callbackUrl) => request.complete(callbackUrl),
      start: { binding, location: request.url.href, maxAgeSec: (deadline - Date.now()) / 1000 },
    });
    logger.info(`Open this URL in your browser to log in:\n  ${startUrl}`);
    logger.debug(1, `it redirects to the identity provider: ${request.url.href}`);
    if (!options.skipOpenBrowser) {
      await openInBrowser(startUrl, {
        source: 'authorization_endpoint',
        command: options.browserCommand,
        verbosity: options.verbosity,
        logger,
      });
    }
    if (options.skipOpenBrowser || (options.noBrowser !== undefined && !options.browserCommand)) {
      logger.info(noBrowserExplanation(options, redirectUri, deadline));
    }
    // On a terminal, a user whose browser cannot reach this machine (SSH without port forwarding) can paste the URL
    // the browser ended at instead. Whichever answer comes first completes the login.
    // A browser elsewhere cannot reach the start URL: it gets the provider's URL, on the terminal only (never on a
    // command line), and the terminal binds the pasted answer to this user as the cookie binds the callback.
    if (options.pasteFallback) {
      logger.info(
        `If your browser cannot reach this machine, open this URL there instead:\n  ${request.url.href}`,
      );
    }
    const viaPaste = options.pasteFallback
      ?.ask(
        // The prompt holds the terminal's last line (no countdown): it says once how long the login waits.
        `and paste here the URL it ended at (waiting up to ${spokenDuration(deadline - Date.now())}): `,
        {
          signal: withdrawPaste.signal,
        },
      )
      .then((answer) =>
        request.complete(
          callbackUrlFromAnswer(answer, {
            redirectUri,
            state: request.state,
            issuer: oidc.sendsIssuerInAuthorizationResponse() ? oidc.issuer : undefined,
          }),
        ),
      );
    // The paste prompt owns the terminal's last line; the countdown would overwrite it.
    if (!viaPaste)
      countdown = startCountdown('Waiting for the login in the browser', deadline, options.terminal);
    const tokens = await withDeadline(
      viaPaste ? Promise.race([viaCallback, viaPaste]) : viaCallback,
      deadline,
      options,
    );
    countdown?.stop();
    logger.info('Logged in.');
    return tokens;
  } finally {
    countdown?.stop();
    withdrawPaste.abort();
    await server.close();
  }
}

/** Where no browser opens by itself: what the user must do for this login to complete, and what else works. */
function noBrowserExplanation(options: AuthCodeOptions, redirectUri: string, deadline: number): string {
  // The machine's reason first: the flag is the reason only where a browser could have been opened.
  const why = options.noBrowser ?? '--skip-open-browser is set';
  const callback = new URL(redirectUri);
  const port = callback.port || (callback.protocol === 'https:' ? '443' : '80');
  return [
    `No browser can be opened here (${why}). Open the URL above in a browser that can reach ${callback.origin} on this machine, within ${spokenDuration(deadline - Date.now())}.`,
    `  Over SSH, forward the port first: ssh -L ${port}:localhost:${port} <this host>`,
    options.deviceCodeOffered
      ? '  Or log in without that: --grant-type=device-code (a code to enter on any device), or --grant-type=authcode-keyboard (paste the result back).'
      : '  Or log in without that: --grant-type=authcode-keyboard (paste the result back).',
  ].join('\n');
}

function loginTimeout(options: Pick<AuthCodeOptions, 'timeoutSec' | 'deviceCodeOffered'>): AppError {
  const elsewhere = options.deviceCodeOffered
    ? '--grant-type=device-code or --grant-type=authcode-keyboard'
    : '--grant-type=authcode-keyboard';
  return new AppError('auth.timeout', `no login completed within ${options.timeoutSec} s`, {
    hint: `open the URL printed above and log in, or raise --authentication-timeout-sec; where no browser can reach this machine, use ${elsewhere}`,
  });
}

async function withDeadline<T>(
  work: Promise<T>,
  deadline: number,
  options: Pick<AuthCodeOptions, 'timeoutSec' | 'deviceCodeOffered'>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(loginTimeout(options)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
