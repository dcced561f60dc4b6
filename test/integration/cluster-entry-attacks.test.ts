/**
 * A hostile cluster entry: with provideClusterInfo, a cluster's exec extension fills in provider settings
 * the exec args do not give. Cluster entries travel between people, so each test plays the entry's author against
 * the real plugin and a real provider: what the args pin stays pinned.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserDriverPath, pluginBin } from '../rig/build.js';
import { expectOneError } from '../rig/one-error.js';
import { execInfoWithCluster, passwordLoginArgs, runCommand, runPlugin, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { startSquatter } from '../rig/squatter.js';
import { makePrivateCa } from '../rig/tls.js';
import { useRigProvider } from '../rig/use-provider.js';

describe("the provider's CA: what the exec args pin, a cluster cannot add to", () => {
  const pinned = makePrivateCa();
  const attackerCa = makePrivateCa();
  // The attacker answers at the issuer's address (a man in the middle, or a spoofed name) with a certificate of its
  // own CA: a real provider, so that a password sent to it is counted as a grant.
  const attacker = useRigProvider({ tls: { cert: attackerCa.serverCert, key: attackerCa.serverKey } });
  const passwordLogin = (pin: readonly string[]) =>
    passwordLoginArgs(attacker.issuer, [`--token-cache-dir=${join(tempDir('cache'), 'c')}`, ...pin]);
  const attackerData = Buffer.from(attackerCa.caPem).toString('base64');

  it.each([
    ['--certificate-authority', () => `--certificate-authority=${pinned.caPemPath}`],
    [
      '--certificate-authority-data',
      () => `--certificate-authority-data=${Buffer.from(pinned.caPem).toString('base64')}`,
    ],
  ])(
    'args pin the CA with %s, the cluster adds the attacker CA: the password never reaches the attacker',
    async (_, pin) => {
      attacker.resetCounts();
      for (const config of [
        { 'certificate-authority-data': attackerData },
        { 'certificate-authority': attackerCa.caPemPath },
      ]) {
        const result = await runPlugin(passwordLogin([pin()]), {
          KUBERNETES_EXEC_INFO: execInfoWithCluster(config),
        });
        expect(result.code, result.stderr).toBe(3);
        expectOneError(result.stderr, /cannot reach the identity provider at https:\/\/127\.0\.0\.1:\d+/);
        expect(result.stdout).toBe('');
      }
      expect(attacker.grants.get('password')).toBe(undefined);
      expect(attacker.totalRequests()).toBe(0);
    },
  );

  it('a cluster naming its CA by a relative path is refused before any request: the file would be whichever ca.pem lies where kubectl was started', async () => {
    attacker.resetCounts();
    // The attacker's CA sits in a folder the user may run kubectl from (a shared checkout, /tmp).
    const workingDir = tempDir('cwd');
    copyFileSync(attackerCa.caPemPath, join(workingDir, 'ca.pem'));
    for (const path of ['ca.pem', './ca.pem', ['../cwd/ca.pem']]) {
      const result = await runCommand(
        'sh',
        ['-c', 'cd "$1" && shift && exec "$@"', 'sh', workingDir, pluginBin, ...passwordLogin([])],
        { KUBERNETES_EXEC_INFO: execInfoWithCluster({ 'certificate-authority': path }) },
      );
      expect(result.code, result.stderr).toBe(2);
      expectOneError(
        result.stderr,
        /sets certificate-authority to .*ca\.pem.*: a relative path would be read from kubectl's working directory/,
      );
      expect(result.stderr).toMatch(/hint: give certificate-authority as an absolute path/);
    }
    expect(attacker.totalRequests()).toBe(0);
  });

  it("without a CA in the args, the cluster's CA is the one trusted (the rig's attacker is then reachable)", async () => {
    attacker.resetCounts();
    const result = await runPlugin(passwordLogin([]), {
      KUBERNETES_EXEC_INFO: execInfoWithCluster({ 'certificate-authority-data': attackerData }),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(attacker.grants.get('password')).toBe(1);
  });
});

describe('the login on this machine: a cluster cannot move the redirect nor turn PKCE off', () => {
  const provider = useRigProvider();
  const args = (cacheDir: string) => [
    'get-token',
    `--browser-command=${browserDriverPath}`,
    `--token-cache-dir=${cacheDir}`,
    // Bounds the run before the fix, when the code went to the squatter and the callback never came.
    '--authentication-timeout-sec=15',
    '-v=1',
  ];
  const cluster = (extra: Record<string, unknown>) =>
    execInfoWithCluster({ 'oidc-issuer-url': provider.issuer, 'oidc-client-id': publicClientId, ...extra });

  it('oidc-redirect-url-hostname "[::1]" from a cluster is ignored: the code never reaches a program on [::1]:8000', async () => {
    const squatter = startSquatter('::1', 8000);
    try {
      expect(await squatter.bound).toBe('listening');
      const result = await runPlugin(args(join(tempDir('cache'), 'c')), {
        KUBERNETES_EXEC_INFO: cluster({ 'oidc-redirect-url-hostname': '[::1]' }),
      });
      expect(squatter.requests).toEqual([]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        "ignored in the cluster https://k8s.example.com's exec extension (not a provider setting of this plugin): oidc-redirect-url-hostname",
      );
    } finally {
      await squatter.close();
    }
  });

  it('oidc-pkce-method "no" from a cluster: exit 2 before any request', async () => {
    provider.resetCounts();
    const result = await runPlugin(args(join(tempDir('cache'), 'c')), {
      KUBERNETES_EXEC_INFO: cluster({ 'oidc-pkce-method': 'no' }),
    });
    expect(result.code, result.stderr).toBe(2);
    expectOneError(result.stderr, /sets oidc-pkce-method to "no": a cluster may not turn PKCE off/);
    expect(provider.totalRequests()).toBe(0);
  });

  it('the same redirect host from the exec args: exit 2 before any request, naming the flag', async () => {
    provider.resetCounts();
    const result = await runPlugin(
      [...args(join(tempDir('cache'), 'c')), '--oidc-redirect-url-hostname=[::1]'],
      {
        KUBERNETES_EXEC_INFO: cluster({}),
      },
    );
    expect(result.code, result.stderr).toBe(2);
    expectOneError(
      result.stderr,
      /--oidc-redirect-url-hostname sends the browser to \[::1\], where the callback server does not listen/,
    );
    expect(provider.totalRequests()).toBe(0);
  });
});
