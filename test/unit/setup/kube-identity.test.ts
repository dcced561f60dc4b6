import { describe, expect, it } from 'vitest';
import { type ClaimMapping, kubeIdentity } from '../../../src/core/setup/kube-identity.js';

const issuer = 'https://idp.example.com';
const mapping = (change: Partial<ClaimMapping> = {}): ClaimMapping => ({
  issuer,
  usernameClaim: 'email',
  usernamePrefix: undefined,
  groupsClaim: 'groups',
  groupsPrefix: undefined,
  ...change,
});
const claims = {
  sub: 'u123',
  email: 'alice@example.com',
  email_verified: true,
  groups: ['dev', 'ops'],
  preferred_username: 'alice',
};

describe('kubeIdentity (as kube-apiserver derives it)', () => {
  it.each([
    ['email as is', mapping(), claims, 'alice@example.com', ['dev', 'ops']],
    [
      'sub with the issuer prefix',
      mapping({ usernameClaim: 'sub' }),
      claims,
      `${issuer}#u123`,
      ['dev', 'ops'],
    ],
    [
      'preferred_username with the issuer prefix',
      mapping({ usernameClaim: 'preferred_username' }),
      claims,
      `${issuer}#alice`,
      ['dev', 'ops'],
    ],
    [
      'sub without prefix ("-")',
      mapping({ usernameClaim: 'sub', usernamePrefix: '-' }),
      claims,
      'u123',
      ['dev', 'ops'],
    ],
    [
      'a chosen prefix, also for email',
      mapping({ usernamePrefix: 'oidc:' }),
      claims,
      'oidc:alice@example.com',
      ['dev', 'ops'],
    ],
    [
      'groups prefixed',
      mapping({ groupsPrefix: 'oidc:' }),
      claims,
      'alice@example.com',
      ['oidc:dev', 'oidc:ops'],
    ],
    ['a single group as a string', mapping(), { ...claims, groups: 'dev' }, 'alice@example.com', ['dev']],
    ['no groups claim in the token', mapping(), { email: 'a@b.c' }, 'a@b.c', []],
    ['no groups claim configured', mapping({ groupsClaim: undefined }), claims, 'alice@example.com', []],
    ['email_verified absent', mapping(), { email: 'a@b.c' }, 'a@b.c', []],
    [
      'leading slashes kept (Keycloak)',
      mapping(),
      { ...claims, groups: ['/admins'] },
      'alice@example.com',
      ['/admins'],
    ],
  ])('%s', (_case, map, input, username, groups) => {
    expect(kubeIdentity(input, map)).toEqual({
      ok: true,
      username,
      groups: [...groups, 'system:authenticated'],
    });
  });

  it.each([
    ['a missing username claim', mapping({ usernameClaim: 'upn' }), claims, 'no "upn" claim'],
    ['an unverified email', mapping(), { ...claims, email_verified: false }, 'email is not verified'],
    ['email_verified as a string', mapping(), { ...claims, email_verified: 'true' }, 'email is not verified'],
    ['groups of another type', mapping(), { ...claims, groups: [1, 2] }, 'not a string or a list of strings'],
  ])('refuses %s', (_case, map, input, problem) => {
    const identity = kubeIdentity(input, map);
    expect(identity.ok).toBe(false);
    expect(identity.ok ? '' : identity.problem).toContain(problem);
  });
});
