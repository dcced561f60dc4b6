import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { getToken, maxTokenLifetimeMs } from '../../src/core/get-token-use-case.js';
import { FakeProvider, ManualClock, MemoryLogger, MemoryStore, noLock, request } from './fakes.js';

const diskFull = new AppError('cache.write', 'cannot write the token cache in /c: ENOSPC');

function setup(lifetimeMs?: number) {
  const clock = new ManualClock();
  const provider = new FakeProvider(clock, lifetimeMs);
  const store = new MemoryStore();
  const logger = new MemoryLogger();
  const deps = {
    store,
    clock,
    logger,
    openSession: async () => ({ lock: noLock, authenticator: provider }),
  };
  return { clock, provider, store, logger, deps };
}

describe('getToken when the cache cannot be written', () => {
  it('hands out the refreshed token and removes the entry whose refresh token was rotated away', async () => {
    const { clock, store, logger, deps } = setup();
    await getToken(request, deps);
    clock.time += 3_600_000;
    store.writeFailure = diskFull;
    const refreshed = await getToken(request, deps);
    expect(refreshed.token).toBe('id-2');
    expect(store.entry).toBeUndefined();
    expect(logger.lines).toContainEqual(
      expect.stringMatching(/^warning: the token was not cached .*was removed/),
    );
  });

  it('hands out a login token and keeps nothing else when there was no entry', async () => {
    const { store, logger, deps } = setup();
    store.writeFailure = diskFull;
    expect((await getToken(request, deps)).token).toBe('id-1');
    expect(logger.lines).toContainEqual(expect.stringMatching(/^warning: the token was not cached \(/));
  });

  it('still fails on anything but a cache error', async () => {
    const { store, deps } = setup();
    store.writeFailure = new Error('a bug');
    await expect(getToken(request, deps)).rejects.toThrow('a bug');
  });
});

describe('getToken with absurd lifetimes', () => {
  it('caps the expiry at a year, with a warning', async () => {
    const { clock, store, logger, deps } = setup(1e16);
    const credential = await getToken(request, deps);
    expect(store.entry?.idTokenExpiresAt).toBe(clock.time + maxTokenLifetimeMs);
    expect(new Date(credential.expirationTimestamp).toISOString()).toBeTruthy();
    expect(logger.lines).toContainEqual(expect.stringContaining('treating it as valid for at most a year'));
  });
});

describe('getToken after losing its lock', () => {
  it("takes the new holder's entry only when it records this issuer and client", async () => {
    const { clock, provider, store, logger, deps } = setup();
    const foreign = {
      format: 'together-login/token-cache/v1' as const,
      issuer: 'https://elsewhere',
      clientId: 'kube',
      obtainedAt: clock.time,
      idToken: 'foreign-id',
      idTokenExpiresAt: clock.time + 3_600_000,
    };
    const lostLock = {
      withLock: <T>(work: (lease: { lost(): boolean }) => Promise<T>) => {
        // Another process took over and (supposedly) wrote its entry: a foreign one.
        store.entry = foreign;
        return work({ lost: () => true });
      },
    };
    const credential = await getToken(request, {
      ...deps,
      openSession: async () => ({ lock: lostLock, authenticator: provider }),
    });
    expect(credential.token).toBe('id-1');
    expect(logger.lines).toContainEqual(expect.stringContaining('recorded for issuer "https://elsewhere"'));
  });
});
