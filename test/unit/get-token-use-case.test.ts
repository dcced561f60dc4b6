import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { getToken } from '../../src/core/get-token-use-case.js';
import { ExitCode } from '../../src/error-codes.js';
import { FakeProvider, ManualClock, MemoryLogger, MemoryStore, noLock, request } from './fakes.js';

function cached(store: MemoryStore) {
  if (!store.entry) throw new Error('the store is empty');
  return store.entry;
}

function setup() {
  const clock = new ManualClock();
  const provider = new FakeProvider(clock);
  const store = new MemoryStore();
  let sessionsOpened = 0;
  const deps = {
    store,
    clock,
    logger: new MemoryLogger(),
    openSession: async () => {
      sessionsOpened++;
      return { lock: noLock, authenticator: provider };
    },
  };
  return { clock, provider, store, deps, sessions: () => sessionsOpened };
}

describe('getToken', () => {
  it('logs in on an empty cache, then answers from the cache without loading the login machinery', async () => {
    const { provider, store, deps, sessions } = setup();
    const first = await getToken(request, deps);
    expect(first.token).toBe('id-1');
    expect(provider.logins).toBe(1);
    expect(store.entry?.refreshToken).toBe('refresh-1');
    const second = await getToken(request, deps);
    expect(second).toEqual(first);
    expect(sessions()).toBe(1);
  });

  it('neither serves nor refreshes an entry written without its key (an older version) or under another key', async () => {
    for (const key of [undefined, 'b'.repeat(64)]) {
      const { provider, store, deps } = setup();
      await getToken(request, deps);
      store.entry = { ...cached(store), key };
      const result = await getToken(request, deps);
      expect(result.token).toBe('id-2');
      expect(provider).toMatchObject({ logins: 2, refreshes: 0 });
      expect(cached(store).key).toBe(request.key);
    }
  });

  it('refreshes an expired token and keeps the rotated refresh token', async () => {
    const { clock, provider, store, deps } = setup();
    await getToken(request, deps);
    clock.time += 3_600_000;
    const refreshed = await getToken(request, deps);
    expect(refreshed.token).toBe('id-2');
    expect(provider).toMatchObject({ logins: 1, refreshes: 1 });
    expect(store.entry?.refreshToken).toBe('refresh-2');
  });

  it('drops a rejected refresh token and logs in again', async () => {
    const { clock, provider, store, deps } = setup();
    await getToken(request, deps);
    store.entry = { ...cached(store), refreshToken: 'revoked' };
    clock.time += 3_600_000;
    const result = await getToken(request, deps);
    expect(provider).toMatchObject({ logins: 2, refreshes: 0 });
    expect(result.token).toBe('id-2');
    expect(deps.logger.lines).toContain(
      'The identity provider refused the refresh token (invalid_grant); logging in again.',
    );
  });

  it('forgets a rejected refresh token even when the following login fails', async () => {
    const { clock, provider, store, deps } = setup();
    await getToken(request, deps);
    store.entry = { ...cached(store), refreshToken: 'revoked' };
    clock.time += 3_600_000;
    provider.login = async () => {
      throw new AppError('auth.timeout', 'no login');
    };
    await expect(getToken(request, deps)).rejects.toMatchObject({ exitCode: ExitCode.authentication });
    expect(store.entry?.refreshToken).toBeUndefined();
    expect(store.entry?.idToken).toBe('id-1');
  });

  it('does not start a login when the refresh fails for another reason, and keeps the entry', async () => {
    const { clock, provider, store, deps } = setup();
    await getToken(request, deps);
    const before = store.entry;
    clock.time += 3_600_000;
    provider.refreshFailure = new AppError('provider.unreachable', 'down');
    await expect(getToken(request, deps)).rejects.toMatchObject({ exitCode: ExitCode.provider });
    expect(provider.logins).toBe(1);
    expect(store.entry).toBe(before);
  });

  it('logs in when a refresh answers without an ID token', async () => {
    const { clock, provider, deps } = setup();
    await getToken(request, deps);
    clock.time += 3_600_000;
    provider.omitIdTokenOnRefresh = true;
    const result = await getToken(request, deps);
    expect(provider).toMatchObject({ logins: 2, refreshes: 1 });
    expect(result.token).toBe('id-3');
  });

  it('uses the access token when asked', async () => {
    const { deps } = setup();
    expect((await getToken({ ...request, useAccessToken: true }, deps)).token).toBe('access-1');
  });

  it('refreshes a valid token when forced', async () => {
    const { provider, deps } = setup();
    await getToken(request, deps);
    const forced = await getToken({ ...request, forceRefresh: true }, deps);
    expect(forced.token).toBe('id-2');
    expect(provider.refreshes).toBe(1);
  });

  it('reuses what another process wrote while this one waited for the lock', async () => {
    const { provider, store, deps } = setup();
    const other = setup();
    await getToken(request, other.deps);
    // The first read misses; by the time the lock is held, the other process has written its entry.
    let reads = 0;
    store.read = async () => (reads++ === 0 ? undefined : other.store.entry);
    const result = await getToken(request, deps);
    expect(result.token).toBe('id-1');
    expect(provider.logins).toBe(0);
  });

  it('rejects a provider answer without the token kubectl needs', async () => {
    const { provider, store, deps } = setup();
    provider.login = async () => ({
      idToken: undefined,
      idTokenExpiresAt: undefined,
      accessToken: 'a',
      accessTokenExpiresAt: 1e13,
      refreshToken: undefined,
    });
    await expect(getToken(request, deps)).rejects.toThrow('answered without an ID token');
    expect(store.writes).toBe(0);
  });
});
