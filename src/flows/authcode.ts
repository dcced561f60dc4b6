/**
 * Authorization code flow with the browser: start the callback server, open the provider's login page, wait for
 * the redirect, exchange the code (with PKCE), all within --authentication-timeout-sec.
 */
import type { Logger, TokenSet } from '../core/ports.js';
import { AppError, ExitCode } from '../errors.js';
import type { OidcClient } from '../oidc/client.js';
import { openInBrowser } from '../platform/browser.js';
import type { Prompter } from '../platform/prompt.js';
import { startCallbackServer } from './callback-server.js';
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
}

export async function loginWithBrowser(
  oidc: OidcClient,
  options: AuthCodeOptions,
  logger: Logger,
): Promise<TokenSet> {
  const server = await startCallbackServer({
    addresses: options.listenAddresses,
    redirectHost: options.redirectUrl ? new URL(options.redirectUrl).hostname : options.redirectUrlHostname,
    tls: options.localServerTls,
    logger,
  });
  const withdrawPaste = new AbortController();
  try {
    const redirectUri =
      options.redirectUrl ?? `${server.scheme}://${options.redirectUrlHostname}:${server.port}`;
    const request = await oidc.startAuthorization({
      redirectUri,
      pkce: options.pkce,
      extraParams: options.authRequestExtraParams,
    });
    const viaCallback = server.waitForCallback({
      host: new URL(redirectUri).host,
      path: new URL(redirectUri).pathname,
      state: request.state,
      redirectAfterSuccess: options.openUrlAfterAuthentication,
      handle: (callbackUrl) => request.complete(callbackUrl),
    });
    logger.info(`Open this URL in your browser to log in:\n  ${request.url.href}`);
    if (!options.skipOpenBrowser) {
      await openInBrowser(request.url.href, {
        command: options.browserCommand,
        verbosity: options.verbosity,
        logger,
      });
    }
    // On a terminal, a user whose browser cannot reach this machine (SSH without port forwarding) can paste the URL
    // the browser ended at instead. Whichever answer comes first completes the login.
    const viaPaste = options.pasteFallback
      ?.ask('If your browser cannot reach this machine, paste here the URL it ended at: ', {
        signal: withdrawPaste.signal,
      })
      .then((answer) =>
        request.complete(
          callbackUrlFromAnswer(answer, {
            redirectUri,
            state: request.state,
            issuer: oidc.sendsIssuerInAuthorizationResponse() ? oidc.issuer : undefined,
          }),
        ),
      );
    const tokens = await withTimeout(
      viaPaste ? Promise.race([viaCallback, viaPaste]) : viaCallback,
      options.timeoutSec,
    );
    logger.info('Logged in.');
    return tokens;
  } finally {
    withdrawPaste.abort();
    await server.close();
  }
}

async function withTimeout<T>(work: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new AppError('auth.timeout', `no login completed within ${seconds} s`, {
            exitCode: ExitCode.authentication,
            hint: 'open the URL printed above and log in, or raise --authentication-timeout-sec',
          }),
        ),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
