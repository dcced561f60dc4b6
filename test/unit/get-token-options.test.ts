import { describe, expect, it } from 'vitest';
import { parseDurationSec } from '../../src/flags/flag-values.js';
import { parseGetTokenInput } from '../../src/flags/parse-get-token.js';

const base = ['--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=kube'];
const environment = { env: {}, homeDir: '/home/u' };
const parse = (args: string[], env: Record<string, string> = {}) =>
  parseGetTokenInput([...base, ...args], { env, homeDir: '/home/u' });

describe('get-token flags', () => {
  it('applies the defaults of int128/kubelogin', () => {
    const input = parse([]);
    expect(input).toMatchObject({
      issuerUrl: 'https://idp.example.com',
      clientId: 'kube',
      clientSecret: undefined,
      extraScopes: [],
      pkceMethod: 'auto',
      grantType: 'auto',
      listenAddresses: ['127.0.0.1:8000', '127.0.0.1:18000'],
      authenticationTimeoutSec: 180,
      tokenCacheDir: '/home/u/.kube/cache/oidc-login',
      tokenCacheStorage: 'disk',
      redirectUrlHostname: 'localhost',
      expiryMarginSec: 30,
      verbosity: 0,
    });
  });

  it.each([
    [
      ['--oidc-extra-scope=email', '--oidc-extra-scope', 'groups,profile'],
      'extraScopes',
      ['email', 'groups', 'profile'],
    ],
    [
      ['--oidc-auth-request-extra-params=prompt=consent,ttl=86400'],
      'authRequestExtraParams',
      { prompt: 'consent', ttl: '86400' },
    ],
    [['--oidc-request-header=Origin=https://a'], 'requestHeaders', { Origin: 'https://a' }],
    [
      ['--listen-address=127.0.0.1:9000', '--listen-address=127.0.0.1:9001'],
      'listenAddresses',
      ['127.0.0.1:9000', '127.0.0.1:9001'],
    ],
    [['--listen-port=9000'], 'listenAddresses', ['127.0.0.1:9000']],
    [['--oidc-use-pkce'], 'pkceMethod', 'S256'],
    [['--oidc-pkce-method=no'], 'pkceMethod', 'no'],
    [['--skip-open-browser'], 'skipOpenBrowser', true],
    [['--skip-open-browser=false'], 'skipOpenBrowser', false],
    [['--authentication-timeout-sec', '60'], 'authenticationTimeoutSec', 60],
    [['--token-cache-dir=~/cache'], 'tokenCacheDir', '/home/u/cache'],
    [['--token-cache-storage=none'], 'tokenCacheStorage', 'none'],
    [['--token-expiry-margin=2m'], 'expiryMarginSec', 120],
    [['--token-expiry-margin=0'], 'expiryMarginSec', 0],
    [['-v'], 'verbosity', 1],
    [['-v=3'], 'verbosity', 3],
    [['-v3'], 'verbosity', 3],
    [['-v', '4'], 'verbosity', 4],
    [['--v=2'], 'verbosity', 2],
    [
      ['--certificate-authority=~/ca.pem', '--certificate-authority=/b.pem'],
      'certificateAuthorityFiles',
      ['/home/u/ca.pem', '/b.pem'],
    ],
    [['--local-server-cert=~/c', '--local-server-key=~/k'], 'localServerCert', '/home/u/c'],
  ])('%j sets %s', (args, field, expected) => {
    expect(parse(args)[field as keyof ReturnType<typeof parse>]).toEqual(expected);
  });

  it('takes the client secret from OIDC_CLIENT_SECRET when the flag is absent', () => {
    expect(parse([], { OIDC_CLIENT_SECRET: 's3' }).clientSecret).toBe('s3');
    expect(parse(['--oidc-client-secret=flag'], { OIDC_CLIENT_SECRET: 'env' }).clientSecret).toBe('flag');
  });

  it.each([
    [['--oidc-pkce-method=S256'], undefined],
    [['--oidc-use-pkce'], undefined],
    [['--oidc-pkce-method=S256', '--oidc-client-secret=flag'], 'flag'],
    [['--oidc-pkce-method=auto'], 'env'],
    [['--oidc-pkce-method=no'], 'env'],
  ])('under %j takes %s as the client secret (env held back under explicit S256)', (args, secret) => {
    expect(parse(args, { OIDC_CLIENT_SECRET: 'env' }).clientSecret).toBe(secret);
  });

  it.each([
    [['--oidc-pkce-method=S256'], 'env'],
    [['--oidc-use-pkce'], 'env'],
    [['--oidc-pkce-method=S256', '--oidc-client-secret=flag'], undefined],
    [['--oidc-pkce-method=auto'], undefined],
  ])('under %j holds back %s until the provider asks for client authentication', (args, held) => {
    expect(parse(args, { OIDC_CLIENT_SECRET: 'env' }).clientSecretIfAsked).toBe(held);
  });

  it('puts the cache under $KUBECACHEDIR when set', () => {
    expect(parse([], { KUBECACHEDIR: '/var/kc' }).tokenCacheDir).toBe('/var/kc/oidc-login');
  });

  it.each([
    [[], 'oidc-issuer-url is required', []],
    [['--oidc-issuer-url=https://a'], 'oidc-client-id is required', []],
    [['--oidc-issuer-url=idp.example.com', '--oidc-client-id=k'], 'must be an http(s) URL', []],
    [[...base, '--nope'], 'unknown flag: --nope', []],
    [[...base, '--grant-type=magic'], '--grant-type must be one of', []],
    [[...base, '--oidc-pkce-method=plain'], '--oidc-pkce-method must be one of', []],
    [[...base, '--skip-open-browser=maybe'], 'takes true or false', []],
    [[...base, '--authentication-timeout-sec=soon'], 'takes a whole number', []],
    [[...base, '--authentication-timeout-sec=0'], 'must be positive', []],
    [[...base, '--oidc-auth-request-extra-params=novalue'], 'takes key=value pairs', []],
    [[...base, '--local-server-cert=c'], 'go together', []],
    [[...base, '--token-expiry-margin=soon'], 'takes a duration', []],
    [[...base, 'extra'], 'unexpected argument', []],
    [[...base, '--oidc-client-id'], 'needs a value', []],
  ])('rejects %j with a usage error', (args, message) => {
    let caught: unknown;
    try {
      parseGetTokenInput(args, environment);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ exitCode: 2 });
    expect((caught as Error).message).toContain(message);
  });

  it.each([
    ['45', 45],
    ['45s', 45],
    ['1m30s', 90],
    ['1h', 3600],
  ])('reads the duration %s', (raw, seconds) => {
    expect(parseDurationSec(raw, 'x')).toBe(seconds);
  });
});

