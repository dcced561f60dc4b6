import { describe, expect, it } from 'vitest';
import { describeIssuerDifference, issuerMismatch } from '../../src/oidc/issuer-mismatch.js';

describe('an issuer that differs from the provider’s', () => {
  it.each([
    [
      'https://idp.example.com/',
      'https://idp.example.com',
      "trailing slash: the provider's issuer ends with /",
    ],
    [
      'https://idp.example.com',
      'https://idp.example.com/',
      "trailing slash: the provider's issuer does not end",
    ],
    ['https://host/api/oidc/', 'https://host/api/oidc', "trailing slash: the provider's issuer ends with /"],
    ['https://host/api/oidc', 'https://host/api/oidc/', "trailing slash: the provider's issuer does not end"],
    ['https://idp.example.com/realms/K8s', 'https://IDP.example.com/realms/K8s', 'upper and lower case'],
    ['https://idp.example.com/x', 'https://idp.example.com:443/x', 'port: none at the provider, 443 in'],
    [
      'https://idp.example.com:8443/x',
      'https://idp.example.com:9443/x',
      'port: 8443 at the provider, 9443 in',
    ],
  ])('%s (provider) vs %s: %s', (discovered, configured, words) => {
    expect(describeIssuerDifference(discovered, configured)).toContain(words);
    const error = issuerMismatch(discovered, configured);
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(`names the issuer "${discovered}", not "${configured}"`);
    expect(error.hint).toContain(`--oidc-issuer-url=${discovered} exactly`);
  });

  it('says nothing more when they are simply different', () => {
    expect(describeIssuerDifference('https://a.example.com', 'https://b.example.com')).toBeUndefined();
  });
});
