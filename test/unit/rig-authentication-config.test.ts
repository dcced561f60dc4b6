/**
 * The test API server validates an AuthenticationConfiguration the way kube-apiserver does; the loop test of setup
 * relies on that strictness (a printed configuration kube-apiserver would refuse must fail the test).
 */
import { describe, expect, it } from 'vitest';
import { renderAuthenticationConfiguration } from '../../src/core/setup/apiserver-config.js';
import { fromAuthenticationConfiguration } from '../rig/api-authn.js';

const valid = `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: https://idp.example.com
    audiences: [k8s]
  claimMappings:
    username: {claim: sub, prefix: "https://idp.example.com#"}
    groups: {claim: groups, prefix: ""}
`;

describe('the rig reads AuthenticationConfiguration like kube-apiserver', () => {
  it('maps a valid configuration', () => {
    expect(fromAuthenticationConfiguration(valid)).toEqual([
      {
        issuer: 'https://idp.example.com',
        audiences: ['k8s'],
        usernameClaim: 'sub',
        usernamePrefix: 'https://idp.example.com#',
        groupsClaim: 'groups',
        groupsPrefix: '',
      },
    ]);
  });

  it.each([
    [valid.replace(', prefix: "https://idp.example.com#"', ''), /username.prefix: Required value/],
    [
      valid.replace('groups: {claim: groups, prefix: ""}', 'groups: {claim: groups}'),
      /groups.prefix: Required value/,
    ],
    [valid.replace('audiences: [k8s]', 'audiences: []'), /audiences: Required value/],
    [valid.replace('https://idp.example.com\n', 'http://idp.example.com\n'), /must be an https URL/],
    [
      valid.replace('apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1alpha1'),
      /unsupported apiVersion/,
    ],
  ])('refuses what kube-apiserver refuses (%#)', (text, error) => {
    expect(() => fromAuthenticationConfiguration(text)).toThrow(error);
  });

  it.each(['v1', 'v1beta1'] as const)('accepts what setup prints (%s)', (version) => {
    const printed = renderAuthenticationConfiguration(
      {
        issuer: 'https://idp.example.com/',
        clientId: 'k8s',
        usernameClaim: 'email',
        usernamePrefix: undefined,
        groupsClaim: 'groups',
        groupsPrefix: 'oidc:',
      },
      version,
    );
    expect(fromAuthenticationConfiguration(printed)[0]).toMatchObject({
      issuer: 'https://idp.example.com/',
      usernamePrefix: '',
      groupsPrefix: 'oidc:',
    });
  });
});
