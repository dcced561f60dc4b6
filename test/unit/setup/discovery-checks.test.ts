import { describe, expect, it } from 'vitest';
import { checkDiscovery, checkIssuerScheme } from '../../../src/core/setup/discovery-checks.js';

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

  it('warns about an http issuer only', () => {
    expect(checkIssuerScheme('http://idp.example.com')?.status).toBe('warning');
    expect(checkIssuerScheme('https://idp.example.com')).toBeUndefined();
  });
});
