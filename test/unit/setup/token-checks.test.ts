import { describe, expect, it } from 'vitest';
import { checkRefresh, checkTokens } from '../../../src/core/setup/token-checks.js';

describe('setup checks', () => {
  const settings = { usernameClaim: 'email', groupsClaim: 'groups', extraScopes: [] as string[] };
  const now = 1_000_000;
  it.each([
    [
      'a good token',
      { email: 'a@b.c', email_verified: true, groups: ['g'], iat: now, exp: now + 3600 },
      true,
      {},
      ['passed'],
    ],
    ['no refresh token', { email: 'a@b.c', iat: now, exp: now + 3600 }, false, {}, ['warning']],
    ['a skewed clock', { email: 'a@b.c', iat: now - 600, exp: now + 3000 }, true, {}, ['warning']],
    ['a 60 s token', { email: 'a@b.c', iat: now, exp: now + 60 }, true, {}, ['warning']],
    ['no email claim', { sub: 's', iat: now, exp: now + 3600 }, true, {}, ['failed']],
    [
      'an unverified email',
      { email: 'a@b.c', email_verified: false, iat: now, exp: now + 3600 },
      true,
      {},
      ['failed'],
    ],
    ['no groups claim', { email: 'a@b.c', iat: now, exp: now + 3600 }, true, {}, ['warning']],
  ])('tokens: %s', (_case, claims, refreshToken, change, worst) => {
    const checks = checkTokens(claims, { refreshToken }, { ...settings, ...change }, now);
    const statuses = new Set(checks.map((check) => check.status));
    const worstStatus = statuses.has('failed') ? 'failed' : statuses.has('warning') ? 'warning' : 'passed';
    expect([worstStatus]).toEqual(worst);
  });

  it.each([
    [[], {}, 'add --oidc-extra-scope=offline_access (most providers issue refresh tokens only then)'],
    [
      ['offline_access'],
      {},
      'add --oidc-auth-request-extra-params=prompt=consent (some providers grant offline_access only with a consent prompt), else allow refresh tokens for this client at the provider',
    ],
    [['offline_access'], { prompt: 'consent' }, 'allow refresh tokens for this client at the provider'],
    [['offline_access'], { prompt: 'login consent' }, 'allow refresh tokens for this client at the provider'],
  ] as [string[], Record<string, string>, string][])(
    'no refresh token with scopes %j and extra params %j: %s',
    (extraScopes, authRequestExtraParams, fix) => {
      const check = checkTokens(
        { email: 'a' },
        { refreshToken: false },
        { ...settings, extraScopes, authRequestExtraParams },
        now,
      ).find((c) => c.step === 'refresh token');
      expect(check?.fix).toBe(fix);
    },
  );
});

describe("setup's refresh check, from one real refresh", () => {
  it.each([
    [undefined, false, 'passed', 'issued (not tried)'],
    [{ kind: 'id-token' } as const, false, 'passed', 'a new ID token came back'],
    [{ kind: 'no-id-token' } as const, false, 'warning', 'every expiry means a new login'],
    [{ kind: 'no-id-token' } as const, true, 'passed', 'a new access token came back'],
    [
      { kind: 'refused', detail: 'invalid_grant: no' } as const,
      false,
      'failed',
      'refused when used: invalid_grant: no',
    ],
  ])('%j (access-token mode %s) → %s', (outcome, useAccessToken, status, words) => {
    const check = checkRefresh(outcome, useAccessToken);
    expect(check.status).toBe(status);
    expect(check.detail).toContain(words);
  });
});
