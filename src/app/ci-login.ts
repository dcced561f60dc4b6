/**
 * The Authenticator of `--grant-type=ci-token`: "logging in" is fetching or reading the CI job's own OIDC token and
 * checking it. No browser, no prompt, no secret, no refresh token: when the cached token expires, the next call
 * fetches a new one. Part of the second bundle (login-machinery.ts), like the other logins.
 */
import { obtainCiToken } from '../ci/ci-token-source.js';
import { describeCiTokenSource } from '../core/ci-token.js';
import { checkCiToken } from '../core/ci-token-check.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import type { Authenticator, Logger, TokenSet } from '../core/ports.js';
import { createTransport } from '../oidc/transport.js';
import { readSettingFile } from '../platform/setting-file.js';

export function createCiAuthenticator(
  input: GetTokenInput,
  logger: Logger,
  env: Readonly<Record<string, string | undefined>>,
  /** The token file's content as get-token read it for the cache key: the token handed over is the one keyed. */
  fileToken?: string,
): Authenticator {
  const { source, audience } = input.ciToken;
  // parseCiTokenOptions requires both under --grant-type=ci-token.
  if (!source || !audience) throw new Error('ci-token without a source or an audience');
  return {
    refresh: () => Promise.reject(new Error('a CI token has no refresh token')),
    login: async (): Promise<TokenSet> => {
      logger.debug(
        1,
        `fetching the CI job's token from ${describeCiTokenSource(source)} for audience ${audience}`,
      );
      const raw =
        fileToken ??
        (await obtainCiToken(source, audience, {
          env,
          readFile: readSettingFile,
          // The token service is not the identity provider: only the environment's proxy applies, not the CA flags.
          fetch:
            createTransport({ certificateAuthorities: [], insecureSkipTlsVerify: false, env }, logger) ??
            ((url, init) => fetch(url, init)),
          timeoutMs: input.providerRequestTimeoutSec * 1000,
        }));
      const { token, expiresAt } = checkCiToken(raw, { audience, source, nowMs: Date.now() });
      logger.debug(1, `the CI token is valid until ${new Date(expiresAt).toISOString()}`);
      return {
        idToken: token,
        idTokenExpiresAt: expiresAt,
        accessToken: undefined,
        accessTokenExpiresAt: undefined,
        refreshToken: undefined,
      };
    },
  };
}
