/**
 * Claims as real providers issue them: `aud` as an array (`["kubernetes"]`) and groups whose order
 * changes from one login to the next are normal. setup's identity prediction, its RBAC commands, its reading of the
 * cluster's answer, and status must say the same thing for every variant.
 */
import { describe, expect, it } from 'vitest';
import { entryFormat } from '../../../src/core/cache-entry.js';
import { type ClusterFacts, explainClusterAnswers } from '../../../src/core/setup/cluster-verdict.js';
import { kubeIdentity } from '../../../src/core/setup/kube-identity.js';
import { renderRbacCommands } from '../../../src/core/setup/rbac.js';
import { statusRow } from '../../../src/core/status-view.js';

const issuer = 'https://idp.example.com';
const base = { iss: issuer, sub: 'u-1', email: 'alice@example.com', email_verified: true, exp: 2000 };
/** The same login, as different providers (or the same provider on different days) put it. */
const variants: [string, Record<string, unknown>][] = [
  ['aud string, groups in one order', { ...base, aud: 'kubernetes', groups: ['dev', 'ops', 'admins'] }],
  ['aud array, groups in one order', { ...base, aud: ['kubernetes'], groups: ['dev', 'ops', 'admins'] }],
  ['aud string, groups reordered', { ...base, aud: 'kubernetes', groups: ['ops', 'admins', 'dev'] }],
  ['aud array, groups reordered', { ...base, aud: ['kubernetes'], groups: ['admins', 'dev', 'ops'] }],
];
const mapping = {
  issuer,
  usernameClaim: 'email',
  usernamePrefix: undefined,
  groupsClaim: 'groups',
  groupsPrefix: 'oidc:',
};

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.sig`;
}

describe.each(variants)('%s', (_, claims) => {
  const identity = kubeIdentity(claims, mapping);
  const facts = (): ClusterFacts => ({
    contextName: 'prod',
    server: 'https://k8s',
    namespace: 'default',
    issuer,
    clientId: 'kubernetes',
    usernameClaim: 'email',
    claims,
    predicted: identity,
  });

  it('predicts the same user and the same set of groups', () => {
    expect(identity.ok).toBe(true);
    if (!identity.ok) return;
    expect(identity.username).toBe('alice@example.com');
    expect([...identity.groups].sort()).toEqual([
      'oidc:admins',
      'oidc:dev',
      'oidc:ops',
      'system:authenticated',
    ]);
  });

  it('prints the same RBAC commands', () => {
    if (!identity.ok) throw new Error(identity.problem);
    expect(renderRbacCommands(identity.username, identity.groups)).toBe(
      'kubectl create clusterrolebinding oidc-user-view --clusterrole=view --user=alice@example.com\n' +
        'kubectl create clusterrolebinding oidc-group-view --clusterrole=view --group=oidc:admins\n',
    );
  });

  it('accepts the cluster reporting the groups in another order (no identity warning)', () => {
    const clusterGroups = ['system:authenticated', 'oidc:ops', 'oidc:dev', 'oidc:admins'];
    const checks = explainClusterAnswers(
      {
        review: {
          status: 201,
          body: { status: { userInfo: { username: 'alice@example.com', groups: clusterGroups } } },
          serverTimeSec: 1000,
        },
        access: { status: 201, body: { status: { allowed: true } }, serverTimeSec: 1000 },
      },
      facts(),
    );
    expect(checks.map((check) => [check.step, check.status])).toEqual([
      ['cluster authentication', 'passed'],
      ['cluster access', 'passed'],
    ]);
  });

  it('names the audience in a 401 explanation the same way', () => {
    const [check] = explainClusterAnswers(
      { review: { status: 401, body: {}, serverTimeSec: 1000 } },
      facts(),
    );
    expect(check?.fix).toContain("must contain the token's aud kubernetes\n");
  });

  it('shows the same status', () => {
    const row = statusRow(
      {
        storage: 'disk',
        key: 'k',
        location: '/cache/entry.json',
        issuer,
        clientId: 'kubernetes',
        entry: {
          format: entryFormat,
          issuer,
          clientId: 'kubernetes',
          obtainedAt: 0,
          idToken: jwt(claims),
          idTokenExpiresAt: 2_000_000,
        },
        problem: undefined,
      },
      1_000_000,
    );
    expect(row).toMatchObject({
      email: 'alice@example.com',
      groups: ['admins', 'dev', 'ops'],
      expired: false,
    });
  });
});
