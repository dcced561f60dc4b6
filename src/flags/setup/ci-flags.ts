/**
 * setup's flags for CI jobs and their translation into a CiSetup: the CI trust setup prints, and the
 * username the jobs will get. A usage error (exit 2) for an incomplete or unsupported set, before any login. What
 * setup then checks and prints for the jobs is core/setup/ci-report.ts.
 */

import { usageError } from '../../app-error.js';
import { describeCiTokenSource } from '../../core/ci-token.js';
import type { GetTokenInput } from '../../core/get-token-input.js';
import {
  type CiSetup,
  type CiTrustSettings,
  defaultCiIssuers,
  defaultCiUsernamePrefixes,
  predictCiUsername,
} from '../../core/setup/ci-trust.js';
import type { FlagSpec } from '../argv.js';

export const setupCiFlags: readonly FlagSpec[] = [
  {
    name: 'ci-repository',
    kind: 'string',
    description:
      '(CI jobs) GitHub owner/repo or GitLab group/project whose jobs may authenticate; with --ci-token-source and --ci-token-audience',
  },
  {
    name: 'ci-branch',
    kind: 'string',
    description: '(CI jobs) Branch whose jobs get the printed RBAC binding',
    defaultText: 'main',
  },
  {
    name: 'ci-environment',
    kind: 'string',
    description:
      "(CI jobs, GitHub) Deployment environment of the job (GitHub's sub then names it, not the branch)",
  },
  {
    name: 'ci-issuer-url',
    kind: 'string',
    description: '(CI jobs) Issuer of the CI tokens',
    defaultText: 'https://token.actions.githubusercontent.com, https://gitlab.com',
  },
  {
    name: 'ci-username-prefix',
    kind: 'string',
    description: "(CI jobs) Prefix of the jobs' usernames; must not overlap the people's",
    defaultText: 'github-actions:, gitlab-ci:',
  },
];

/** undefined without --ci-repository; a usage error (before any login) for an incomplete or unsupported set. */
export function ciSetupFromFlags(
  own: ReadonlyMap<string, string>,
  input: GetTokenInput,
): CiSetup | undefined {
  const repository = own.get('ci-repository');
  const { source, audience } = input.ciToken;
  if (repository === undefined) {
    const stray = ['ci-branch', 'ci-environment', 'ci-issuer-url', 'ci-username-prefix'].find((name) =>
      own.has(name),
    );
    if (stray) throw usageError(`--${stray} goes with --ci-repository`, 'add --ci-repository=OWNER/REPO');
    return undefined;
  }
  if (input.grantType === 'ci-token')
    throw usageError(
      'setup logs in as a person: --grant-type=ci-token has no place here',
      "give the people's login flags, and --ci-token-source/--ci-token-audience/--ci-repository for the jobs",
    );
  if (!source || source.kind === 'file')
    throw usageError(
      source
        ? 'setup prints the CI trust for github-actions and gitlab:<VAR> only'
        : '--ci-repository needs --ci-token-source',
      source
        ? 'for a token file, write the jwt entry for its issuer by hand (README, "CI pipelines")'
        : 'add --ci-token-source=github-actions or --ci-token-source=gitlab:<VAR>',
    );
  if (!audience)
    throw usageError(
      '--ci-repository needs --ci-token-audience',
      'add --ci-token-audience=… (the audience the jobs request, e.g. the cluster name)',
    );
  const platform = source.kind === 'github-actions' ? 'github-actions' : 'gitlab';
  const pattern = platform === 'github-actions' ? /^[\w.-]+\/[\w.-]+$/ : /^[\w.-]+(\/[\w.-]+)+$/;
  if (!pattern.test(repository))
    throw usageError(
      `--ci-repository must be ${platform === 'github-actions' ? 'OWNER/REPO' : 'GROUP/PROJECT'}, not "${repository}"`,
    );
  const environment = own.get('ci-environment');
  if (environment !== undefined && platform !== 'github-actions')
    throw usageError("--ci-environment is GitHub's: GitLab's sub names the branch");
  const settings: CiTrustSettings = {
    platform,
    issuer: own.get('ci-issuer-url') ?? defaultCiIssuers[platform],
    audience,
    repository,
    branch: own.get('ci-branch') ?? 'main',
    environment,
    usernamePrefix: own.get('ci-username-prefix') ?? defaultCiUsernamePrefixes[platform],
  };
  if (!/^https?:\/\/[^/]/.test(settings.issuer))
    throw usageError(`--ci-issuer-url must be an http(s) URL, not "${settings.issuer}"`);
  return { settings, username: predictCiUsername(settings), tokenSource: describeCiTokenSource(source) };
}
