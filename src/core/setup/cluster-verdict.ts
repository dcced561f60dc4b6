/**
 * What the cluster's answers to `setup` mean, as pure functions: the SelfSubjectReview says
 * whether the API server accepts the token and who it thinks we are; the SelfSubjectAccessReview whether RBAC lets
 * that user do anything. kube-apiserver never says why it refused a token (401 is all it returns), so the 401
 * explanation rules out what this machine already verified and names what is left, most likely first.
 */

import type { Check } from './checklist.js';
import type { KubeIdentity } from './kube-identity.js';
import { renderRbacCommands } from './rbac.js';

export interface ClusterAnswers {
  readonly review: Answer;
  /** Absent when the review already failed. */
  readonly access?: Answer;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly serverTimeSec: number | undefined;
}

export interface ClusterFacts {
  readonly contextName: string;
  readonly server: string;
  readonly namespace: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly usernameClaim: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly predicted: KubeIdentity;
  /** The token sent is an access token that is not a JWT (--oidc-use-access-token): no OIDC authenticator takes it. */
  readonly opaqueAccessToken?: boolean;
}

/**
 * Whether the review's answer leaves the access question open: the token was accepted (200/201), or accepted but
 * the review is forbidden or missing (403/404). A 401 or an error answers it already.
 */
export function accessWorthAsking(reviewStatus: number): boolean {
  return [200, 201, 403, 404].includes(reviewStatus);
}

export function explainClusterAnswers(answers: ClusterAnswers, facts: ClusterFacts): Check[] {
  const checks: Check[] = [];
  const { review, access } = answers;
  let username: string | undefined;
  let groups: readonly string[] = [];
  if (review.status === 401) return [unauthorized(facts, review.serverTimeSec)];
  if (!accessWorthAsking(review.status)) return [unreachable(facts, review)];
  if (review.status === 200 || review.status === 201) {
    const userInfo = userInfoOf(review.body);
    username = userInfo.username;
    groups = userInfo.groups;
    checks.push({
      step: 'cluster authentication',
      status: 'passed',
      detail: `${facts.server} (context ${facts.contextName}) accepts the token: you are ${username ?? '?'}, groups ${groups.join(', ') || 'none'}`,
    });
    const predicted = facts.predicted;
    if (predicted.ok && (predicted.username !== username || !sameSet(predicted.groups, groups))) {
      checks.push({
        step: 'cluster identity',
        status: 'warning',
        detail: `the API server maps the token to ${username}, groups ${groups.join(', ')}; setup predicted ${predicted.username}, groups ${predicted.groups.join(', ')}`,
        fix: 'the cluster maps claims differently: pass setup its --username-claim/--username-prefix/--groups-claim/--groups-prefix, or apply the configuration printed below',
      });
    }
  } else {
    checks.push({
      step: 'cluster authentication',
      status: 'warning',
      detail:
        review.status === 404
          ? 'the cluster has no SelfSubjectReview API (Kubernetes before 1.27): who you are cannot be shown'
          : 'the API server accepted the token but forbids SelfSubjectReview: who you are cannot be shown',
    });
  }

  if (!access) return checks;
  if (access.status === 401) return [unauthorized(facts, access.serverTimeSec)];
  const status = (access.body as { status?: { allowed?: unknown; reason?: unknown } } | undefined)?.status;
  if ((access.status === 200 || access.status === 201) && typeof status?.allowed === 'boolean') {
    const who = username ?? (facts.predicted.ok ? facts.predicted.username : undefined);
    checks.push(
      status.allowed
        ? {
            step: 'cluster access',
            status: 'passed',
            detail: `RBAC lets you list pods in namespace ${facts.namespace}`,
          }
        : {
            step: 'cluster access',
            status: 'failed',
            detail: `RBAC gives ${who ?? 'you'} no right to list pods in namespace ${facts.namespace}: kubectl will answer 403 Forbidden`,
            fix: who
              ? `the cluster admin binds a role to exactly this user (or one of its groups), e.g.:\n${indent(renderRbacCommands(who, groups))}`
              : 'the cluster admin binds a role to your user (see the RBAC commands below)',
          },
    );
  } else {
    checks.push({
      step: 'cluster access',
      status: 'warning',
      detail: `could not ask the cluster what you may do (SelfSubjectAccessReview answered ${access.status})`,
    });
  }
  return checks;
}

/** kubectl shows a 401 as "You must be logged in to the server (Unauthorized)". */
function unauthorized(facts: ClusterFacts, serverTimeSec: number | undefined): Check {
  const step = 'cluster authentication';
  const detail = `${facts.server} (context ${facts.contextName}) answered 401 Unauthorized: it does not accept tokens of this issuer and client as configured`;
  if (facts.opaqueAccessToken)
    return {
      step,
      status: 'failed',
      detail,
      fix: "token: with --oidc-use-access-token this is the provider's access token, which is not a JWT: kube-apiserver's OIDC authenticator verifies JWTs only. Drop --oidc-use-access-token (the ID token), or have the provider issue JWT access tokens (often by asking for an audience or resource)",
    };
  if (!facts.predicted.ok)
    return { step, status: 'failed', detail, fix: `claim: ${facts.predicted.problem}` };
  const exp = facts.claims.exp;
  if (serverTimeSec !== undefined && typeof exp === 'number' && serverTimeSec >= exp) {
    return {
      step,
      status: 'failed',
      detail,
      fix: `clock: the API server's clock (${new Date(serverTimeSec * 1000).toISOString()}) is past the token's expiry; synchronise its clock`,
    };
  }
  const aud = facts.claims.aud;
  const audiences = Array.isArray(aud) ? aud.join(', ') : String(aud ?? facts.clientId);
  return {
    step,
    status: 'failed',
    detail,
    fix: [
      'this machine verified the token, so the API server is set up differently; check, most likely first:',
      `  issuer: its --oidc-issuer-url (or jwt.issuer.url) must be exactly "${String(facts.claims.iss ?? facts.issuer)}", byte for byte, trailing slash included`,
      `  audience: its --oidc-client-id (or jwt.issuer.audiences) must contain the token's aud ${audiences}`,
      `  claim: its username claim must be one the token has (setup used "${facts.usernameClaim}")`,
      "  signature: the API server itself must reach the issuer's discovery document and JWKS (its network, proxy and CA), or have the issuer's CA in certificateAuthority",
      '  or the cluster has no OIDC authenticator yet: apply the admin configuration printed below',
    ].join('\n'),
  };
}

function unreachable(facts: ClusterFacts, answer: Answer): Check {
  const message = (answer.body as { message?: unknown } | undefined)?.message;
  return {
    step: 'cluster authentication',
    status: 'failed',
    detail: `${facts.server} (context ${facts.contextName}) answered ${answer.status}${typeof message === 'string' ? `: ${message}` : ''}`,
    fix: 'check the server address of the context, and that the cluster is up',
  };
}

function userInfoOf(body: unknown): { username: string | undefined; groups: string[] } {
  const info = (body as { status?: { userInfo?: { username?: unknown; groups?: unknown } } } | undefined)
    ?.status?.userInfo;
  return {
    username: typeof info?.username === 'string' ? info.username : undefined,
    groups: Array.isArray(info?.groups) ? info.groups.filter((group) => typeof group === 'string') : [],
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value) => b.includes(value));
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}
