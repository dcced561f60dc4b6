/**
 * setup's part for CI jobs: with --ci-token-source (github-actions or gitlab:<VAR>),
 * --ci-token-audience and --ci-repository, setup prints the `jwt` entry that trusts the CI issuer after the
 * people's entry, the username the jobs of that repository and branch will get, the RBAC binding for exactly that
 * username, and the kubeconfig user of the jobs. Nothing here talks to the CI system: the admin runs setup on their
 * own machine, and the prediction comes from the platform's documented `sub` format. The flags and what they
 * mean are src/flags/setup/ci-flags.ts; here are the check and the section, pure.
 */

import type { Check } from './checklist.js';
import { type CiSetup, ciGetTokenArgs, ciPrefixProblem } from './ci-trust.js';
import type { ClaimMapping } from './kube-identity.js';
import type { CiSection } from './output.js';
import { shellQuote } from './shell-quote.js';

/** The check that people and jobs can never share a username. */
export function ciPrefixCheck(people: ClaimMapping, ci: CiSetup): Check {
  const problem = ciPrefixProblem(people, ci.settings.usernamePrefix);
  return problem
    ? {
        step: 'CI username prefix',
        status: problem.severity,
        detail: problem.text,
        ...(problem.severity === 'failed' ? { fix: 'choose another --ci-username-prefix' } : {}),
      }
    : {
        step: 'CI username prefix',
        status: 'passed',
        detail: `jobs are "${ci.settings.usernamePrefix}…", apart from people`,
      };
}

/** The CI jobs' part of setup's output (rendered by ./output.ts). */
export function ciSection(ci: CiSetup): CiSection {
  const { settings } = ci;
  const what = settings.environment ? `environment ${settings.environment}` : `branch ${settings.branch}`;
  const bindingName = `ci-${settings.repository}-${settings.environment ?? settings.branch}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .slice(0, 200);
  return {
    repository: settings.repository,
    scope: what,
    username: ci.username,
    rbac: `kubectl create clusterrolebinding ${bindingName} --clusterrole=edit --user=${shellQuote(ci.username)}\n`,
    getTokenArgs: ['get-token', ...ciGetTokenArgs(settings, ci.tokenSource)],
  };
}
