/**
 * The flags of CI workload identity (`--grant-type=ci-token`) and their translation into a CiTokenSource.
 * Kept apart from get-token-flags.ts, which only spreads the table in (parse-get-token.ts calls parseCiTokenOptions).
 */

import { usageError } from '../app-error.js';
import type { CiTokenSource } from '../core/ci-token.js';
import type { CiTokenOptions } from '../core/get-token-input.js';
import type { FlagSpec } from './argv.js';

export const ciTokenFlags: readonly FlagSpec[] = [
  {
    name: 'ci-token-source',
    kind: 'string',
    description:
      "(ours) [ci-token] Where the CI job's own OIDC token comes from: github-actions, gitlab:<ENV_VAR> (a variable declared under id_tokens:), file:<path> (e.g. a projected service-account token)",
  },
  {
    name: 'ci-token-audience',
    kind: 'string',
    description:
      "(ours) [ci-token] The audience the token must carry (requested from GitHub; checked for every source): the cluster's AuthenticationConfiguration audience",
  },
];

const sourceForms = 'github-actions, gitlab:<ENV_VAR> or file:<path>';

/**
 * Both flags are read whatever the grant type (setup prints the CI trust from them); `--grant-type=ci-token`
 * requires both. `expand` resolves `~` in a file path.
 */
export function parseCiTokenOptions(
  raw: { source: string | undefined; audience: string | undefined },
  ciGrant: boolean,
  expand: (path: string) => string,
): CiTokenOptions {
  const source = raw.source === undefined || raw.source === '' ? undefined : parseSource(raw.source, expand);
  const audience = raw.audience || undefined;
  if (ciGrant && !source)
    throw usageError(
      '--grant-type=ci-token needs --ci-token-source',
      'add --ci-token-source=github-actions (or gitlab:<ENV_VAR>, file:<path>) to the exec args',
    );
  if (ciGrant && !audience)
    throw usageError(
      '--grant-type=ci-token needs --ci-token-audience',
      "add --ci-token-audience=… with the audience of the cluster's AuthenticationConfiguration entry for the CI issuer",
    );
  return { source, audience };
}

function parseSource(value: string, expand: (path: string) => string): CiTokenSource {
  if (value === 'github-actions') return { kind: 'github-actions' };
  const [kind, ...rest] = value.split(':');
  const detail = rest.join(':');
  if (kind === 'gitlab' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(detail))
    return { kind: 'gitlab', variable: detail };
  if (kind === 'file' && detail !== '') return { kind: 'file', path: expand(detail) };
  throw usageError(`--ci-token-source must be ${sourceForms}, not "${value}"`);
}
