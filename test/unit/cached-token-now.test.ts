/**
 * A store that reads without waiting (TokenStore.readNow, the disk store) answers a cache hit with no await (issue 25),
 * with the same checks as the asynchronous read: the key, issuer and client, the freshness, --force-refresh.
 */
import { describe, expect, it } from 'vitest';
import type { CacheEntry } from '../../src/core/cache-entry.js';
import { cachedToken, cachedTokenNow } from '../../src/core/cached-token.js';
import { getExchangedToken } from '../../src/core/token-exchange.js';
import { ManualClock, MemoryLogger, MemoryStore, request } from './fakes.js';

/** MemoryStore whose entry is also read synchronously; counts each way of reading. */
class SyncStore extends MemoryStore {
  reads = { now: 0, async: 0 };
  readNow() {
    this.reads.now++;
    return this.entry;
  }
  override async read() {
    this.reads.async++;
    return this.entry;
  }
}

const clock = new ManualClock();
const entry = (over: Partial<CacheEntry> = {}): CacheEntry => ({
  format: 'together-login/token-cache/v1',
  issuer: request.issuer,
  clientId: request.clientId,
  key: request.key,
  obtainedAt: clock.time,
  idToken: 'id-cached',
  idTokenExpiresAt: clock.time + 3_600_000,
  ...over,
});
const depsOf = (store: MemoryStore) => ({
  store,
  clock,
  logger: new MemoryLogger(),
  openSession: () => Promise.reject(new Error('a hit opens no session')),
});

describe('the cache hit without waiting', () => {
  it('answers a hit from readNow, and cachedToken reads through it too', async () => {
    const store = new SyncStore(entry());
    expect(cachedTokenNow(request, depsOf(store))?.hit?.token).toBe('id-cached');
    expect((await cachedToken(request, depsOf(store)))?.token).toBe('id-cached');
    expect(store.reads).toEqual({ now: 2, async: 0 });
  });

  it('answers a miss for an entry of another key, issuer or client, an expired one, and with --force-refresh', () => {
    for (const [stored, req] of [
      [entry({ key: 'b'.repeat(64) }), request],
      [entry({ key: undefined }), request],
      [entry({ issuer: 'https://other' }), request],
      [entry({ clientId: 'other' }), request],
      [entry({ obtainedAt: clock.time - 3_600_000, idTokenExpiresAt: clock.time - 1 }), request],
      [entry(), { ...request, forceRefresh: true }],
    ] as const) {
      const store = new SyncStore(stored);
      expect(cachedTokenNow(req, depsOf(store))).toEqual({ hit: undefined });
      expect(store.reads.async).toBe(0);
    }
  });

  it('leaves a store that reads only asynchronously to cachedToken', async () => {
    const store = new MemoryStore(entry());
    expect(cachedTokenNow(request, depsOf(store))).toBeUndefined();
    expect((await cachedToken(request, depsOf(store)))?.token).toBe('id-cached');
  });

  it('serves an exchanged token from readNow too, with the same key check', async () => {
    const exchange = { audience: 'cluster-a', requestedTokenType: 'id-token' } as const;
    const exchangeRequest = { ...request, loginKey: 'c'.repeat(64), exchange, subjectIsAccessToken: false };
    const deps = (store: SyncStore) => ({
      ...depsOf(store),
      loginToken: () => Promise.reject(new Error('a hit needs no login token')),
      openExchanger: () => Promise.reject(new Error('a hit exchanges nothing')),
    });
    const store = new SyncStore(entry());
    expect((await getExchangedToken(exchangeRequest, deps(store))).token).toBe('id-cached');
    expect(store.reads).toEqual({ now: 1, async: 0 });
    const copied = new SyncStore(entry({ key: 'b'.repeat(64) }));
    await expect(getExchangedToken(exchangeRequest, deps(copied))).rejects.toThrow(
      'a hit needs no login token',
    );
    expect(copied.reads).toEqual({ now: 1, async: 0 });
  });
});