describe('--token-exchange-audience and --token-exchange-requested-token-type', () => {
  it('no audience: no exchange; an audience: the ID token type unless chosen', () => {
    expect(parse([]).tokenExchange).toBe(undefined);
    expect(parse(['--token-exchange-requested-token-type=jwt']).tokenExchange).toBe(undefined);
    expect(parse(['--token-exchange-audience=https://k8s-a.example']).tokenExchange).toEqual({
      audience: 'https://k8s-a.example',
      requestedTokenType: 'id-token',
    });
    expect(
      parse(['--token-exchange-audience=a', '--token-exchange-requested-token-type=access-token'])
        .tokenExchange,
    ).toEqual({ audience: 'a', requestedTokenType: 'access-token' });
  });

  it.each([
    [['--token-exchange-audience=a', '--token-exchange-requested-token-type=saml'], /must be one of/],
    [['--token-exchange-audience=a\tb'], /must be an audience/],
    [[`--token-exchange-audience=${'a'.repeat(513)}`], /at most 512 characters/],
    [
      [
        '--token-exchange-audience=a',
        '--grant-type=ci-token',
        '--ci-token-source=github-actions',
        '--ci-token-audience=x',
      ],
      /does not go with --grant-type=ci-token/,
    ],
  ])('%j is a usage error', (args, message) => {
    expect(() => parse(args)).toThrow(message);
  });
});
