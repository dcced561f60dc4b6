/**
 * At the highest verbosity, across the flows, no token, refresh token, authorization code, PKCE verifier, client
 * secret or password appears in stderr, in stdout beyond the ExecCredential token, or in any file but the entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDriverLog } from '../rig/driver-log.js';
import {
  getTokenArgs,
  loginArgs,
  type PluginResult,
  parseCredential,
  runPlugin,
  startPlugin,
  tempDir,
} from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  rigPassword,
  robotClientId,
  robotClientSecret,
} from '../rig/provider.js';
import { completeLoginWithForms } from '../rig/provider-forms.js';
import { expectNoSecretLeaked } from '../rig/secrets.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('no secret in any output, at -v=9', () => {
  const provider = useRigProvider();

  function check(
    result: PluginResult,
    cacheDir: string,
    extraSecrets: (string | undefined)[],
    extraDirs: string[] = [],
  ) {
    expect(result.code, result.stderr).toBe(0);
    const entryFile = readdirSync(cacheDir).find((name) =>
      /^together-login-v1-[0-9a-f]{64}\.json$/.test(name),
    );
    const entry = entryFile ? JSON.parse(readFileSync(join(cacheDir, entryFile), 'utf8')) : {};
    expectNoSecretLeaked({
      stderr: result.stderr,
      stdout: result.stdout,
      dirs: [cacheDir, ...extraDirs],
      secrets: [entry.idToken, entry.accessToken, entry.refreshToken, ...extraSecrets],
      credentialToken: parseCredential(result.stdout).token,
    });
  }

  it('browser login with a confidential client, then a refresh', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const driverDir = tempDir('driver');
    const env = { OIDC_CLIENT_SECRET: confidentialClientSecret, RIG_DRIVER_LOG: join(driverDir, 'log') };
    const args = loginArgs(provider.issuer, confidentialClientId, cacheDir, ['-v=9']);
    const login = await runPlugin(args, env);
    // The driver's log is one of the outputs checked: wait until the driver has written all of it.
    await readDriverLog(env.RIG_DRIVER_LOG);
    check(login, cacheDir, [confidentialClientSecret], [driverDir]);
    check(
      await runPlugin([...args, '--force-refresh'], env),
      cacheDir,
      [confidentialClientSecret],
      [driverDir],
    );
  });

  it('keyboard login: the pasted code never comes back', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const plugin = startPlugin(
      getTokenArgs(provider.issuer, {
        cacheDir,
        extra: [
          '--grant-type=authcode-keyboard',
          '--oidc-redirect-url=http://localhost:8000/callback',
          '-v=9',
        ],
      }),
      {
        KUBERNETES_EXEC_INFO:
          '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}',
      },
    );
    const [, url] = await plugin.waitForStderr(/log in:\n {2}(\S+)/);
    const landed = await completeLoginWithForms(url as string, {
      login: 'alice',
      password: 'x',
      stopBefore: (u) => u.port === '8000',
    });
    const code = new URL(landed.finalUrl).searchParams.get('code') as string;
    plugin.writeStdin(`${code}\n`);
    check(await plugin.result, cacheDir, [code]);
  });

  it('device code', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const plugin = startPlugin(
      getTokenArgs(provider.issuer, { cacheDir, extra: ['--grant-type=device-code', '-v=9'] }),
    );
    const [, url] = await plugin.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
    await completeLoginWithForms(url as string, { login: 'alice', password: 'x' });
    check(await plugin.result, cacheDir, []);
  });

  it('password', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const result = await runPlugin(
      getTokenArgs(provider.issuer, {
        cacheDir,
        extra: ['--username=alice', `--password=${rigPassword}`, '-v=9'],
      }),
    );
    check(result, cacheDir, [rigPassword]);
  });

  it('client credentials', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const result = await runPlugin(
      getTokenArgs(provider.issuer, {
        clientId: robotClientId,
        cacheDir,
        extra: ['--grant-type=client-credentials', '--oidc-use-access-token', '-v=9'],
      }),
      { OIDC_CLIENT_SECRET: robotClientSecret },
    );
    check(result, cacheDir, [robotClientSecret]);
  });
});
