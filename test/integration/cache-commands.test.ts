/** `status` and `clean` on a cache directory shared with int128/kubelogin, against the real provider. */
import { copyFileSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { entryPath } from '../rig/cache-entries.js';
import { expectOneError } from '../rig/one-error.js';
import { getTokenArgs, loginArgs, neverInteractive, runPlugin, startPlugin, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  publicClientId,
  robotClientId,
  robotClientSecret,
} from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

// int128/kubelogin (and its fork together-kubelogin) name entries by a bare SHA-256, with a .lock beside.
const int128Entry = 'a'.repeat(64);
const foreign = [int128Entry, `${int128Entry}.lock`, 'README.txt'];

describe('status and clean', () => {
  const provider = useRigProvider();
  let cacheDir: string;
  const tokens: string[] = [];

  beforeAll(async () => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    for (const name of foreign) writeFileSync(join(cacheDir, name), 'not ours', { mode: 0o600 });
    const logins: [string, Record<string, string>][] = [
      [publicClientId, {}],
      [confidentialClientId, { OIDC_CLIENT_SECRET: confidentialClientSecret }],
    ];
    for (const [clientId, env] of logins) {
      const result = await runPlugin(
        loginArgs(provider.issuer, clientId, cacheDir, ['--oidc-extra-scope=email,groups']),
        env,
      );
      expect(result.code, result.stderr).toBe(0);
      tokens.push(JSON.parse(result.stdout).status.token);
    }
  });

  const status = (extra: string[] = []) =>
    runPlugin(['status', `--token-cache-dir=${cacheDir}`, '--token-cache-storage=disk', ...extra]);

  it('lists the cached identities without printing a token', async () => {
    const result = await status();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('alice@example.com  (disk)');
    expect(result.stdout).toContain(`client:   ${publicClientId}`);
    expect(result.stdout).toContain(`client:   ${confidentialClientId}`);
    expect(result.stdout).toContain('groups:   developers, oncall');
    expect(result.stdout).toContain('refresh:  yes');
    for (const token of tokens) expect(result.stdout).not.toContain(token);
  });

  it('gives scripts JSON', async () => {
    const result = await status(['--output=json']);
    const { identities } = JSON.parse(result.stdout) as { identities: Record<string, unknown>[] };
    expect(identities).toHaveLength(2);
    expect(identities[0]).toMatchObject({
      storage: 'disk',
      issuer: provider.issuer,
      email: 'alice@example.com',
      refreshToken: true,
      expired: false,
    });
    for (const token of tokens) expect(result.stdout).not.toContain(token);
  });

  it("flags an entry copied to another key's name: get-token never serves it, status says so", async () => {
    const dir = join(tempDir('copied'), 'oidc-login');
    const login = await runPlugin(loginArgs(provider.issuer, publicClientId, dir));
    expect(login.code, login.stderr).toBe(0);
    const original = entryPath(dir);
    copyFileSync(original, join(dir, `together-login-v1-${'f'.repeat(64)}.json`));
    const result = await runPlugin(['status', `--token-cache-dir=${dir}`, '--token-cache-storage=disk']);
    expect(result.code, result.stderr).toBe(0);
    const problems = result.stdout.split('\n').filter((line) => line.includes('problem:'));
    expect(problems).toEqual([
      '  problem:  never served: it was written for other settings and copied or renamed to this name (`clean` removes it)',
    ]);
    expect(result.stdout).toContain(`together-login-v1-${'f'.repeat(64)}.json`);
  });

  it('cleans one client only, then everything of ours, never the files of other tools', async () => {
    const one = await runPlugin([
      'clean',
      `--token-cache-dir=${cacheDir}`,
      `--oidc-client-id=${confidentialClientId}`,
      '--token-cache-storage=disk',
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`removed disk entry: ${provider.issuer} / ${confidentialClientId}`);
    expect(one.stdout).toContain('Removed 1 cached identity.');
    expect(JSON.parse((await status(['-o', 'json'])).stdout).identities).toHaveLength(1);

    // A temporary file left by a killed process, old enough not to belong to a running one.
    const leftover = join(cacheDir, `together-login-v1-${'b'.repeat(64)}.json.4242.1700000000000.tmp`);
    writeFileSync(leftover, '{', { mode: 0o600 });
    utimesSync(leftover, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

    const all = await runPlugin(['clean', `--token-cache-dir=${cacheDir}`, '--token-cache-storage=disk']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('Removed 1 cached identity.');
    // The temporary file and the cached provider metadata: one per cache key (the discovery document is bound to it).
    expect(all.stdout).toContain('removed 3 leftover temporary or lock file(s)');
    expect(readdirSync(cacheDir).sort()).toEqual([...foreign].sort());
    expect((await status()).stdout).toBe('No cached identities.\n');
  });

  it('clean --kubelogin-cache removes int128/kubelogin files only, on request', async () => {
    const login = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir));
    expect(login.code, login.stderr).toBe(0);
    const kubelogin = 'c'.repeat(64);
    writeFileSync(join(cacheDir, kubelogin), '{"id_token":"x.y.z","refresh_token":"r"}', { mode: 0o600 });
    writeFileSync(join(cacheDir, `${kubelogin}.lock`), '', { mode: 0o600 });
    const before = readdirSync(cacheDir).sort();
    // A plain clean never touches them.
    const plain = await runPlugin([
      'clean',
      `--token-cache-dir=${cacheDir}`,
      '--token-cache-storage=disk',
      '--oidc-client-id=nobody',
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(readdirSync(cacheDir).sort()).toEqual(before);

    const result = await runPlugin(['clean', '--kubelogin-cache', `--token-cache-dir=${cacheDir}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`removed int128/kubelogin file: ${join(cacheDir, kubelogin)}\n`);
    expect(result.stdout).toContain('Removed 2 int128/kubelogin file(s)');
    // Ours stays; so does a file of that name that does not hold int128's entry (the 'not ours' one) and its lock.
    expect(readdirSync(cacheDir).sort()).toEqual(before.filter((name) => !name.startsWith(kubelogin)));
    expect(JSON.parse((await status(['-o', 'json'])).stdout).identities).toHaveLength(1);
  });

  it('rejects an unknown output format with exit code 2', async () => {
    const result = await status(['--output=yaml']);
    expect(result.code).toBe(2);
    expectOneError(
      result.stderr,
      /^error: flag --output takes one of text, json, not "yaml"$/,
      /^hint: run `kubectl together-login status --help` for the flags$/,
    );
  });

  describe('what status says beyond the entries', () => {
    it('relative expiry, a client-credentials entry named by client and grant, a login in progress and a failed one', async () => {
      const dir = join(tempDir('cache'), 'oidc-login');
      const statusOf = async () => {
        const result = await runPlugin(['status', `--token-cache-dir=${dir}`, '--token-cache-storage=disk']);
        expect(result.code, result.stderr).toBe(0);
        return result.stdout;
      };
      const robot = await runPlugin(
        getTokenArgs(provider.issuer, {
          clientId: robotClientId,
          cacheDir: dir,
          extra: ['--grant-type=client-credentials', '--oidc-use-access-token'],
        }),
        { OIDC_CLIENT_SECRET: robotClientSecret },
      );
      expect(robot.code, robot.stderr).toBe(0);
      const robotStatus = await statusOf();
      expect(robotStatus).toContain(`${robotClientId} (client credentials)  (disk)`);
      expect(robotStatus).toMatch(/ {2}expires: {2}\S+ \(in \d+ (s|min)\)/);
      expect(robotStatus).not.toContain('(unknown)');

      // A device-code login under way for alice: status says so while it runs…
      const deviceArgs = loginArgs(provider.issuer, publicClientId, dir, [
        '--grant-type=device-code',
        '--skip-open-browser',
        '--authentication-timeout-sec=2',
      ]);
      const running = startPlugin(deviceArgs, { KUBERNETES_EXEC_INFO: neverInteractive });
      await running.waitForStderr(/shows the code/);
      const during = await statusOf();
      expect(during).toContain(`(no token yet)  ${provider.issuer} / ${publicClientId}`);
      expect(during).toMatch(/ {2}login: {4}a login in progress \(device-code\), pid \d+ on /);
      expect(during).toMatch(/ {2}login: {4}a device code valid for \d+ minutes/);
      // …and after it timed out, that it failed and when.
      expect((await running.result).code).toBe(4);
      expect(await statusOf()).toMatch(
        / {2}login: {4}the last login failed \d+ s ago: no login completed within 2 s/,
      );
    });
  });
});
