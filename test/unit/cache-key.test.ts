import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openExchangeCache, openTokenCache } from '../../src/app/get-token.js';
import {
  type CacheKeyFields,
  cacheEntryFileName,
  cacheKey,
  cacheKeyFields,
  canonicalKeyMaterial,
  exchangeCacheKey,
} from '../../src/core/cache-key.js';
import type { Logger } from '../../src/core/ports.js';
import { parseGetTokenInput } from '../../src/flags/parse-get-token.js';
import { tempDir } from '../rig/plugin.js';

const fields: CacheKeyFields = {
  issuer: 'https://idp.example.com',
  clientId: 'kube',
  extraScopes: ['groups', 'email'],
  grantFamily: 'user',
  username: undefined,
  useAccessToken: false,
  authRequestExtraParams: { ttl: '86400', prompt: 'consent' },
  requestHeaders: {},
  caFingerprint: undefined,
  cacheHint: undefined,
  insecureSkipTlsVerify: false,
};

describe('cache key', () => {
  // Golden values: these bytes are a compatibility contract with existing caches (docs/token-cache.md).
  // Changing them needs a new keyVersion. The hash was checked with `printf '%s' '<canonical form>' | sha256sum`.
  it('has a stable canonical form', () => {
    expect(canonicalKeyMaterial(fields)).toBe(
      '[["v",2],["issuer","https://idp.example.com"],["client_id","kube"],["scopes",["email","groups"]],' +
        '["grant","user"],["username",null],["use_access_token",false],' +
        '["auth_params",[["prompt","consent"],["ttl","86400"]]],["request_headers",[]],["ca",null],["hint",null],' +
        '["insecure_skip_tls_verify",false]]',
    );
  });

  it('has a stable hash and file name', () => {
    expect(cacheKey(fields)).toBe('c9bf9de79d01a91bdc33b5a8b00d7a3c05149f64a7af246846bf370aa6adf9a9');
    expect(cacheEntryFileName(cacheKey(fields))).toBe(
      'together-login-v1-c9bf9de79d01a91bdc33b5a8b00d7a3c05149f64a7af246846bf370aa6adf9a9.json',
    );
  });

  it('ignores the order of scopes, parameters and headers, and duplicate scopes', () => {
    const shuffled = {
      ...fields,
      extraScopes: ['email', 'groups', 'email'],
      authRequestExtraParams: { prompt: 'consent', ttl: '86400' },
    };
    expect(cacheKey(shuffled)).toBe(cacheKey(fields));
  });

  it.each([
    ['issuer', { issuer: 'https://idp.example.com/' }],
    ['client id', { clientId: 'kube2' }],
    ['scopes', { extraScopes: ['email'] }],
    ['grant family', { grantFamily: 'client-credentials' as const }],
    ['access token choice', { useAccessToken: true }],
    ['auth params', { authRequestExtraParams: {} }],
    ['request headers', { requestHeaders: { Origin: 'x' } }],
    ['CA', { caFingerprint: 'ab' }],
    ['hint', { cacheHint: 'work' }],
    ['TLS check', { insecureSkipTlsVerify: true }],
  ])('changes with the %s', (_name, change) => {
    expect(cacheKey({ ...fields, ...change })).not.toBe(cacheKey(fields));
  });

  it('uses the username only for the password grant', () => {
    expect(cacheKey({ ...fields, username: 'alice' })).toBe(cacheKey(fields));
    const password = { ...fields, grantFamily: 'password' as const };
    expect(cacheKey({ ...password, username: 'alice' })).not.toBe(cacheKey({ ...password, username: 'bob' }));
  });
});

