import { describe, expect, it } from 'vitest';
import { type ClusterFacts, explainClusterAnswers } from '../../../src/core/setup/cluster-verdict.js';

const facts: ClusterFacts = {
  contextName: 'prod',
  server: 'https://k8s',
  namespace: 'team-a',
  issuer: 'https://idp',
  clientId: 'kubernetes',
  usernameClaim: 'email',
  claims: { iss: 'https://idp', aud: 'kubernetes', email: 'a@x', exp: 2000 },
  predicted: { ok: true, username: 'a@x', groups: ['devs', 'system:authenticated'] },
};
const review = (username: string, groups: string[]) => ({
  status: 201,
  body: { status: { userInfo: { username, groups } } },
  serverTimeSec: 1000,
});
const access = (allowed: boolean) => ({ status: 201, body: { status: { allowed } }, serverTimeSec: 1000 });

describe('explainClusterAnswers', () => {
  it('a 401 to an opaque access token says kube-apiserver verifies JWTs only', () => {
    const unauthorized = { status: 401, body: {}, serverTimeSec: 1000 };
    const [check] = explainClusterAnswers({ review: unauthorized }, { ...facts, opaqueAccessToken: true });
    expect(check?.status).toBe('failed');
    expect(check?.fix).toMatch(
      /^token: with --oidc-use-access-token .* not a JWT: kube-apiserver's OIDC authenticator verifies JWTs only/,
    );
    const [jwt] = explainClusterAnswers({ review: unauthorized }, facts);
    expect(jwt?.fix).not.toContain('not a JWT');
  });

  it('passes when the cluster knows the predicted user and RBAC allows it', () => {
    const checks = explainClusterAnswers(
      { review: review('a@x', ['devs', 'system:authenticated']), access: access(true) },
      facts,
    );
    expect(checks.map((check) => [check.step, check.status])).toEqual([
      ['cluster authentication', 'passed'],
      ['cluster access', 'passed'],
    ]);
    expect(checks[1]?.detail).toBe('RBAC lets you list pods in namespace team-a');
  });

  it('fails access with the binding for the user string the cluster reported (not the predicted one)', () => {
    const checks = explainClusterAnswers(
      { review: review('https://idp#a', ['system:authenticated']), access: access(false) },
      facts,
    );
    expect(checks.map((check) => [check.step, check.status])).toEqual([
      ['cluster authentication', 'passed'],
      ['cluster identity', 'warning'],
      ['cluster access', 'failed'],
    ]);
    expect(checks[2]?.fix).toContain("--user='https://idp#a'");
    expect(checks[2]?.fix).not.toContain('--group=');
  });

  it('explains a 401 by what is left once the token verified here', () => {
    const [check] = explainClusterAnswers({ review: { status: 401, body: {}, serverTimeSec: 1000 } }, facts);
    expect(check).toMatchObject({ step: 'cluster authentication', status: 'failed' });
    expect(check?.fix).toContain('must be exactly "https://idp"');
    expect(check?.fix).toContain("must contain the token's aud kubernetes");
    expect(check?.fix).toContain('signature');
  });

  it('blames the clock when the API server is past the expiry', () => {
    const [check] = explainClusterAnswers({ review: { status: 401, body: {}, serverTimeSec: 2000 } }, facts);
    expect(check?.fix).toMatch(/^clock: the API server's clock \(1970-01-01T00:33:20.000Z\) is past/);
  });

  it('blames the claim when the token lacks it', () => {
    const [check] = explainClusterAnswers(
      { review: { status: 401, body: {}, serverTimeSec: undefined } },
      { ...facts, predicted: { ok: false, problem: 'the ID token has no "upn" claim (the username claim)' } },
    );
    expect(check?.fix).toBe('claim: the ID token has no "upn" claim (the username claim)');
  });

  it('warns without SelfSubjectReview (old clusters) and still checks access', () => {
    const checks = explainClusterAnswers(
      { review: { status: 404, body: {}, serverTimeSec: undefined }, access: access(false) },
      facts,
    );
    expect(checks.map((check) => check.status)).toEqual(['warning', 'failed']);
    expect(checks[1]?.fix).toContain('--user=a@x');
  });

  it('reports other answers with the server message', () => {
    expect(
      explainClusterAnswers(
        { review: { status: 503, body: { message: 'etcd down' }, serverTimeSec: undefined } },
        facts,
      ),
    ).toEqual([
      {
        step: 'cluster authentication',
        status: 'failed',
        detail: 'https://k8s (context prod) answered 503: etcd down',
        fix: 'check the server address of the context, and that the cluster is up',
      },
    ]);
  });
});
