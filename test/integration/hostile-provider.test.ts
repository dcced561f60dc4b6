/**
 * A provider that misbehaves on purpose or by accident, against the real plugin: absurd lifetimes, a refresh for
 * another subject, error texts that echo the request (secrets, terminal escapes), and responses of many megabytes.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneError } from '../rig/one-error.js';
import { loginArgs, parseCredential, runPlugin, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  publicClientId,
  type RigFault,
  rigPassword,
} from '../rig/provider.js';
import { expectNoSecretLeaked } from '../rig/secrets.js';
import { useRigProvider } from '../rig/use-provider.js';

const entryName = /^together-login-v1-[0-9a-f]{64}\.json$/;
const entryOf = (dir: string) => {
  const file = readdirSync(dir).find((name) => entryName.test(name));
  return file ? join(dir, file) : undefined;
};

function expectFailure(result: { stdout: string; stderr: string }, error: RegExp): void {
  expectOneError(result.stderr, error);
  expect(result.stdout).toBe('');
}

describe('a hostile or broken identity provider', () => {
  const provider = useRigProvider();

  it.each([
    ['id-token-exp-far', [], 'ID token'],
    ['expires-in-far', ['--oidc-use-access-token'], 'access token'],
  ] as [RigFault, string[], string][])(
    '%s: logged in with a printable expiry of at most a year, served from the cache afterwards',
    async (fault, extra, what) => {
      const cacheDir = join(tempDir('cache'), 'c');
      const args = loginArgs(provider.issuer, publicClientId, cacheDir, extra);
      provider.setFault(fault);
      const first = await runPlugin(args);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain(`the ${what} is valid for`);
      expect(first.stderr).toContain('treating it as valid for at most a year');
      const expiry = Date.parse(parseCredential(first.stdout).expirationTimestamp);
      expect(expiry).toBeGreaterThan(Date.now() + 300 * 86_400_000);
      expect(expiry).toBeLessThanOrEqual(Date.now() + 367 * 86_400_000);
      provider.setFault(undefined);
      provider.resetCounts();
      const second = await runPlugin(args);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toBe('');
      expect(provider.totalRequests()).toBe(0);
    },
  );

  it('an entry whose expiry no date can hold (written before the clamp) is a reported miss, not a crash', async () => {
    const cacheDir = join(tempDir('cache'), 'c');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args)).code).toBe(0);
    const path = entryOf(cacheDir) as string;
    const entry = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...entry, idTokenExpiresAt: 1e16 }), { mode: 0o600 });
    const result = await runPlugin(args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('it is corrupt (field idTokenExpiresAt is not a time)');
    expect(result.stderr).not.toContain('Invalid time value');
  });

  it('a refresh answering with an ID token for another sub: exit code 3, entry kept byte for byte', async () => {
    const cacheDir = join(tempDir('cache'), 'c');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args)).code).toBe(0);
    const path = entryOf(cacheDir) as string;
    const before = readFileSync(path, 'utf8');
    provider.setFault('refresh-other-sub');
    const result = await runPlugin([...args, '--force-refresh']);
    expect(result.code, result.stderr).toBe(3);
    expectFailure(
      result,
      /^error: the identity provider refreshed the session with an ID token whose sub is "mallory", not "alice"$/,
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it.each([
    [
      'password',
      publicClientId,
      ['--grant-type=password', '--username=alice', `--password=${rigPassword}`],
      {},
    ],
    [
      'authcode (confidential client)',
      confidentialClientId,
      [],
      { OIDC_CLIENT_SECRET: confidentialClientSecret },
    ],
  ] as [string, string, string[], Record<string, string>][])(
    '%s: an error that echoes the request shows no secret and no terminal control sequence',
    async (_flow, clientId, extra, env) => {
      provider.setFault('token-error-echo');
      const cacheDir = join(tempDir('cache'), 'c');
      const result = await runPlugin(loginArgs(provider.issuer, clientId, cacheDir, [...extra, '-v=9']), env);
      expect(result.code, result.stderr).toBe(3);
      // The echo reached stderr (redacted), with what was harmless in it.
      expect(result.stderr).toMatch(/cannot parse .*values .*\[redacted\]/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is that none is left
      expect(result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      // The provider's line breaks stay inside our one error line: its forged lines are not lines of their own.
      // (Not expectOneError: at -v=9 the stack is printed on purpose.)
      const lines = result.stderr.split('\n');
      expect(lines.filter((line) => line.startsWith('error: '))).toHaveLength(1);
      expect(lines.filter((line) => line.startsWith('hint: '))).toHaveLength(1);
      expect(lines.filter((line) => /^(error|hint): forged/.test(line))).toEqual([]);
      const errorLine = lines.find((line) => line.startsWith('error: ')) as string;
      // Codes and verifiers are 43 base64url characters: none is left in the error line.
      expect(errorLine).not.toMatch(/[A-Za-z0-9_-]{40,}/);
      expectNoSecretLeaked({
        // A parameter name followed by the marker is no leak (the check looks for any `code_verifier=`).
        stderr: result.stderr.replaceAll('=[redacted]', ' [redacted]'),
        stdout: result.stdout,
        dirs: [cacheDir],
        secrets: [rigPassword, confidentialClientSecret],
      });
    },
  );

  it.each(['discovery-huge', 'jwks-huge', 'token-huge'] as RigFault[])(
    '%s (8 MB): refused while reading, exit code 3',
    async (fault) => {
      provider.setFault(fault);
      const result = await runPlugin(loginArgs(provider.issuer, publicClientId, join(tempDir('cache'), 'c')));
      expect(result.code, result.stderr).toBe(3);
      expectFailure(
        result,
        /^error: the identity provider's response from http:\/\/127\.0\.0\.1:\d+\/\S* is larger than 4 MB$/,
      );
    },
  );
});
