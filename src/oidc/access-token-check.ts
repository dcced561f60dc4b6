/**
 * With --oidc-use-access-token the access token is what kubectl sends. A JWT is checked as int128/kubelogin checks
 * it (and as kube-apiserver will): signature against the issuer's keys, `iss`, `exp`; not `aud`, which for an access
 * token names the resource (int128 skips it too). An opaque token cannot be checked here, nor by kube-apiserver's
 * JWT authenticator: it is passed through, and -v=1 says so.
 */

import { AppError } from '../app-error.js';
import type { TokenSet } from '../core/ports.js';
import type { ConfiguredProvider } from './provider.js';
import { failedCheck, looksLikeJwt, verifyWithProviderKeys } from './provider-keys.js';
import { toAppError } from './translate-error.js';

export async function checkAccessToken(provider: ConfiguredProvider, tokens: TokenSet): Promise<TokenSet> {
  const { accessToken } = tokens;
  if (!provider.options.useAccessToken || !accessToken) return tokens;
  if (!looksLikeJwt(accessToken)) {
    provider.options.logger.debug(
      1,
      'the access token is not a JWT: it goes to kubectl unchecked (kube-apiserver cannot verify an opaque token either, unless a webhook authenticator does)',
    );
    return tokens;
  }
  try {
    await verifyWithProviderKeys(provider, accessToken, undefined);
  } catch (error) {
    const reason = failedCheck(error);
    if (reason === undefined) throw toAppError(error, 'login', provider.options.issuerUrl);
    throw new AppError(
      'provider.invalid-response',
      `the identity provider's access token is not acceptable: ${reason}`,
      {
        hint: "with --oidc-use-access-token kube-apiserver checks the access token as a JWT of the issuer (signature by its keys, iss, exp): check --oidc-issuer-url, and this machine's clock",
        cause: error,
      },
    );
  }
  provider.options.logger.debug(
    1,
    "the access token is a JWT signed by the issuer's keys, with its iss and exp valid",
  );
  return tokens;
}
