/**
 * Whether a CI job's token is usable: a pure decision on its unverified claims, made on a cache miss only. The
 * signature is kube-apiserver's to check: the plugin only makes sure it hands over a JWT for the expected audience
 * that has not expired, so that a misconfigured job fails here with a clear line instead of with a bare 401.
 */
import { AppError } from '../app-error.js';
import { type CiTokenSource, describeCiTokenSource } from './ci-token.js';
import { readJwtClaims } from './jwt-claims.js';

export interface UsableCiToken {
  readonly token: string;
  /** ms since the epoch, from `exp`. */
  readonly expiresAt: number;
}

/**
 * Checks the token's shape and claims (not its signature). Throws one AppError with the fix:
 * not a JWT or another audience is a configuration mistake (exit 2), an expired token is exit 4.
 */
export function checkCiToken(
  token: string,
  expected: { audience: string; source: CiTokenSource; nowMs: number },
): UsableCiToken {
  const from = describeCiTokenSource(expected.source);
  const claims = token.split('.').length === 3 ? readJwtClaims(token) : undefined;
  if (!claims)
    throw new AppError('ci-token.not-a-jwt', `the CI token from ${from} is not a JWT`, {
      hint: hintForSource(expected.source, 'point --ci-token-source at the OIDC ID token of the job'),
    });
  const audiences =
    typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!audiences.includes(expected.audience))
    throw new AppError(
      'ci-token.audience',
      `the CI token from ${from} is for audience ${JSON.stringify(audiences.length === 1 ? audiences[0] : audiences)}, not "${expected.audience}"`,
      {
        hint: hintForSource(
          expected.source,
          `make the token's audience and --ci-token-audience the same as the cluster's AuthenticationConfiguration audiences`,
        ),
      },
    );
  if (typeof claims.exp !== 'number')
    throw new AppError('ci-token.no-exp', `the CI token from ${from} has no exp claim`, {
      hint: 'kube-apiserver refuses tokens without exp: use the OIDC ID token the CI system issues for the job',
    });
  const expiresAt = claims.exp * 1000;
  if (expiresAt <= expected.nowMs)
    throw new AppError(
      'ci-token.expired',
      `the CI token from ${from} expired at ${new Date(expiresAt).toISOString()}`,
      {
        hint:
          expected.source.kind === 'gitlab'
            ? "GitLab's id_tokens live as long as the job's timeout: request the cluster earlier in the job, or raise the timeout"
            : "check this machine's clock; a token file must be refreshed by whoever writes it (the kubelet rotates projected tokens)",
      },
    );
  return { token, expiresAt };
}

function hintForSource(source: CiTokenSource, general: string): string {
  switch (source.kind) {
    case 'github-actions':
      return `${general} (GitHub issues the token for the audience this plugin asks for: --ci-token-audience)`;
    case 'gitlab':
      return `${general}: in .gitlab-ci.yml, id_tokens: ${source.variable}: aud: <the audience>`;
    case 'file':
      return `${general}: for a projected service-account token, serviceAccountToken.audience in the pod spec`;
  }
}