describe('the key of a whole run', () => {
  // Keys computed by the code before the decision moved from app/get-token.ts to core/cache-key.ts: existing cache
  // entries must keep hitting, so these stay byte for byte. Each is computed twice, by the pure decision with the
  // CA material handed in, and by the composition root that reads it (openTokenCache).
  const silent: Logger = { debug() {}, info() {}, warn() {} } as unknown as Logger;
  const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;
  const dir = tempDir('cache-key');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pem('file'));
  const caData = Buffer.from(pem('data')).toString('base64');
  const base = [
    '--oidc-issuer-url=https://idp.example.com',
    '--oidc-client-id=kube',
    '--token-cache-storage=none',
  ];
  const github = {
    ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/jobs/j1/idtoken',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret',
  };
  const ci = ['--grant-type=ci-token', '--ci-token-audience=k8s'];
  it.each<[string, string[], Record<string, string>, string | undefined, string]>([
    [
      'browser',
      ['--oidc-extra-scope=groups,email', '--oidc-auth-request-extra-params=prompt=consent'],
      {},
      undefined,
      '7746614b9ea2e7e02d50655bebee900ddaf05fc785d9263f9761b16b8f3c1a2f',
    ],
    [
      'auto with a username',
      ['--username=alice'],
      {},
      undefined,
      '4e24785ed1955ad1e64a0f49dce71329fa867408066e5fae32665c1fbef45b8f',
    ],
    [
      'password',
      ['--grant-type=password', '--username=bob'],
      {},
      undefined,
      'f3e5989ff74a11fb46ec44057fa3861302c42f3ba2c1dee075c1700c97787c73',
    ],
    [
      'client credentials',
      ['--grant-type=client-credentials', '--oidc-client-secret=s'],
      {},
      undefined,
      '821ed920e8e8ac9809538e804cc3aadc957a20114687bd82676561a0096b8345',
    ],
    [
      'device code, access token, header, hint, no TLS check',
      [
        '--grant-type=device-code',
        '--oidc-use-access-token',
        '--oidc-request-header=Origin=x',
        '--token-cache-hint=work',
        '--insecure-skip-tls-verify',
      ],
      {},
      undefined,
      '05cd69249ca8ecb7260c5d59a1f2d815fc48a043ce3fbf64879fd116f74fb541',
    ],
    [
      'CA file and data',
      [`--certificate-authority=${caFile}`, `--certificate-authority-data=${caData}`],
      {},
      undefined,
      'cf8de8702fa9e7cf5f8d7e78f476d5da44e1f8b0cb4b95be87f9dd258aac8ae6',
    ],
    [
      'ci-token from GitHub Actions',
      [...ci, '--ci-token-source=github-actions'],
      github,
      undefined,
      '05d0eed36497704911239d6b2256a041b128b7b5add7061a04bda9dd4d496cbf',
    ],
    [
      'ci-token from a GitLab variable',
      [...ci, '--ci-token-source=gitlab:KUBE_TOKEN', '--token-cache-hint=h'],
      { KUBE_TOKEN: 'a.b.c' },
      undefined,
      'f6d5ff1b7bcab68333d78ae32f1ba583d4852d1a90538ae23f9deb3b6dc22353',
    ],
    [
      'ci-token from a file',
      [...ci, '--ci-token-source=file:/run/token'],
      {},
      'd.e.f',
      '65c7f29fcea1c0f89e629fe4725e0297860248f455cc7bc78d4ef85c8f694b66',
    ],
  ])('stays what it was: %s', async (_name, args, env, ciFileToken, expected) => {
    const input = parseGetTokenInput([...base, ...args], { env, homeDir: '/home/u' });
    const certificateAuthorities = () => [pem('file'), pem('data')];
    expect(cacheKey(cacheKeyFields(input, { env, ciFileToken, certificateAuthorities }))).toBe(expected);
    expect((await openTokenCache(input, env, silent, ciFileToken)).key).toBe(expected);
  });

  it('stays what it was for an exchanged token', async () => {
    const input = parseGetTokenInput([...base, '--token-exchange-audience=cluster-a'], {
      env: {},
      homeDir: '/home/u',
    });
    const loginKey = '844751b384ce8506524db95289d4cba4d252efe2ca1ba492159053acc190a26d';
    expect((await openTokenCache(input, {}, silent)).key).toBe(loginKey);
    const exchange = input.tokenExchange ?? expect.fail('an exchange');
    const expected = 'ce32d124c478b490e6d9013e21eb62461025a52f1a649b1ba3c2860aea31d1d5';
    expect(exchangeCacheKey(loginKey, exchange)).toBe(expected);
    expect((await openExchangeCache(input, loginKey, exchange, {}, silent)).key).toBe(expected);
  });

  it('reads the CA material only when the settings give some', () => {
    const input = parseGetTokenInput(base, { env: {}, homeDir: '/home/u' });
    const unread = () => expect.fail('the CA material was read');
    expect(cacheKeyFields(input, { env: {}, certificateAuthorities: unread }).caFingerprint).toBeUndefined();
  });
});
