/**
 * The browser login's two requests: the authorization URL (state, nonce, PKCE) and, once the callback came back, the
 * exchange of its code for tokens, checked against that state and nonce.
 */
import * as client from 'openid-client';
import { AppError, cutForMessage, rememberSecrets } from '../app-error.js';
import { checkedBrowserUrl } from '../core/browser-url.js';
import type { TokenSet } from '../core/ports.js';
import { type PkceMode, pkceFor } from './pkce.js';
import { type ConfiguredProvider, loginScope, providerRequest } from './provider.js';
import { tokenSetOf } from './token-response.js';

export interface AuthorizationRequest {
  readonly url: URL;
  /** The `state` the callback must carry; anything else is not our login. */
  readonly state: string;
  /** Exchanges the code of the callback URL (whose query the browser brought) for validated tokens. */
  complete(callbackUrl: URL): Promise<TokenSet>;
}

export interface AuthorizationOptions {
  /** None (the keyboard flow without a redirect URL): no redirect_uri in the request nor in the code exchange. */
  readonly redirectUri: string | undefined;
  readonly pkce: PkceMode;
  readonly extraParams: Readonly<Record<string, string>>;
}

export async function startAuthorization(
  provider: ConfiguredProvider,
  options: AuthorizationOptions,
): Promise<AuthorizationRequest> {
  const { config, tweaks, options: clientOptions } = provider;
  if (!config.serverMetadata().authorization_endpoint) {
    throw new AppError(
      'provider.no-authorization-endpoint',
      `the discovery document of ${cutForMessage(clientOptions.issuerUrl)} has no authorization_endpoint: a browser login is impossible`,
      {
        hint: 'check --oidc-issuer-url, or use a flow without the browser: --grant-type=device-code, password or client-credentials',
      },
    );
  }
  // The login URL is built on it and opened in the browser.
  checkedBrowserUrl(String(config.serverMetadata().authorization_endpoint), 'authorization_endpoint');
  const state = client.randomState();
  const nonce = client.randomNonce();
  const pkce = await pkceFor(config, options.pkce);
  const params: Record<string, string> = {
    // As int128/kubelogin always sends it: Google issues refresh tokens only then. Extra params may override it.
    access_type: 'offline',
    ...options.extraParams,
    ...(options.redirectUri === undefined ? {} : { redirect_uri: options.redirectUri }),
    scope: loginScope(clientOptions),
    response_type: 'code',
    state,
    nonce,
    ...pkce.params,
  };
  clientOptions.logger.debug(
    1,
    `authorization request: PKCE ${pkce.verifier ? 'S256' : 'off'}, scope "${params.scope}"`,
  );
  const url = client.buildAuthorizationUrl(config, params);
  return {
    url,
    state,
    complete: (callbackUrl) =>
      providerRequest(provider, 'login', async () => {
        // openid-client derives redirect_uri from the callback URL, normalising `http://localhost:8000` to
        // `http://localhost:8000/`; providers compare it byte for byte with the authorization request, and expect
        // none when that had none.
        tweaks.exactRedirectUri = options.redirectUri ?? null;
        rememberSecrets(callbackUrl.searchParams.get('code') ?? undefined);
        const response = await client.authorizationCodeGrant(config, callbackUrl, {
          expectedState: state,
          expectedNonce: nonce,
          pkceCodeVerifier: pkce.verifier,
          idTokenExpected: true,
        });
        return tokenSetOf(provider, response);
      }),
  };
}
