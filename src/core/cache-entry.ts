/**
 * What one cache entry holds, and a strict parser for it: a file that does not match is treated as a miss.
 * Times are milliseconds since the epoch. Tokens are the only secrets in an entry; never a client secret.
 */
export const entryFormat = 'together-login/token-cache/v1';

export interface CacheEntry {
  readonly format: typeof entryFormat;
  readonly issuer: string;
  readonly clientId: string;
  /**
   * The cache key (./cache-key.ts) the entry was written under: served only to a call of that key, so a file copied or
   * renamed to another key's name (another --username, hint, scope set, CA …) is a miss. Absent in entries written
   * before it was added: those are misses too (one new login).
   */
  readonly key?: string | undefined;
  /**
   * Only in the entry of an exchanged token (RFC 8693, src/core/token-exchange.ts): the cache key of the login it was
   * exchanged from, and the audience it carries. Its idToken is the exchanged token.
   */
  readonly loginKey?: string | undefined;
  readonly audience?: string | undefined;
  /** When the current tokens were received from the provider. */
  readonly obtainedAt: number;
  readonly idToken?: string | undefined;
  readonly idTokenExpiresAt?: number | undefined;
  readonly accessToken?: string | undefined;
  readonly accessTokenExpiresAt?: number | undefined;
  readonly refreshToken?: string | undefined;
  /** How the tokens were obtained (GrantFamily of ./cache-key.ts): status names entries without a user by it. */
  readonly grant?: string | undefined;
}

/**
 * The head of every entry written, the login's and an exchanged token's: the format and whose it is (the key, issuer
 * and client it may be served to). Spread first, so the fields keep their order in the file.
 */
export function entryHead(owner: {
  readonly key: string;
  readonly issuer: string;
  readonly clientId: string;
}): Pick<CacheEntry, 'format' | 'issuer' | 'clientId' | 'key'> {
  return { format: entryFormat, issuer: owner.issuer, clientId: owner.clientId, key: owner.key };
}

export class CacheEntryError extends Error {}

export function parseCacheEntry(text: string): CacheEntry {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CacheEntryError('not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new CacheEntryError('not a JSON object');
  const entry = doc as Record<string, unknown>;
  if (entry.format !== entryFormat)
    throw new CacheEntryError(`unknown format ${JSON.stringify(entry.format)}`);
  for (const field of ['issuer', 'clientId'] as const) {
    if (typeof entry[field] !== 'string') throw new CacheEntryError(`field ${field} is missing`);
  }
  if (!isTime(entry.obtainedAt)) throw new CacheEntryError('field obtainedAt is missing');
  for (const field of [
    'key',
    'loginKey',
    'audience',
    'idToken',
    'accessToken',
    'refreshToken',
    'grant',
  ] as const) {
    if (entry[field] !== undefined && typeof entry[field] !== 'string')
      throw new CacheEntryError(`field ${field} is not a string`);
  }
  for (const field of ['idTokenExpiresAt', 'accessTokenExpiresAt'] as const) {
    if (entry[field] !== undefined && !isTime(entry[field]))
      throw new CacheEntryError(`field ${field} is not a time`);
  }
  return entry as unknown as CacheEntry;
}

/** A time a Date can hold (±8.64e15 ms): anything later cannot be printed as an expirationTimestamp. */
const latestTimeMs = 8.64e15;

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= latestTimeMs;
}

export function serializeCacheEntry(entry: CacheEntry): string {
  return `${JSON.stringify(entry, null, 2)}\n`;
}
