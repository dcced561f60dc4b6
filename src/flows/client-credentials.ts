/**
 * Client credentials grant, for automation with a client of its own: one request with the client's secret, no user.
 */
import { AppError } from '../app-error.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import type { TokenSet } from '../core/ports.js';
import type { OidcClient } from '../oidc/client.js';
import { explainGrantRefusal } from './refusals.js';

export function loginWithClientCredentials(
  oidc: OidcClient,
  input: Pick<GetTokenInput, 'clientId' | 'clientSecret' | 'authRequestExtraParams'>,
): Promise<TokenSet> {
  if (!input.clientSecret) {
    return Promise.reject(
      new AppError('usage.client-secret', 'the client credentials grant needs a client secret', {
        hint: 'set OIDC_CLIENT_SECRET (or --oidc-client-secret) for the client',
      }),
    );
  }
  return oidc
    .clientCredentials(input.authRequestExtraParams)
    .catch((error: unknown) =>
      Promise.reject(
        explainGrantRefusal(
          error,
          'client_credentials',
          input.clientId,
          oidc.snapshot().metadata.grant_types_supported,
        ),
      ),
    );
}
