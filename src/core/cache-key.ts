/**
 * The cache key: which cached identity a get-token call may reuse. See docs/token-cache.md for the field list; the
 * golden tests in test/unit/cache-key.test.ts pin the exact output, so any change here must bump `keyVersion`.
 */
import { sha256Hex } from './sha256.js';

/**
 * The version in our file names (`together-login-v1-…`): the layout of the directory. It did not change when the
 * key material did; a new material version alone already makes every key, and so every file name, new.
 */
export const keyVersion = 1;
/** The first field of the hashed material. 2: `insecure_skip_tls_verify` was added. */
export const keyMaterialVersion = 2;
/** Our files in a directory we share with int128/kubelogin and together-kubelogin carry this prefix. */
export const cacheFilePrefix = 'together-login';

/** How the tokens were obtained: browser, device code and keyboard logins give the same user identity. */
export type GrantFamily = 'user' | 'password' | 'client-credentials' | 'ci-token';

export interface CacheKeyFields {
  readonly issuer: string;
  readonly clientId: string;
  readonly extraScopes: readonly string[];
  readonly grantFamily: GrantFamily;
  /** Only for the password grant; undefined otherwise. */
  readonly username: string | undefined;
  readonly useAccessToken: boolean;
  readonly authRequestExtraParams: Readonly<Record<string, string>>;
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** SHA-256 hex of the CA material given for the provider, or undefined. */
  readonly caFingerprint: string | undefined;
  /** A user-chosen label separating several accounts at one provider. */
  readonly cacheHint: string | undefined;
  /** Tokens obtained without checking the provider's certificate are never reused by a call that checks it. */
  readonly insecureSkipTlsVerify: boolean;
  /**
   * Only for the ci-token grant: which CI job the token belongs to (src/core/ci-token.ts), so that a runner that
   * keeps its home between jobs never hands one job's token to another.
   */
  readonly ciJob?: string;
}

/**
 * Canonical form: a JSON array of [field, value] pairs in a fixed order, lists sorted and de-duplicated, maps as
 * sorted [name, value] pairs, absent values as null. JSON.stringify of arrays and strings is fully specified, so the
 * bytes are the same on every platform and Node version.
 */
export function canonicalKeyMaterial(fields: CacheKeyFields): string {
  const sortedPairs = (map: Readonly<Record<string, string>>) =>
    Object.keys(map)
      .sort()
      .map((name) => [name, map[name]]);
  const pairs: unknown[] = [
    ['v', keyMaterialVersion],
    ['issuer', fields.issuer],
    ['client_id', fields.clientId],
    ['scopes', [...new Set(fields.extraScopes)].sort()],
    ['grant', fields.grantFamily],
    ['username', fields.grantFamily === 'password' ? (fields.username ?? null) : null],
    ['use_access_token', fields.useAccessToken],
    ['auth_params', sortedPairs(fields.authRequestExtraParams)],
    ['request_headers', sortedPairs(fields.requestHeaders)],
    ['ca', fields.caFingerprint ?? null],
    ['hint', fields.cacheHint ?? null],
    ['insecure_skip_tls_verify', fields.insecureSkipTlsVerify],
  ];
  // Appended only when present, so that every key of the other grants stays what it was (no version change).
  if (fields.ciJob !== undefined) pairs.push(['ci_job', fields.ciJob]);
  return JSON.stringify(pairs);
}

export function cacheKey(fields: CacheKeyFields): string {
  return sha256Hex(canonicalKeyMaterial(fields));
}

/**
 * The key of a token exchanged (RFC 8693) from the login of `loginKey`: that login's key with the audience and the
 * token type asked for, so each audience has its own entry beside the login's, and another login never shares it.
 */
export function exchangeCacheKey(
  loginKey: string,
  exchange: { readonly audience: string; readonly requestedTokenType: string },
): string {
  return sha256Hex(
    JSON.stringify([
      ['login', loginKey],
      ['audience', exchange.audience],
      ['requested_token_type', exchange.requestedTokenType],
    ]),
  );
}

export function cacheEntryFileName(key: string): string {
  return `${cacheFilePrefix}-v${keyVersion}-${key}.json`;
}

export function cacheEncryptedFileName(key: string): string {
  return `${cacheFilePrefix}-v${keyVersion}-${key}.enc`;
}

export function cacheLockFileName(key: string): string {
  return `${cacheFilePrefix}-v${keyVersion}-${key}.lock`;
}
