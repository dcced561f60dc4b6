import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/app-error.js';
import { canonicalKeyMaterial, ciCacheKeyFields } from '../../src/core/cache-key.js';
import type { CiTokenSource } from '../../src/core/ci-token.js';
import { checkCiToken } from '../../src/core/ci-token-check.js';
import { parseCiTokenOptions } from '../../src/flags/ci-token-flags.js';

const now = 1_800_000_000_000;
const jwt = (claims: Record<string, unknown>) =>
  ['{"alg":"RS256"}', JSON.stringify(claims), 'sig']
    .map((part) => Buffer.from(part).toString('base64url'))
    .join('.');
const gitlab: CiTokenSource = { kind: 'gitlab', variable: 'KUBE_TOKEN' };

function failure(run: () => unknown): { code: string; exitCode: number; message: string } {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, exitCode: error.exitCode, message: error.message };
    throw error;
  }
  throw new Error('no error');
}

describe('checkCiToken', () => {
  const check = (token: string) => () => checkCiToken(token, { audience: 'k8s', source: gitlab, nowMs: now });

  it('accepts a JWT for the audience (string or list) that has not expired, with its exp', () => {
    expect(check(jwt({ aud: 'k8s', exp: now / 1000 + 60 }))()).toEqual({
      token: jwt({ aud: 'k8s', exp: now / 1000 + 60 }),
      expiresAt: now + 60_000,
    });
    expect(check(jwt({ aud: ['other', 'k8s'], exp: now / 1000 + 1 }))().expiresAt).toBe(now + 1000);
  });

  it.each([
    ['glpat-123', 'ci-token.not-a-jwt', 2],
    ['a.b.c', 'ci-token.not-a-jwt', 2],
    [jwt({ aud: 'other', exp: now / 1000 + 60 }), 'ci-token.audience', 2],
    [jwt({ exp: now / 1000 + 60 }), 'ci-token.audience', 2],
    [jwt({ aud: 'k8s' }), 'ci-token.no-exp', 2],
    [jwt({ aud: 'k8s', exp: now / 1000 }), 'ci-token.expired', 4],
  ])('refuses %s', (token, code, exitCode) => {
    expect(failure(check(token))).toMatchObject({ code, exitCode });
  });

  it('never puts the token into the message', () => {
    const token = jwt({ aud: 'other', exp: 1 });
    expect(failure(check(token)).message).not.toContain(token);
  });
});

describe('--ci-token-source and --ci-token-audience', () => {
  const expand = (path: string) => path.replace(/^~/, '/home/me');
  it.each([
    ['github-actions', { kind: 'github-actions' }],
    ['gitlab:KUBE_ID_TOKEN', { kind: 'gitlab', variable: 'KUBE_ID_TOKEN' }],
    ['file:~/token', { kind: 'file', path: '/home/me/token' }],
    ['file:C:\\tokens\\t.jwt', { kind: 'file', path: 'C:\\tokens\\t.jwt' }],
  ])('reads %s', (source, expected) => {
    expect(parseCiTokenOptions({ source, audience: 'k8s' }, true, expand).source).toEqual(expected);
  });
  it.each([['jenkins'], ['gitlab:'], ['gitlab:1X'], ['file:']])('refuses %s', (source) => {
    expect(() => parseCiTokenOptions({ source, audience: 'k8s' }, true, expand)).toThrow(
      /--ci-token-source must be/,
    );
  });
  it('requires both only for the ci-token grant', () => {
    expect(parseCiTokenOptions({ source: undefined, audience: undefined }, false, expand)).toEqual({
      source: undefined,
      audience: undefined,
    });
    expect(() =>
      parseCiTokenOptions({ source: 'github-actions', audience: undefined }, true, expand),
    ).toThrow(/needs --ci-token-audience/);
  });
});

describe('the cache key of a CI token', () => {
  it('names the job, never the request token, and leaves the other keys as they were', () => {
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/plans/p1/jobs/j1/idtoken?api-version=2.0',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret-request-token',
    };
    const material = canonicalKeyMaterial(
      ciCacheKeyFields({ source: { kind: 'github-actions' }, audience: 'k8s' }, undefined, env),
    );
    expect(material).toContain(
      '["ci_job","https://pipelines.example/plans/p1/jobs/j1/idtoken?api-version=2.0"]',
    );
    expect(material).toContain('["issuer","ci-token:github-actions"]');
    expect(material).not.toContain('secret-request-token');
    const a = canonicalKeyMaterial(
      ciCacheKeyFields({ source: gitlab, audience: 'k8s' }, undefined, { KUBE_TOKEN: 'a.b.c' }),
    );
    const b = canonicalKeyMaterial(
      ciCacheKeyFields({ source: gitlab, audience: 'k8s' }, undefined, { KUBE_TOKEN: 'd.e.f' }),
    );
    expect(a).not.toBe(b);
    expect(a).not.toContain('a.b.c');
    const file = { kind: 'file', path: '/run/token' } as const;
    const fileKey = (fileToken: string) =>
      canonicalKeyMaterial(ciCacheKeyFields({ source: file, audience: 'k8s', fileToken }, undefined, {}));
    expect(fileKey('a.b.c')).not.toBe(fileKey('d.e.f'));
    expect(fileKey('a.b.c')).not.toContain('a.b.c');
  });
});
