/** How to reach and talk to the provider, from the get-token flags (also used by setup). */
import type { GetTokenInput } from '../core/get-token-input.js';
import type { Logger } from '../core/ports.js';
import type { OidcClientOptions } from '../oidc/client.js';
import { createTransport } from '../oidc/transport.js';
import { readCertificateAuthorities } from '../platform/certificate-authorities.js';

export function oidcClientOptions(
  input: GetTokenInput,
  logger: Logger,
  env: Readonly<Record<string, string | undefined>>,
): OidcClientOptions {
  return {
    issuerUrl: input.issuerUrl,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    clientSecretIfAsked: input.clientSecretIfAsked,
    extraScopes: input.extraScopes,
    useAccessToken: input.useAccessToken,
    requestHeaders: input.requestHeaders,
    timeoutSec: input.providerRequestTimeoutSec,
    transport: createTransport(
      {
        certificateAuthorities: readCertificateAuthorities(
          input.certificateAuthorityFiles,
          input.certificateAuthorityData,
          input.certificateAuthoritiesFrom,
        ),
        insecureSkipTlsVerify: input.insecureSkipTlsVerify,
        env,
      },
      logger,
    ),
    logger,
  };
}
