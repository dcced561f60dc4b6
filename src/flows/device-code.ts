/**
 * Device authorization grant (RFC 8628) for shells without a browser: the user opens a URL on any device and
 * confirms a short code. Needs no stdin, so it works with kubectl's `interactiveMode: Never`.
 */
import type { Logger, TokenSet } from '../core/ports.js';
import { AppError, ExitCode } from '../errors.js';
import type { OidcClient } from '../oidc/client.js';
import { openInBrowser } from '../platform/browser.js';
import { explainDeviceCodeRefusal, noDeviceCodeFlow } from './refusals.js';

export interface DeviceCodeOptions {
  /** Open the verification page in a browser too (only where one can be shown, and not --skip-open-browser). */
  readonly openBrowser: boolean;
  readonly browserCommand: string | undefined;
  readonly extraParams: Readonly<Record<string, string>>;
  readonly pkce: 'auto' | 'no' | 'S256';
  readonly verbosity: number;
  /** Named when the provider refuses the flow for this client. */
  readonly clientId: string;
}

export async function loginWithDeviceCode(
  oidc: OidcClient,
  options: DeviceCodeOptions,
  logger: Logger,
): Promise<TokenSet> {
  if (!oidc.supportsDeviceCode()) throw noDeviceCodeFlow();
  const authorization = await oidc
    .startDeviceAuthorization(options.extraParams, options.pkce)
    .catch((error: unknown) => Promise.reject(explainDeviceCodeRefusal(error, options.clientId)));
  const { verificationUri, verificationUriComplete, userCode, expiresInSec } = authorization;
  logger.info(
    verificationUriComplete
      ? `To log in, open this URL on any device and check that it shows the code ${userCode}:\n  ${verificationUriComplete}`
      : `To log in, open ${verificationUri} on any device and enter the code:\n  ${userCode}`,
  );
  if (options.openBrowser) {
    await openInBrowser(verificationUriComplete ?? verificationUri, {
      command: options.browserCommand,
      verbosity: options.verbosity,
      logger,
    });
  }
  logger.info(`Waiting for the login (the code expires in ${describeDuration(expiresInSec)})…`);
  // The provider says when the code expires; stop polling then, whatever the provider answers.
  const deadline = AbortSignal.timeout(expiresInSec * 1000);
  try {
    const tokens = await authorization.poll(deadline);
    logger.info('Logged in.');
    return tokens;
  } catch (error) {
    if (!deadline.aborted) throw explainDeviceCodeRefusal(error, options.clientId);
    throw new AppError(
      'auth.expired_token',
      `the device code expired after ${describeDuration(expiresInSec)} without a login`,
      {
        exitCode: ExitCode.authentication,
        hint: 'run the command again and complete the login at the provider before the code expires',
        cause: error,
      },
    );
  }
}

function describeDuration(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} minutes` : `${seconds} s`;
}
