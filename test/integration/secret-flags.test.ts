/** Secrets given as flags are visible to every local user in the process list: said once, when they are used. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginArgs, runPlugin, runSetup, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  publicClientId,
  rigPassword,
} from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('secrets on the command line', () => {
  const provider = useRigProvider();

  const warnings = (stderr: string, flag: string) =>
    stderr.split('\n').filter((line) => line.startsWith(`warning: --${flag} on the command line`));

  it.each([
    ['password', publicClientId, ['--username=alice', `--password=${rigPassword}`], 'the terminal'],
    [
      'oidc-client-secret',
      confidentialClientId,
      [`--oidc-client-secret=${confidentialClientSecret}`],
      'OIDC_CLIENT_SECRET',
    ],
  ])(
    '--%s: one warning pointing to the alternative on a login, none on a cache hit',
    async (flag, clientId, extra, alternative) => {
      const args = loginArgs(provider.issuer, clientId, join(tempDir('cache'), 'c'), extra);
      const login = await runPlugin(args);
      expect(login.code, login.stderr).toBe(0);
      expect(warnings(login.stderr, flag)).toEqual([expect.stringContaining(alternative)]);
      const hit = await runPlugin(args);
      expect(hit.code, hit.stderr).toBe(0);
      expect(hit.stderr).toBe('');
    },
  );

  it('setup: the same one warning, before its login', async () => {
    const result = await runSetup(provider.issuer, [
      '--grant-type=password',
      '--username=alice',
      `--password=${rigPassword}`,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(warnings(result.stderr, 'password')).toEqual([expect.stringContaining('the terminal')]);
    // The kubeconfig user it prints carries no password, so no warning follows the user into kubectl's calls.
    expect(result.stdout).not.toContain(rigPassword);
  });

  it('says nothing when the secret comes from the environment', async () => {
    const args = loginArgs(provider.issuer, confidentialClientId, join(tempDir('cache'), 'c'));
    const login = await runPlugin(args, { OIDC_CLIENT_SECRET: confidentialClientSecret });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).not.toContain('warning');
  });
});
