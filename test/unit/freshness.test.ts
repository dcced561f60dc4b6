import { describe, expect, it } from 'vitest';
import { type CacheEntry, entryFormat } from '../../src/core/cache-entry.js';
import { effectiveMarginMs, freshCredential, unknownLifetimeMs } from '../../src/core/freshness.js';

const entry = (fields: Partial<CacheEntry>): CacheEntry => ({
  format: entryFormat,
  issuer: 'https://idp',
  clientId: 'kube',
  obtainedAt: 0,
  ...fields,
});
const hour = 3_600_000;

describe('freshness', () => {
  it.each([
    // [what, entry, useAccessToken, now, expected expirationTimestamp or undefined]
    [
      'valid ID token, far from expiry',
      entry({ idToken: 'id', idTokenExpiresAt: hour }),
      false,
      1000,
      hour - 30_000,
    ],
    ['inside the margin', entry({ idToken: 'id', idTokenExpiresAt: hour }), false, hour - 20_000, undefined],
    [
      'exactly at the margin',
      entry({ idToken: 'id', idTokenExpiresAt: hour }),
      false,
      hour - 30_000,
      undefined,
    ],
    ['expired', entry({ idToken: 'id', idTokenExpiresAt: hour }), false, hour + 1, undefined],
    ['no ID token', entry({ accessToken: 'at', accessTokenExpiresAt: hour }), false, 0, undefined],
    [
      'access token wanted',
      entry({ idToken: 'id', idTokenExpiresAt: hour, accessToken: 'at', accessTokenExpiresAt: hour / 2 }),
      true,
      0,
      hour / 2 - 30_000,
    ],
    ['access token of unknown lifetime', entry({ accessToken: 'at' }), true, 0, unknownLifetimeMs - 30_000],
    [
      'short-lived token uses half its lifetime as margin',
      entry({ idToken: 'id', idTokenExpiresAt: 20_000 }),
      false,
      5_000,
      10_000,
    ],
    [
      'short-lived token past half its lifetime',
      entry({ idToken: 'id', idTokenExpiresAt: 20_000 }),
      false,
      10_000,
      undefined,
    ],
  ])('%s', (_what, cached, useAccessToken, now, expected) => {
    const result = freshCredential(cached, { useAccessToken, marginMs: 30_000, now });
    expect(result?.expirationTimestamp).toBe(expected);
    if (expected !== undefined) expect(result?.token).toBe(useAccessToken ? 'at' : 'id');
  });

  it('treats a missing entry as not fresh', () => {
    expect(freshCredential(undefined, { useAccessToken: false, marginMs: 0, now: 0 })).toBeUndefined();
  });

  it.each([
    [0, hour, 30_000, 30_000],
    [0, 20_000, 30_000, 10_000],
    [0, hour, 0, 0],
    [100, 50, 30_000, 0],
  ])('margin for a token from %i to %i with %i configured is %i', (obtained, expires, margin, expected) => {
    expect(effectiveMarginMs(obtained, expires, margin)).toBe(expected);
  });
});
