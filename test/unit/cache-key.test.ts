import { describe, expect, it } from 'vitest';
import {
  type CacheKeyFields,
  cacheEntryFileName,
  cacheKey,
  canonicalKeyMaterial,
} from '../../src/core/cache-key.js';

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
