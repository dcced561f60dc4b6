import { describe, expect, it } from 'vitest';
import {
  renderApiserverFlags,
  renderAuthenticationConfiguration,
} from '../../../src/core/setup/apiserver-config.js';

const email = {
  issuer: 'https://idp.example.com/realms/k8s',
  clientId: 'kubernetes',
  usernameClaim: 'email',
  usernamePrefix: undefined,
  groupsClaim: 'groups',
  groupsPrefix: 'oidc:',
};
const sub = { ...email, usernameClaim: 'sub', groupsClaim: undefined, groupsPrefix: undefined };

describe('kube-apiserver configuration (golden)', () => {
  it('legacy flags', () => {
    expect(renderApiserverFlags(email)).toBe(
      [
        '--oidc-issuer-url=https://idp.example.com/realms/k8s',
        '--oidc-client-id=kubernetes',
        '--oidc-username-claim=email',
        '--oidc-groups-claim=groups',
        '--oidc-groups-prefix=oidc:',
        '',
      ].join('\n'),
    );
    expect(renderApiserverFlags({ ...sub, usernamePrefix: '-' })).toContain('--oidc-username-prefix=-\n');
  });

  it('AuthenticationConfiguration v1 with email and groups', () => {
    expect(renderAuthenticationConfiguration(email, 'v1')).toBe(`apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: "https://idp.example.com/realms/k8s"
    audiences:
    - "kubernetes"
  claimMappings:
    username:
      claim: "email"
      prefix: ""
    groups:
      claim: "groups"
      prefix: "oidc:"
`);
  });

  it('AuthenticationConfiguration v1beta1 spells out the issuer prefix the flags imply for sub', () => {
    expect(
      renderAuthenticationConfiguration(sub, 'v1beta1'),
    ).toBe(`apiVersion: apiserver.config.k8s.io/v1beta1
kind: AuthenticationConfiguration
jwt:
- issuer:
    url: "https://idp.example.com/realms/k8s"
    audiences:
    - "kubernetes"
  claimMappings:
    username:
      claim: "sub"
      prefix: "https://idp.example.com/realms/k8s#"
`);
  });
});
