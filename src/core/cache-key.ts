/**
 * The cache key: which cached identity a get-token call may reuse. The one place that decides it for every grant:
 * which of a run's settings go in (`cacheKeyFields`: the login grants, the CA's fingerprint, ci-token's job), their
 * canonical form and hash, the key of an exchanged token, and the file names. The composition root
 * (src/app/get-token.ts) only gathers what lies outside the flags (the CA files, a CI token file) and calls it.
 * See docs/token-cache.md for the field list; the golden tests in test/unit/cache-key.test.ts pin the exact output,
 * so any change here must bump `keyVersion`. On the cache-hit path: pure and light.
 */
import { type CiTokenSource, describeCiTokenSource } from './ci-token.js';
import type { GetTokenInput } from './get-token-input.js';
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

/** What the key needs from outside the flags, gathered by the composition root. */
export interface KeySources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** With --ci-token-source=file: the file's token, read once per run by the caller (src/ci/ci-token-file.ts). */
  readonly ciFileToken?: string | undefined;
  /** The CA material the settings give for the provider, as PEMs; called only when there is some. */
  certificateAuthorities(): readonly string[];
}

/** Which fields of a get-token run's settings make its cache key, for every grant. */
export function cacheKeyFields(input: GetTokenInput, sources: KeySources): CacheKeyFields {
  const { source, audience } = input.ciToken;
  if (input.grantType === 'ci-token' && source && audience)
    return ciCacheKeyFields(
      { source, audience, fileToken: sources.ciFileToken },
      input.cacheHint,
      sources.env,
    );
  return {
    issuer: input.issuerUrl,
    clientId: input.clientId,
    extraScopes: input.extraScopes,
    grantFamily: grantFamily(input),
    username: input.username,
    useAccessToken: input.useAccessToken,
    authRequestExtraParams: input.authRequestExtraParams,
    requestHeaders: input.requestHeaders,
    caFingerprint: caFingerprint(input, sources),
    insecureSkipTlsVerify: input.insecureSkipTlsVerify,
    cacheHint: input.cacheHint,
  };
}

export function grantFamily(input: Pick<GetTokenInput, 'grantType' | 'username'>): GrantFamily {
  if (input.grantType === 'client-credentials') return 'client-credentials';
  if (input.grantType === 'password' || (input.grantType === 'auto' && input.username)) return 'password';
  return 'user';
}

/** The CA material enters the cache key, so a changed CA never reuses tokens obtained under the old one. */
function caFingerprint(
  input: Pick<GetTokenInput, 'certificateAuthorityFiles' | 'certificateAuthorityData'>,
  sources: Pick<KeySources, 'certificateAuthorities'>,
): string | undefined {
  if (input.certificateAuthorityFiles.length === 0 && input.certificateAuthorityData.length === 0)
    return undefined;
  return sha256Hex(JSON.stringify(sources.certificateAuthorities()));
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

/**
 * Canonical form: a JSON array of [field, value] pairs in a fixed order, lists sorted and de-duplicated, maps as
 * sorted [name, value] pairs, absent values as null. JSON.stringify of arrays and strings is fully specified, so the
 * bytes are the same on every platform and Node version.
 */
export function canonicalKeyMaterial(fields: CacheKeyFields): string {
  // A loop, not map(): the standalone's JavaScriptCore compiles an array builtin from its JavaScript source on first
  // use, ~0.1 M instructions a cache hit (docs/performance.md).
  const sortedPairs = (map: Readonly<Record<string, string>>) => {
    const pairs: [string, string | undefined][] = [];
    for (const name of Object.keys(map).sort()) pairs.push([name, map[name]]);
    return pairs;
  };
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
