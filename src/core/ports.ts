/**
 * The small interfaces the use cases talk to. Adapters live in cache/, oidc/, flows/ and platform/; tests use fakes
 * with state (test/unit/fakes.ts).
 */
import type { CacheEntry } from './cache-entry.js';
import type { LoginRecord } from './login-coordination.js';
import type { TokenExchangeSettings } from './token-exchange-settings.js';

/** The cache entry of one cache key. */
export interface TokenStore {
  /** undefined on a miss, including an unreadable or corrupt entry (the store reports those itself). */
  read(): Promise<CacheEntry | undefined>;
  /**
   * The same read, answered without waiting, by a store that can (the disk store): a cache hit then runs without an
   * await, each of which costs the standalone executable's hit ~0.06 M instructions (docs/performance.md).
   */
  readNow?(): CacheEntry | undefined;
  /** Replaces the entry atomically: a failed write leaves the previous entry as it was. */
  write(entry: CacheEntry): Promise<void>;
  /**
   * Removes the entry (needing no space: it works on a full disk). Used when a write failed after the provider made
   * the cached refresh token useless (rotated or refused): such an entry must not stay.
   */
  discard?(): Promise<void>;
}

/** Mutual exclusion between plugin processes working on the same cache key. */
export interface KeyLock {
  withLock<T>(work: (lease: LockLease) => Promise<T>): Promise<T>;
}

export interface LockLease {
  /** True once another process has taken the lock over (this one was stopped or too slow to touch it). */
  lost(): boolean;
}

/** Tokens as received from the provider, already validated. Times in ms since the epoch. */
export interface TokenSet {
  readonly idToken: string | undefined;
  readonly idTokenExpiresAt: number | undefined;
  readonly accessToken: string | undefined;
  readonly accessTokenExpiresAt: number | undefined;
  readonly refreshToken: string | undefined;
}

export interface Authenticator {
  /**
   * Uses a refresh token. Throws RefreshRejectedError when the provider refuses it (a 4xx such as invalid_grant; see
   * oidc/translate-error.ts refreshTokenRefused): the caller then drops it and logs in. Any other failure (network, timeout,
   * 5xx, client authentication) is thrown as is and ends the call.
   */
  refresh(refreshToken: string): Promise<TokenSet>;
  /** Runs the login flow chosen by the flags (browser, …). */
  login(): Promise<TokenSet>;
}

/** A token the provider issued in a token exchange (RFC 8693), already checked: signature, iss, aud, exp. */
export interface ExchangedToken {
  readonly token: string;
  /** Its exp, in ms since the epoch. */
  readonly expiresAt: number;
}

export interface TokenExchanger {
  /** Exchanges the login's token (its ID token, or access token) for one whose `aud` holds the audience. */
  exchange(
    subjectToken: string,
    subjectIsAccessToken: boolean,
    settings: TokenExchangeSettings,
  ): Promise<ExchangedToken>;
}

export class RefreshRejectedError extends Error {
  override readonly name = 'RefreshRejectedError';
}

/** By name, not instanceof: the error is created in the second bundle, which has its own copy of this class. */
export function isRefreshRejected(error: unknown): error is RefreshRejectedError {
  return error instanceof Error && error.name === 'RefreshRejectedError';
}

export interface Logger {
  /** Always shown: what the user needs to see (the URL to open, what is happening). */
  info(message: string): void;
  warn(message: string): void;
  /** Shown from the given verbosity level on. Never pass a secret. */
  debug(level: number, message: string): void;
}

export interface Clock {
  now(): number;
}

/** Where a cached item is kept (src/cache/inventory.ts lists them for status and clean). */
export type Storage = 'disk' | 'encrypted' | 'keyring';

export interface CachedItem {
  readonly storage: Storage;
  readonly key: string;
  /** A file path, or `keyring:<service>/<account>`. */
  readonly location: string;
  readonly issuer: string | undefined;
  readonly clientId: string | undefined;
  /** The decrypted or parsed entry; undefined when it cannot be read (see `problem`). */
  readonly entry: CacheEntry | undefined;
  readonly problem: string | undefined;
}

/** The login record of one cache key (src/cache/login-record-store.ts; what it holds: ./login-coordination.ts). */
export interface LoginRecordStore {
  read(): LoginRecord | undefined;
  /** Read, change, write (the caller holds the lock). */
  update(change: (record: LoginRecord) => LoginRecord): void;
}
