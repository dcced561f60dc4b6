/** `status` and `clean` on a cache directory shared with int128/kubelogin, against the real provider. */
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loginArgs, runPlugin, tempDir } from '../rig/plugin.js';
import { confidentialClientId, confidentialClientSecret, publicClientId } from '../rig/provider.js';
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
    // The temporary file and the cached provider metadata.
    expect(all.stdout).toContain('removed 2 leftover temporary or lock file(s)');
    expect(readdirSync(cacheDir).sort()).toEqual([...foreign].sort());
    expect((await status()).stdout).toBe('No cached identities.\n');
  });

  it('rejects an unknown output format with exit code 2', async () => {
    const result = await status(['--output=yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'yaml' is invalid");
  });
});
