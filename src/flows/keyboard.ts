/**
 * Authorization code flow with a keyboard, for shells whose browser runs elsewhere: print the login URL, then read
 * the code the provider shows (out-of-band redirect) or the whole URL the browser was sent to, and exchange it with
 * PKCE like the browser flow.
 */
import type { Logger, TokenSet } from '../core/ports.js';
import { AppError, ExitCode } from '../errors.js';
import type { OidcClient } from '../oidc/client.js';
import type { Prompter } from '../platform/prompt.js';

/** int128/kubelogin's default for this flow: the provider shows the code instead of redirecting. */
export const outOfBandRedirectUri = 'urn:ietf:wg:oauth:2.0:oob';

export interface KeyboardOptions {
  readonly redirectUri: string;
  readonly pkce: 'auto' | 'no' | 'S256';
  readonly extraParams: Readonly<Record<string, string>>;
}

export async function loginWithKeyboard(
  oidc: OidcClient,
  options: KeyboardOptions,
  prompter: Prompter,
  logger: Logger,
): Promise<TokenSet> {
  const request = await oidc.startAuthorization({
    redirectUri: options.redirectUri,
    pkce: options.pkce,
    extraParams: options.extraParams,
  });
  logger.info(`Open this URL in a browser on any device and log in:\n  ${request.url.href}`);
  const answer = await prompter.ask('Then paste the code, or the whole URL the browser ended at: ');
  const callbackUrl = callbackUrlFromAnswer(answer, {
    redirectUri: options.redirectUri,
    state: request.state,
    issuer: oidc.sendsIssuerInAuthorizationResponse() ? oidc.issuer : undefined,
  });
  const tokens = await request.complete(callbackUrl);
  logger.info('Logged in.');
  return tokens;
}

/**
 * What the user pasted → the authorization response as a URL for the code exchange. A whole URL is taken as it is
 * (its state is then checked); a bare code is given our own state, and the issuer when the provider would have sent
 * it, since a code shown on a page carries neither.
 */
export function callbackUrlFromAnswer(
  answer: string,
  context: { redirectUri: string; state: string; issuer: string | undefined },
): URL {
  const text = answer.trim();
  if (text === '') {
    throw new AppError('auth.no-code', 'no code was entered', {
      exitCode: ExitCode.authentication,
      hint: 'run the command again and paste the code the provider showed',
    });
  }
  if (/^https?:\/\//i.test(text)) {
    const pasted = new URL(text);
    if (!pasted.searchParams.has('code') && !pasted.searchParams.has('error')) {
      throw new AppError('auth.no-code', 'the pasted URL carries no code', {
        exitCode: ExitCode.authentication,
        hint: 'paste the URL of the page the provider redirected to after the login (it contains code=…)',
      });
    }
    return pasted;
  }
  // openid-client needs a URL to read the response from; for the out-of-band URI any base will do.
  const base = /^https?:\/\//i.test(context.redirectUri) ? context.redirectUri : 'http://localhost/';
  const url = new URL(base);
  url.search = '';
  url.searchParams.set('code', text);
  url.searchParams.set('state', context.state);
  if (context.issuer) url.searchParams.set('iss', context.issuer);
  return url;
}
