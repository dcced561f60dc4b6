import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { exchangeCacheKey } from '../../src/core/cache-key.js';
import { getToken } from '../../src/core/get-token-use-case.js';
import type { TokenExchanger } from '../../src/core/ports.js';
import { type ExchangeRequest, getExchangedToken } from '../../src/core/token-exchange.js';
import { FakeProvider, ManualClock, MemoryLogger, MemoryStore, noLock, request } from './fakes.js';

const exchange = { audience: 'cluster-a', requestedTokenType: 'id-token' } as const;
const exchangeRequest: ExchangeRequest = {
  key: exchangeCacheKey(request.key, exchange),
  loginKey: request.key,
  issuer: request.issuer,
  clientId: request.clientId,
  exchange,
  subjectIsAccessToken: false,
  forceRefresh: false,
  marginMs: 30_000,
};

/** The login of getToken (FakeProvider) under a token exchange that issues `<audience>:<subject>` for 5 minutes. */
function setup() {
  const clock = new ManualClock();
  const provider = new FakeProvider(clock);
  const loginStore = new MemoryStore();
  const store = new MemoryStore();
  const logger = new MemoryLogger();
  const subjects: string[] = [];
  let failure: Error | undefined;
  const exchanger: TokenExchanger = {
    exchange: async (subject, _isAccess, settings) => {
      if (failure) throw failure;
      subjects.push(subject);
      return { token: `${settings.audience}:${subject}`, expiresAt: clock.now() + 300_000 };
    },
  };
  const deps = {
    store,
    clock,
    logger,
    loginToken: () =>
      getToken(request, {
        store: loginStore,
        clock,
        logger,
        openSession: async () => ({ lock: noLock, authenticator: provider }),
      }),
    openExchanger: async () => exchanger,
  };
  return { clock, provider, store, loginStore, deps, subjects, fail: (error: Error) => (failure = error) };
}

describe('getExchangedToken', () => {
  it('exchanges the login token once, then answers from its own entry without the login or the exchanger', async () => {
    const { provider, store, deps, subjects } = setup();
    const first = await getExchangedToken(exchangeRequest, deps);
    expect(first.token).toBe('cluster-a:id-1');
    expect(store.entry).toMatchObject({
      key: exchangeRequest.key,
      loginKey: request.key,
      audience: 'cluster-a',
      idToken: 'cluster-a:id-1',
    });
    const hit = await getExchangedToken(exchangeRequest, {
      ...deps,
      loginToken: () => Promise.reject(new Error('the login was asked')),
      openExchanger: () => Promise.reject(new Error('the exchanger was loaded')),
    });
    expect(hit).toEqual(first);
    expect(provider.logins).toBe(1);
    expect(subjects).toEqual(['id-1']);
  });

  it('an expired exchanged token is exchanged again from the cached login; an expired login is refreshed first, no new login', async () => {
    const { clock, provider, deps, subjects } = setup();
    await getExchangedToken(exchangeRequest, deps);
    clock.time += 300_000;
    expect((await getExchangedToken(exchangeRequest, deps)).token).toBe('cluster-a:id-1');
    clock.time += 3_600_000;
    expect((await getExchangedToken(exchangeRequest, deps)).token).toBe('cluster-a:id-2');
    expect(subjects).toEqual(['id-1', 'id-1', 'id-2']);
    expect(provider.logins).toBe(1);
    expect(provider.refreshes).toBe(1);
  });

  it('an entry of another key (a copied file) or another client is a miss, never served', async () => {
    const { store, deps, subjects } = setup();
    await getExchangedToken(exchangeRequest, deps);
    const written = store.entry;
    const other = {
      ...exchangeRequest,
      key: exchangeCacheKey(request.key, { ...exchange, audience: 'cluster-b' }),
    };
    expect((await getExchangedToken(other, deps)).token).toBe('cluster-a:id-1');
    expect(subjects).toHaveLength(2);
    store.entry = written && { ...written, clientId: 'another' };
    await getExchangedToken(exchangeRequest, deps);
    expect(subjects).toHaveLength(3);
    // Said as for a login's entry (core/cached-token.ts), not passed over in silence.
    expect((deps.logger as MemoryLogger).lines).toContainEqual(
      expect.stringMatching(/^warning: ignoring the cached entry: it was written for other settings/),
    );
  });

  it("a failed exchange fails the call: the login's token is never handed over instead", async () => {
    const { deps, fail, loginStore } = setup();
    fail(new AppError('exchange.audience-refused', 'refused'));
    await expect(getExchangedToken(exchangeRequest, deps)).rejects.toThrow('refused');
    expect(loginStore.entry?.idToken).toBe('id-1');
  });

  it('a failed write of the exchanged entry still hands the token over, with a warning', async () => {
    const { store, deps } = setup();
    store.writeFailure = new AppError('cache.write', 'disk full');
    expect((await getExchangedToken(exchangeRequest, deps)).token).toBe('cluster-a:id-1');
    expect((deps.logger as MemoryLogger).lines).toContain(
      'warning: the exchanged token was not cached (disk full)',
    );
  });
});

describe('exchangeCacheKey', () => {
  it('is its own key per login, audience and token type', () => {
    const keys = new Set([
      exchangeCacheKey('a'.repeat(64), exchange),
      exchangeCacheKey('b'.repeat(64), exchange),
      exchangeCacheKey('a'.repeat(64), { ...exchange, audience: 'cluster-b' }),
      exchangeCacheKey('a'.repeat(64), { ...exchange, requestedTokenType: 'jwt' }),
      'a'.repeat(64),
    ]);
    expect(keys.size).toBe(5);
    // docs/token-cache.md shows this one.
    expect(
      exchangeCacheKey('c9bf9de79d01a91bdc33b5a8b00d7a3c05149f64a7af246846bf370aa6adf9a9', exchange),
    ).toBe('9f0e5d3276e3811a6461e39c72f71580441578be8f8035b49f996219de169976');
  });
});
