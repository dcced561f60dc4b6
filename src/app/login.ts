/** The heavy half of get-token, loaded only when the cache cannot answer: OIDC discovery and the login flows. */
import type { GetTokenInput } from '../cli/get-token-options.js';
import type { Authenticator, Logger } from '../core/ports.js';
import { loginWithBrowser } from '../flows/authcode.js';
import { OidcClient } from '../oidc/client.js';

export function createAuthenticator(input: GetTokenInput, logger: Logger): Authenticator {
  let discovered: Promise<OidcClient> | undefined;
  const oidc = () => {
    discovered ??= OidcClient.discover({
      issuerUrl: input.issuerUrl,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      extraScopes: input.extraScopes,
      requestHeaders: input.requestHeaders,
      logger,
    });
    return discovered;
  };
  return {
    refresh: async (refreshToken) => (await oidc()).refresh(refreshToken),
    login: async () =>
      loginWithBrowser(
        await oidc(),
        {
          listenAddresses: input.listenAddresses,
          redirectUrl: input.redirectUrl,
          redirectUrlHostname: input.redirectUrlHostname,
          localServerTls:
            input.localServerCert && input.localServerKey
              ? { cert: input.localServerCert, key: input.localServerKey }
              : undefined,
          pkce: input.pkceMethod,
          authRequestExtraParams: input.authRequestExtraParams,
          skipOpenBrowser: input.skipOpenBrowser,
          browserCommand: input.browserCommand,
          openUrlAfterAuthentication: input.openUrlAfterAuthentication,
          timeoutSec: input.authenticationTimeoutSec,
          verbosity: input.verbosity,
        },
        logger,
      ),
  };
}
