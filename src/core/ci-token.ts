/**
 * CI workload identity (issue 15): a CI job's own OIDC token used as the credential. Where the token comes from is a
 * small discriminated union, and it decides the cache key. This module is on the cache-hit path; the check of a
 * fetched token (ci-token-check.ts) is not.
 */
import type { CacheKeyFields } from './cache-key.js';
import { sha256Hex } from './sha256.js';

export type CiTokenSource =
  /** GitHub Actions: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=… with $ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  | { readonly kind: 'github-actions' }
  /** GitLab CI: a variable the pipeline declares under `id_tokens:`. */
  | { readonly kind: 'gitlab'; readonly variable: string }
  /** A token file, such as a projected service-account token; read anew on every cache miss (it is rotated). */
  | { readonly kind: 'file'; readonly path: string };

/** The --ci-token-source value that names this source (for messages, the cache entry and status). */
export function describeCiTokenSource(source: CiTokenSource): string {
  switch (source.kind) {
    case 'github-actions':
      return 'github-actions';
    case 'gitlab':
      return `gitlab:${source.variable}`;
    case 'file':
      return `file:${source.path}`;
  }
}

/**
 * The cache key of a CI token: the source and audience, and the job. The job is GitHub's token request URL (it
 * names the run and the job; the request token, a secret, is not used), or the SHA-256 of the token itself for a
 * GitLab variable and a token file (each job gets its own; a runner may write the next job's token to the same
 * path). `fileToken`: the file's token, read by the caller (src/ci/ci-token-file.ts).
 */
export function ciCacheKeyFields(
  ci: { source: CiTokenSource; audience: string; fileToken?: string | undefined },
  cacheHint: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): CacheKeyFields {
  const { source } = ci;
  const job =
    source.kind === 'github-actions'
      ? (env.ACTIONS_ID_TOKEN_REQUEST_URL ?? '')
      : sha256Hex((source.kind === 'gitlab' ? env[source.variable]?.trim() : ci.fileToken) ?? '');
  return {
    issuer: `ci-token:${describeCiTokenSource(source)}`,
    clientId: ci.audience,
    extraScopes: [],
    grantFamily: 'ci-token',
    username: undefined,
    useAccessToken: false,
    authRequestExtraParams: {},
    requestHeaders: {},
    caFingerprint: undefined,
    cacheHint,
    // The token service's certificate is always checked (--insecure-skip-tls-verify is for the provider).
    insecureSkipTlsVerify: false,
    ciJob: job,
  };
}
