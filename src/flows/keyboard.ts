/**
 * Authorization code flow with a keyboard, for shells whose browser runs elsewhere: print the login URL, then read
 * the code the provider shows (out-of-band redirect) or the whole URL the browser was sent to, and exchange it with
 * PKCE like the browser flow.
 */
import type { GetTokenInput } from '../core/get-token-input.js';
import type { Logger, TokenSet } from '../core/ports.js';
import type { OidcClient } from '../oidc/client.js';
import { createStdinPrompter, type Prompter } from '../platform/prompt.js';
import { callbackUrlFromAnswer } from './pasted-response.js';

export interface KeyboardOptions {
  /** None: the authorization request carries no redirect_uri (the provider uses the client's registered one). */
  readonly redirectUri: string | undefined;
  readonly pkce: 'auto' | 'no' | 'S256';
  readonly extraParams: Readonly<Record<string, string>>;
}

export function keyboardOptions(
  input: Pick<
    GetTokenInput,
    'redirectUrl' | 'redirectUrlAuthcodeKeyboard' | 'pkceMethod' | 'authRequestExtraParams'
  >,
): KeyboardOptions {
  return {
    // As int128 v1.36: without --oidc-redirect-url no redirect_uri at all (it no longer sends the out-of-band URI,
    // which Google blocks); the older --oidc-redirect-url-authcode-keyboard still counts when given.
    redirectUri: input.redirectUrl ?? input.redirectUrlAuthcodeKeyboard,
    pkce: input.pkceMethod,
    extraParams: input.authRequestExtraParams,
  };
}

/** The terminal the code is pasted on; without one, the login fails at once (exit 5) and says what works instead. */
export function keyboardPrompter(interactive: boolean | undefined): Prompter {
  return createStdinPrompter(interactive, {
    what: 'the keyboard login reads the code from the terminal',
    hint: 'set interactiveMode: IfAvailable in the kubeconfig, or use --grant-type=device-code, which needs no terminal',
  });
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
