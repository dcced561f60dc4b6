/**
 * setup's stdout and exit code: the sections (claims, identity, what the admin and the user apply, the CI jobs' part)
 * as text or as JSON with the checks, and the exit code the failed checks make. The checklist itself goes to stderr
 * (renderChecklist in ./checklist.ts).
 */

import { ExitCode } from '../../error-codes.js';
import type { Check } from './checklist.js';
import type { ExecEntry } from './kubeconfig-user.js';

/** What setup prints after a run that got as far as the tokens; also the JSON of --output json, in this order. */
export interface SetupSections {
  /** The ID token's claims, without the ones of the protocol (nonce, at_hash, …); the exchanged token's with one. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** With --token-exchange-audience: the audience the claims' token (what the cluster sees) was exchanged for. */
  readonly exchangedFor?: string;
  /** null: kube-apiserver would refuse the token. */
  readonly identity: { readonly username: string; readonly groups: readonly string[] } | null;
  readonly admin: {
    readonly httpIssuerWarning?: string;
    readonly apiserverFlags: string;
    readonly authenticationConfiguration: string;
    readonly rbac: string | null;
  };
  readonly user: {
    readonly kubeconfigUser: string;
    readonly exec: ExecEntry;
    /** The same user as a `kubectl config set-credentials` command. */
    readonly setCredentials: string;
    /** --write-kubeconfig wrote it: the entry is printed for other machines, not as a step left to do. */
    readonly written: boolean;
  };
  readonly ci?: CiSection;
}

/** The CI jobs' part (./ci-report.ts). */
export interface CiSection {
  readonly repository: string;
  /** `branch NAME` or `environment NAME`. */
  readonly scope: string;
  readonly username: string;
  readonly rbac: string;
  readonly getTokenArgs: readonly string[];
}

/**
 * The exit code of a run: `exitCode` when something stopped it, else from the failed checks. The cluster refusing
 * the token or RBAC refusing the user is exit 4; any other failed check exit 3.
 */
export function setupExitCode(checks: readonly Check[], exitCode: ExitCode): ExitCode {
  const failed = checks.filter((check) => check.status === 'failed');
  return failed.length === 0 || exitCode !== ExitCode.ok
    ? exitCode
    : failed.every((check) => check.step.startsWith('cluster '))
      ? ExitCode.authentication
      : ExitCode.provider;
}

/** stdout: the sections as text (nothing without them), or the checks and the sections as JSON. */
export function renderSetupOutput(
  output: 'text' | 'json',
  checks: readonly Check[],
  sections: SetupSections | undefined,
): string {
  if (output === 'json') return `${JSON.stringify({ checks, ...sections }, null, 2)}\n`;
  return sections ? renderSections(sections) : '';
}

function renderSections(sections: SetupSections): string {
  const { admin, user, identity } = sections;
  const parts = [
    sections.exchangedFor === undefined
      ? '# Claims of the ID token (the token itself is never shown)'
      : `# Claims of the token exchanged for audience ${sections.exchangedFor}, the one the cluster sees (the token itself is never shown)`,
    JSON.stringify(sections.claims, null, 2),
    '',
    identity
      ? `# kube-apiserver will see: user ${identity.username}, groups ${identity.groups.join(', ')}`
      : '# kube-apiserver would refuse this token (see the checklist)',
    '',
    ...(admin.httpIssuerWarning ? [`# ${admin.httpIssuerWarning}`] : []),
    '# For the cluster admin: kube-apiserver flags …',
    admin.apiserverFlags,
    '# … or the equivalent structured configuration (--authentication-config=FILE)',
    admin.authenticationConfiguration,
  ];
  if (admin.rbac) parts.push('# RBAC: give the user (or the group) a role, e.g. view', admin.rbac);
  parts.push(
    user.written
      ? '# For the user: written to your kubeconfig (see the checklist); elsewhere, add under users:'
      : '# For the user: add to ~/.kube/config under users:',
    user.kubeconfigUser,
    '# … or the same with kubectl (1.30+; older kubectl: client.authentication.k8s.io/v1beta1, no --exec-interactive-mode)',
    user.setCredentials,
  );
  if (sections.ci) parts.push(renderCiSection(sections.ci));
  return `${parts.join('\n')}`;
}

function renderCiSection(section: CiSection): string {
  return [
    `# CI jobs of ${section.repository} (${section.scope}): kube-apiserver will see user ${section.username}`,
    '# RBAC for exactly those jobs, e.g. edit:',
    section.rbac,
    '# For the jobs: the kubeconfig user (no secret; see README, "CI pipelines")',
    '- name: ci',
    '  user:',
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1',
    '      command: kubectl-together_login',
    '      args:',
    ...section.getTokenArgs.map((arg) => `      - ${JSON.stringify(arg)}`),
    '      interactiveMode: Never',
    '',
  ].join('\n');
}
