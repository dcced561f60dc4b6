/** In-memory fakes with state for the ports of the use cases. */
import type { CacheEntry } from '../../src/core/cache-entry.js';
import type { GetTokenRequest } from '../../src/core/get-token-use-case.js';
import {
  type Authenticator,
  type KeyLock,
  type Logger,
  RefreshRejectedError,
  type TokenSet,
  type TokenStore,
} from '../../src/core/ports.js';

/** The get-token request of the use-case tests: one issuer and client, the ID token, the default 30 s margin. */
export const request: GetTokenRequest = {
  key: 'a'.repeat(64),
  issuer: 'https://idp',
  clientId: 'kube',
  useAccessToken: false,
  forceRefresh: false,
  marginMs: 30_000,
};

export class MemoryStore implements TokenStore {
  entry: CacheEntry | undefined;
  writes = 0;
  constructor(entry?: CacheEntry) {
    this.entry = entry;
  }
  async read() {
    return this.entry;
  }
  async write(entry: CacheEntry) {
    this.writes++;
    if (this.writeFailure) throw this.writeFailure;
    this.entry = entry;
  }
  /** Makes every write fail (a full disk) until cleared. */
  writeFailure: Error | undefined;
  async discard() {
    this.entry = undefined;
  }
}

/** A provider that issues numbered tokens, rotates refresh tokens and remembers which ones are still valid. */
export class FakeProvider implements Authenticator {
  logins = 0;
  refreshes = 0;
  private counter = 0;
  private readonly validRefreshTokens = new Set<string>();
  refreshFailure: Error | undefined;
  omitIdTokenOnRefresh = false;
  constructor(
    private readonly clock: { now(): number },
    private readonly lifetimeMs = 3_600_000,
  ) {}

  private issue(): TokenSet {
    const n = ++this.counter;
    const refreshToken = `refresh-${n}`;
    this.validRefreshTokens.add(refreshToken);
    const expiresAt = this.clock.now() + this.lifetimeMs;
    return {
      idToken: `id-${n}`,
      idTokenExpiresAt: expiresAt,
      accessToken: `access-${n}`,
      accessTokenExpiresAt: expiresAt,
      refreshToken,
    };
  }
  async login() {
    this.logins++;
    return this.issue();
  }
  async refresh(refreshToken: string) {
    if (this.refreshFailure) throw this.refreshFailure;
    if (!this.validRefreshTokens.delete(refreshToken)) throw new RefreshRejectedError('invalid_grant');
    this.refreshes++;
    const tokens = this.issue();
    return this.omitIdTokenOnRefresh
      ? { ...tokens, idToken: undefined, idTokenExpiresAt: undefined }
      : tokens;
  }
}

export const noLock: KeyLock = { withLock: (work) => work({ lost: () => false }) };

export class MemoryLogger implements Logger {
  lines: string[] = [];
  info(message: string) {
    this.lines.push(message);
  }
  warn(message: string) {
    this.lines.push(`warning: ${message}`);
  }
  debug(_level: number, message: string) {
    this.lines.push(message);
  }
}

export class ManualClock {
  constructor(public time = 1_000_000) {}
  now() {
    return this.time;
  }
}
