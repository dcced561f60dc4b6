/**
 * Fetches or reads a CI job's own OIDC token (the adapter behind --ci-token-source). Each source that is missing
 * fails with one line saying what is missing and a hint with the fix; the token itself never enters a message.
 */

import { AppError } from '../app-error.js';
import type { CiTokenSource } from '../core/ci-token.js';
import { describeNetworkError } from '../oidc/translate-error.js';
import type { Fetch } from '../oidc/transport.js';
import { readCiTokenFile } from './ci-token-file.js';

export interface CiTokenSourceDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => string;
  /** Node's fetch, or one through the proxy of the environment (self-hosted runners). */
  readonly fetch: Fetch;
  readonly timeoutMs: number;
}

/** The raw token; not yet checked (src/core/ci-token.ts checkCiToken does that). */
export async function obtainCiToken(
  source: CiTokenSource,
  audience: string,
  deps: CiTokenSourceDeps,
): Promise<string> {
  switch (source.kind) {
    case 'github-actions':
      return requestGithubToken(audience, deps);
    case 'gitlab':
      return readGitlabVariable(source.variable, deps.env);
    case 'file':
      return readCiTokenFile(source.path, deps.readFile);
  }
}

const missingGithubPermission =
  'add "permissions: id-token: write" to the workflow or the job (pull requests from forks never get a token)';

async function requestGithubToken(audience: string, deps: CiTokenSourceDeps): Promise<string> {
  const requestUrl = deps.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const requestToken = deps.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!requestUrl || !requestToken) {
    const missing = requestUrl ? 'ACTIONS_ID_TOKEN_REQUEST_TOKEN' : 'ACTIONS_ID_TOKEN_REQUEST_URL';
    if (deps.env.GITHUB_ACTIONS === 'true')
      throw new AppError(
        'ci-token.github-permission',
        `this GitHub Actions job may not request an OIDC token (${missing} is not set)`,
        { hint: missingGithubPermission },
      );
    throw new AppError('ci-token.not-in-ci', `not inside a GitHub Actions job (${missing} is not set)`, {
      hint: '--ci-token-source=github-actions works only in a GitHub Actions job; outside CI, log in as a person (without --grant-type=ci-token)',
    });
  }
  // GitHub's documented request: the URL already carries a query (api-version), the audience is appended.
  const url = `${requestUrl}${requestUrl.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  let response: Response;
  try {
    response = await deps.fetch(url, {
      headers: { authorization: `bearer ${requestToken}`, accept: 'application/json; api-version=2.0' },
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
  } catch (error) {
    throw new AppError(
      'ci-token.unreachable',
      `cannot reach GitHub's OIDC token service (${describeNetworkError(error)})`,
      {
        hint: "check the runner's network and HTTPS_PROXY/NO_PROXY; a self-hosted runner must reach ACTIONS_ID_TOKEN_REQUEST_URL",
        cause: error,
      },
    );
  }
  const text = await response.text().catch(() => '');
  if (!response.ok)
    throw new AppError(
      'ci-token.refused',
      `GitHub's OIDC token service answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      {
        hint: `the request token is valid only while the job runs; ${missingGithubPermission}`,
      },
    );
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value === '')
    throw new AppError(
      'ci-token.bad-response',
      'GitHub\'s OIDC token service answered without a token (no "value" in its JSON)',
      { hint: 'run the job again; if it persists, report it with -v=1' },
    );
  return value;
}

function readGitlabVariable(variable: string, env: Readonly<Record<string, string | undefined>>): string {
  const value = env[variable]?.trim();
  if (value) return value;
  const declare = `declare it in .gitlab-ci.yml under the job: id_tokens: ${variable}: aud: <the audience>`;
  if (env.GITLAB_CI === 'true')
    throw new AppError('ci-token.variable-unset', `the GitLab job has no ${variable} variable`, {
      hint: declare,
    });
  throw new AppError('ci-token.not-in-ci', `not inside a GitLab CI job (${variable} is not set)`, {
    hint: `${declare}; outside CI, log in as a person (without --grant-type=ci-token)`,
  });
}
