/**
 * Whatever a cache file holds (anyone who could write it chose its bytes), what the cache hit serves from it was
 * validated: an entry parses into typed fields whose times a date can hold, or is refused with CacheEntryError; a
 * parsed entry is served only for the issuer and client it records, and what is served always renders.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CacheEntry,
  CacheEntryError,
  entryFormat,
  parseCacheEntry,
} from '../../src/core/cache-entry.js';
import { getToken } from '../../src/core/get-token-use-case.js';
import { renderExecCredential } from '../../src/kube/exec-credential.js';
import { FakeProvider, ManualClock, MemoryLogger, MemoryStore, noLock } from './fakes.js';

const now = 1_795_000_000_000;
const time = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 53 - 1 }),
  fc.double(),
  fc.constantFrom(now + 3_600_000, 8.64e15, 8.64e15 + 1, 1e16, -1, Number.MAX_VALUE),
);
const ourKey = 'a'.repeat(64);
const otherKey = 'b'.repeat(64);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** Mostly well-formed entries with hostile values, and arbitrary JSON and bytes. */
const fileText = fc.oneof(
  fc
    .record({
      format: fc.oneof(fc.constant(entryFormat), fc.string()),
      issuer: fc.oneof(fc.constantFrom('https://idp', 'https://other'), fc.string(), fc.integer()),
      clientId: fc.oneof(fc.constantFrom('kube', 'other'), fc.string(), fc.constant(null)),
      key: maybe(fc.oneof(fc.constantFrom(ourKey, otherKey), fc.string(), fc.integer())),
      obtainedAt: time,
      idToken: maybe(fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
      idTokenExpiresAt: maybe(time),
      accessToken: maybe(fc.string()),
      accessTokenExpiresAt: maybe(time),
      refreshToken: maybe(fc.oneof(fc.string(), fc.array(fc.string()))),
    })
    .map((doc) => JSON.stringify(doc)),
  fc.json(),
  fc.string({ unit: 'binary' }),
);

function parsed(text: string): CacheEntry | CacheEntryError {
  try {
    return parseCacheEntry(text);
  } catch (error) {
    if (error instanceof CacheEntryError) return error;
    throw error;
  }
}

describe('cache entry files of any content', () => {
  it('parse into validated fields or a CacheEntryError, never anything else', () => {
    fc.assert(
      fc.property(fileText, (text) => {
        const entry = parsed(text);
        if (entry instanceof CacheEntryError) return;
        expect(entry.format).toBe(entryFormat);
        expect(typeof entry.issuer).toBe('string');
        expect(typeof entry.clientId).toBe('string');
        for (const field of ['key', 'idToken', 'accessToken', 'refreshToken'] as const) {
          expect(['string', 'undefined']).toContain(typeof entry[field]);
        }
        for (const field of ['obtainedAt', 'idTokenExpiresAt', 'accessTokenExpiresAt'] as const) {
          const value = entry[field];
          if (value !== undefined) expect(Number.isNaN(new Date(value).getTime())).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('are served only for the key, issuer and client they record, and what is served renders', async () => {
    await fc.assert(
      fc.asyncProperty(fileText, fc.boolean(), async (text, useAccessToken) => {
        const entry = parsed(text);
        if (entry instanceof CacheEntryError) return;
        const clock = new ManualClock(now);
        const provider = new FakeProvider(clock);
        const refreshAttempts: string[] = [];
        const request = {
          key: ourKey,
          issuer: 'https://idp',
          clientId: 'kube',
          useAccessToken,
          forceRefresh: false,
          marginMs: 30_000,
        };
        const credential = await getToken(request, {
          store: new MemoryStore(entry),
          clock,
          logger: new MemoryLogger(),
          openSession: async () => ({
            lock: noLock,
            authenticator: {
              login: () => provider.login(),
              refresh: (refreshToken: string) => {
                refreshAttempts.push(refreshToken);
                return provider.refresh(refreshToken);
              },
            },
          }),
        });
        const servedFromFile = provider.logins === 0 && refreshAttempts.length === 0;
        if (servedFromFile) {
          expect([entry.key, entry.issuer, entry.clientId]).toEqual([ourKey, 'https://idp', 'kube']);
          expect(credential.token).toBe(useAccessToken ? entry.accessToken : entry.idToken);
        }
        // A refresh token recorded for another key, issuer or client is never sent to this one.
        if (refreshAttempts.length > 0)
          expect([entry.key, entry.issuer, entry.clientId]).toEqual([ourKey, 'https://idp', 'kube']);
        expect(() =>
          renderExecCredential(
            'client.authentication.k8s.io/v1',
            credential.token,
            credential.expirationTimestamp,
          ),
        ).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
