import { describe, expect, it } from 'vitest';
import {
  checkDiscovery,
  checkIssuerScheme,
  checkRefresh,
  checkTokens,
  kubeconfigExec,
  renderRbacCommands,
  renderSetCredentials,
} from '../../src/core/setup-report.js';

const full = {
  issuer: 'https://idp',
  authorization_endpoint: 'https://idp/auth',
  token_endpoint: 'https://idp/token',
  jwks_uri: 'https://idp/jwks',
  device_authorization_endpoint: 'https://idp/device',
  code_challenge_methods_supported: ['S256'],
};
const statusOf = (checks: { step: string; status: string }[], step: string) =>
  checks.find((check) => check.step === step)?.status;

describe('setup checks', () => {
  it.each([
    [
      'everything for the browser flow',
      full,
      'authcode',
      { endpoints: 'passed', PKCE: 'passed', 'grant types': 'passed' },
    ],
    [
      'no S256 advertised',
      { ...full, code_challenge_methods_supported: undefined },
      'authcode',
      { PKCE: 'warning' },
    ],
    [
      'device flow without its endpoint',
      { ...full, device_authorization_endpoint: undefined },
      'device-code',
      { endpoints: 'failed' },
    ],
    [
      'grant not listed',
      { ...full, grant_types_supported: ['authorization_code'] },
      'password',
      { 'grant types': 'failed' },
    ],
    [
      'grant listed',
      { ...full, grant_types_supported: ['authorization_code'] },
      'authcode',
      { 'grant types': 'passed' },
    ],
  ] as const)('discovery: %s', (_case, metadata, flow, expected) => {
    const checks = checkDiscovery(metadata, flow, 'auto');
    for (const [step, status] of Object.entries(expected)) expect(statusOf(checks, step), step).toBe(status);
  });

  it.each([
    ['auto', ['S256'], 'passed', 'S256 advertised'],
    ['auto', undefined, 'warning', 'PKCE stays off by default'],
    ['S256', undefined, 'passed', 'S256 (--oidc-pkce-method=S256), sent though'],
    ['S256', ['S256'], 'passed', 'S256 advertised'],
    ['no', ['S256'], 'warning', 'off (--oidc-pkce-method=no), though the provider advertises S256'],
    ['no', undefined, 'passed', 'off (--oidc-pkce-method=no)'],
  ] as const)(
    'the PKCE line says what the login used: %s with %j advertised',
    (pkce, methods, status, detail) => {
      const check = checkDiscovery(
        { ...full, code_challenge_methods_supported: methods },
        'authcode',
        pkce,
      ).find((c) => c.step === 'PKCE');
      expect(check?.status).toBe(status);
      expect(check?.detail).toContain(detail);
    },
  );

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

  it('picks the interactive mode the flow needs', () => {
    const base = { issuer: 'i', clientId: 'c', getTokenArgs: [], usesClientSecret: false };
    expect(kubeconfigExec({ ...base, flow: 'device-code' }).interactiveMode).toBe('Never');
    expect(kubeconfigExec({ ...base, flow: 'authcode' }).interactiveMode).toBe('IfAvailable');
    expect(kubeconfigExec({ ...base, flow: 'password' }).interactiveMode).toBe('IfAvailable');
  });

  it('quotes RBAC subjects for the shell', () => {
    expect(renderRbacCommands("https://idp#o'brien", ['devs', 'system:authenticated'])).toBe(
      `kubectl create clusterrolebinding oidc-user-view --clusterrole=view --user='https://idp#o'\\''brien'\n` +
        'kubectl create clusterrolebinding oidc-group-view --clusterrole=view --group=devs\n',
    );
  });
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

  it('warns about an http issuer only', () => {
    expect(checkIssuerScheme('http://idp.example.com')?.status).toBe('warning');
    expect(checkIssuerScheme('https://idp.example.com')).toBeUndefined();
  });
});

describe('the kubectl config set-credentials form', () => {
  it('quotes for the shell, and as a CSV field where kubectl would split an argument at a comma', () => {
    const command = renderSetCredentials(
      {
        issuer: 'https://issuer.example.com',
        clientId: 'kubernetes',
        getTokenArgs: [
          '--oidc-issuer-url=https://issuer.example.com',
          '--oidc-extra-scope=email,groups',
          '--x="q"',
        ],
        flow: 'authcode',
        usesClientSecret: false,
      },
      'oidc',
    );
    expect(command).toBe(
      [
        'kubectl config set-credentials oidc \\',
        '  --exec-api-version=client.authentication.k8s.io/v1 \\',
        '  --exec-command=kubectl-together_login \\',
        '  --exec-arg=get-token \\',
        '  --exec-arg=--oidc-issuer-url=https://issuer.example.com \\',
        `  '--exec-arg="--oidc-extra-scope=email,groups"' \\`,
        `  '--exec-arg="--x=""q"""' \\`,
        '  --exec-interactive-mode=IfAvailable',
        '',
      ].join('\n'),
    );
  });
});
