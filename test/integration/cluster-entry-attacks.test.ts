/**
 * A hostile cluster entry (issue 21): with provideClusterInfo, a cluster's exec extension fills in provider settings
 * the exec args do not give. Cluster entries travel between people, so each test plays the entry's author against
 * the real plugin and a real provider: what the args pin stays pinned.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneError } from '../rig/one-error.js';
import { runPlugin, tempDir } from '../rig/plugin.js';
import { publicClientId, rigPassword } from '../rig/provider.js';
import { makePrivateCa } from '../rig/tls.js';
import { useRigProvider } from '../rig/use-provider.js';

/** KUBERNETES_EXEC_INFO of kubectl with provideClusterInfo: true, for a cluster whose extension holds `config`. */
function execInfoWithCluster(config: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    spec: { interactive: false, cluster: { server: 'https://k8s.example.com', config } },
  });
}

describe("the provider's CA: what the exec args pin, a cluster cannot add to", () => {
  const pinned = makePrivateCa();
  const attackerCa = makePrivateCa();
  // The attacker answers at the issuer's address (a man in the middle, or a spoofed name) with a certificate of its
  // own CA: a real provider, so that a password sent to it is counted as a grant.
  const attacker = useRigProvider({ tls: { cert: attackerCa.serverCert, key: attackerCa.serverKey } });
  const passwordLogin = (pin: readonly string[]) => [
    'get-token',
    `--oidc-issuer-url=${attacker.issuer}`,
    `--oidc-client-id=${publicClientId}`,
    '--grant-type=password',
    '--username=alice',
    `--password=${rigPassword}`,
    `--token-cache-dir=${join(tempDir('cache'), 'c')}`,
    ...pin,
  ];
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

  it("without a CA in the args, the cluster's CA is the one trusted (the rig's attacker is then reachable)", async () => {
    attacker.resetCounts();
    const result = await runPlugin(passwordLogin([]), {
      KUBERNETES_EXEC_INFO: execInfoWithCluster({ 'certificate-authority-data': attackerData }),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(attacker.grants.get('password')).toBe(1);
  });
});
