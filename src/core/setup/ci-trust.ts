/**
 * What a cluster admin applies so that CI jobs authenticate with their own OIDC token: the
 * AuthenticationConfiguration `jwt` entry for the CI issuer, and the username kube-apiserver will give the jobs of
 * one repository and branch, predicted from that entry's claim mapping with the same code that predicts people's
 * usernames (./kube-identity.ts). Pure; golden tests in test/unit/ci-trust.test.ts.
 *
 * The entry maps `sub` (which names the repository and the branch or environment) with a prefix of its own, so a
 * job's username can never equal a person's, and a claimValidationRules entry pins the repository owner (GitHub
 * `repository_owner`) or the group (GitLab `namespace_path`): every GitHub repository in the world can get a token
 * from the same issuer, and without the rule any of them could authenticate (RBAC would still give it nothing, but
 * it would be a user of the cluster). No CEL expression is printed, so the prediction needs none.
 */
import { type ClaimMapping, effectiveUsernamePrefix, kubeIdentity } from './kube-identity.js';

export type CiPlatform = 'github-actions' | 'gitlab';

export interface CiTrustSettings {
  readonly platform: CiPlatform;
  readonly issuer: string;
  readonly audience: string;
  /** GitHub `owner/repo`, GitLab `group[/subgroup]/project`. */
  readonly repository: string;
  readonly branch: string;
  /** GitHub deployment environment: the job's `sub` then names it instead of the branch. */
  readonly environment: string | undefined;
  readonly usernamePrefix: string;
}

export const defaultCiIssuers: Readonly<Record<CiPlatform, string>> = {
  'github-actions': 'https://token.actions.githubusercontent.com',
  gitlab: 'https://gitlab.com',
};

export const defaultCiUsernamePrefixes: Readonly<Record<CiPlatform, string>> = {
  'github-actions': 'github-actions:',
  gitlab: 'gitlab-ci:',
};

export interface ClaimValidationRule {
  readonly claim: string;
  readonly requiredValue: string;
}

/** The owner pin: GitHub's repository_owner, GitLab's namespace_path (the project's group path). */
export function ciOwnerRule(settings: CiTrustSettings): ClaimValidationRule {
  const parts = settings.repository.split('/');
  return settings.platform === 'github-actions'
    ? { claim: 'repository_owner', requiredValue: parts[0] ?? '' }
    : { claim: 'namespace_path', requiredValue: parts.slice(0, -1).join('/') };
}

/**
 * The claims of a job's token that the mapping and the rule read, as the platform documents them: GitHub
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>` (or `:environment:<name>`), GitLab
 * `project_path:<path>:ref_type:branch:ref:<branch>`. An organisation that customised GitHub's sub template gets
 * another sub: setup's prediction is then only as good as that template.
 */
export function predictedCiClaims(settings: CiTrustSettings): Record<string, string> {
  const rule = ciOwnerRule(settings);
  const sub =
    settings.platform === 'github-actions'
      ? settings.environment
        ? `repo:${settings.repository}:environment:${settings.environment}`
        : `repo:${settings.repository}:ref:refs/heads/${settings.branch}`
      : `project_path:${settings.repository}:ref_type:branch:ref:${settings.branch}`;
  return { sub, [rule.claim]: rule.requiredValue };
}

export function ciClaimMapping(settings: CiTrustSettings): ClaimMapping {
  return {
    issuer: settings.issuer,
    usernameClaim: 'sub',
    usernamePrefix: settings.usernamePrefix,
    groupsClaim: undefined,
    groupsPrefix: undefined,
  };
}

/** The username kube-apiserver gives the jobs of this repository and branch (or environment). */
export function predictCiUsername(settings: CiTrustSettings): string {
  const identity = kubeIdentity(predictedCiClaims(settings), ciClaimMapping(settings));
  // predictedCiClaims always holds a non-empty sub.
  if (!identity.ok) throw new Error(identity.problem);
  return identity.username;
}

export interface PrefixProblem {
  readonly text: string;
  /** A warning when the CI prefix cannot fix it (people without any prefix). */
  readonly severity: 'failed' | 'warning';
}

/** What is wrong with the CI prefix beside the people's mapping; undefined when the two can never collide. */
export function ciPrefixProblem(people: ClaimMapping, ciPrefix: string): PrefixProblem | undefined {
  const failed = (text: string): PrefixProblem => ({ text, severity: 'failed' });
  if (ciPrefix === '' || ciPrefix === '-')
    return failed(
      'the CI username prefix must not be empty: without it a job could be given the username of a person',
    );
  if (ciPrefix.startsWith('system:'))
    return failed(
      `the CI username prefix "${ciPrefix}" starts with system:, which Kubernetes reserves for itself`,
    );
  const peoplePrefix = effectiveUsernamePrefix(people);
  if (peoplePrefix.startsWith(ciPrefix) || (peoplePrefix !== '' && ciPrefix.startsWith(peoplePrefix)))
    return failed(
      `the CI username prefix "${ciPrefix}" and the people's "${peoplePrefix}" overlap: a job and a person could get the same username`,
    );
  if (peoplePrefix === '' && people.usernameClaim !== 'email')
    return {
      text: `people's usernames have no prefix and come from "${people.usernameClaim}": one of them could start with "${ciPrefix}"; give people a prefix (--username-prefix)`,
      severity: 'warning',
    };
  return undefined;
}

/** One item of the AuthenticationConfiguration `jwt` list, to follow the people's entry. */
export function renderCiJwtEntry(settings: CiTrustSettings): string {
  const rule = ciOwnerRule(settings);
  const q = (value: string) => JSON.stringify(value);
  return `${[
    '- issuer:',
    `    url: ${q(settings.issuer)}`,
    '    audiences:',
    `    - ${q(settings.audience)}`,
    '  claimValidationRules:',
    `  - claim: ${q(rule.claim)}`,
    `    requiredValue: ${q(rule.requiredValue)}`,
    '  claimMappings:',
    '    username:',
    '      claim: "sub"',
    `      prefix: ${q(settings.usernamePrefix)}`,
  ].join('\n')}\n`;
}

/** The get-token flags of a CI job's kubeconfig user. */
export function ciGetTokenArgs(settings: CiTrustSettings, tokenSource: string): string[] {
  return [
    '--grant-type=ci-token',
    `--ci-token-source=${tokenSource}`,
    `--ci-token-audience=${settings.audience}`,
  ];
}

/** What setup's CI flags come down to: the trust it prints and the username the jobs will get. */
export interface CiSetup {
  readonly settings: CiTrustSettings;
  readonly username: string;
  readonly tokenSource: string;
}
