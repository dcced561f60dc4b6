/**
 * The catalogue of error codes (src/error-codes.ts) and the README's exit-code table say the same: every exit code
 * the plugin can end with has a row, with the meaning its name gives, and every row is an exit code it uses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  codesByExitCode,
  ExitCode,
  exitCodeOf,
  httpAnswerCode,
  httpAnswerStatus,
  oauthRefusalExitCode,
} from '../../src/error-codes.js';
import { repoRoot } from '../rig/build.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The rows of the table under "## Exit codes and errors": exit code → meaning. */
function readmeExitCodes(): Map<number, string> {
  const section = readme.slice(
    readme.indexOf('\n## Exit codes and errors'),
    readme.indexOf('\n### When things go wrong'),
  );
  return new Map(
    [...section.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((row) => [Number(row[1]), row[2] as string]),
  );
}

/** What each exit code means, as the README's row starts. */
const meanings: Record<keyof typeof ExitCode, string> = {
  ok: 'success',
  unexpected: 'unexpected failure',
  usage: 'usage or configuration',
  provider: 'identity provider unreachable or misconfigured',
  authentication: 'authentication refused or not completed',
  interactionRequired: 'interaction required but not possible',
  cache: 'token cache unusable',
  interrupted: 'interrupted (Ctrl-C)',
  terminated: 'terminated (SIGTERM)',
};

describe('the exit codes', () => {
  it('are the rows of the README table, each with the meaning of its name', () => {
    const rows = readmeExitCodes();
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual(Object.values(ExitCode).sort((a, b) => a - b));
    for (const [name, code] of Object.entries(ExitCode))
      expect(rows.get(code), `exit ${code} (${name})`).toMatch(
        new RegExp(`^${meanings[name as keyof typeof ExitCode].replace(/[()]/g, '\\$&')}`),
      );
  });

  it('of every code and family are documented ones', () => {
    const documented = [...readmeExitCodes().keys()];
    const used = [
      ...Object.keys(codesByExitCode()).map(Number),
      exitCodeOf(httpAnswerCode(404)),
      ...['invalid_client', 'invalid_grant', 'whatever'].map((error) => oauthRefusalExitCode(error)),
    ];
    for (const code of used) expect(documented).toContain(code);
  });

  it.each([
    ['usage', ExitCode.usage],
    ['kubeconfig', ExitCode.usage],
    ['provider', ExitCode.provider],
    ['exchange', ExitCode.provider],
    ['interaction', ExitCode.interactionRequired],
    ['cache', ExitCode.cache],
  ])('of the %s.* codes mean what the README says of exit %i', (prefix, exitCode) => {
    const codes = Object.values(codesByExitCode())
      .flat()
      .filter((code) => code.split('.')[0] === prefix);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(exitCodeOf(code), code).toBe(exitCode);
  });
});

describe('the catalogue', () => {
  it('lists only codes that the sources raise', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? sources(join(dir, entry.name))
          : entry.name.endsWith('.ts') && entry.name !== 'error-codes.ts'
            ? [readFileSync(join(dir, entry.name), 'utf8')]
            : [],
      );
    const text = sources(join(repoRoot, 'src')).join('\n');
    const unused = Object.values(codesByExitCode())
      .flat()
      .filter((code) => !text.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it.each([
    ['provider.http-401', 401],
    ['provider.http-503', 503],
    ['provider.unreachable', undefined],
  ] as const)('reads the status of %s: %s', (code, status) => {
    expect(httpAnswerStatus(code)).toBe(status);
  });

  it('gives a refusal of the client exit 3 and of the user exit 4', () => {
    expect(oauthRefusalExitCode('invalid_client')).toBe(ExitCode.provider);
    expect(oauthRefusalExitCode('invalid_scope')).toBe(ExitCode.provider);
    expect(oauthRefusalExitCode('unauthorized_client')).toBe(ExitCode.provider);
    expect(oauthRefusalExitCode('invalid_grant')).toBe(ExitCode.authentication);
    expect(oauthRefusalExitCode('access_denied')).toBe(ExitCode.authentication);
    expect(oauthRefusalExitCode('login_required')).toBe(ExitCode.authentication);
  });
});
