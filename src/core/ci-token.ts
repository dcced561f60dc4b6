/**
 * CI workload identity: a CI job's own OIDC token used as the credential. Where the token comes from is a
 * small discriminated union; which of it enters the cache key is ./cache-key.ts's `ciCacheKeyFields`. This module
 * is on the cache-hit path; the check of a fetched token (ci-token-check.ts) is not.
 */

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
