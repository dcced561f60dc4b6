/**
 * One kubeconfig user for many clusters: the user's exec config sets provideClusterInfo: true
 * and carries no issuer; each cluster names its own in extensions[client.authentication.k8s.io/exec]. The real
 * kubectl passes it in KUBERNETES_EXEC_INFO; two clusters with two providers both authenticate, each from its own
 * cache entry; a cluster without the extension fails with one clear line.
 */
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../rig/api-server.js';
import { browserDriverPath, pluginBin } from '../rig/build.js';
import { type KubectlBinary, oldestAndNewestKubectls } from '../rig/kubectl.js';
import { getTokenArgs, runCommand, runSetup, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { clusterEntry, twoClusterAdminKubeconfig } from '../rig/two-clusters.js';
import { useRigProvider } from '../rig/use-provider.js';

const chosen = oldestAndNewestKubectls('the many-clusters tests');

/** `kubectl auth whoami` in each context answers alice, and that context's own API server authenticated her. */
async function expectAliceIn(
  kubectl: KubectlBinary,
  env: Record<string, string>,
  contexts: readonly (readonly [context: string, api: ApiServer])[],
): Promise<void> {
  for (const [context, api] of contexts) {
    const whoami = await runCommand(
      kubectl.path,
      [`--context=${context}`, 'auth', 'whoami', '-o', 'json'],
      env,
    );
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('alice@example.com');
    expect(api.authenticated.at(-1)).toBe('alice@example.com');
  }
}

describe('one user entry, clusters with their own issuers (provideClusterInfo)', () => {
  const providerA = useRigProvider();
  const providerB = useRigProvider();
  let apiA: ApiServer;
  let apiB: ApiServer;
  beforeAll(async () => {
    [apiA, apiB] = await Promise.all([
      startApiServer({ issuer: providerA.issuer, audience: publicClientId }),
      startApiServer({ issuer: providerB.issuer, audience: publicClientId }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([apiA.close(), apiB.close()]);
  });

  it.each(chosen.map((kubectl) => [kubectl.version, kubectl] as const))(
    'kubectl %s: both clusters authenticate from one user; a cluster without settings fails clearly',
    async (_, kubectl) => {
      const cacheDir = join(tempDir('cache'), 'oidc-login');
      const path = join(tempDir('kubeconfig'), 'config');
      const settings = (issuer: string) => ({
        'oidc-issuer-url': issuer,
        'oidc-client-id': publicClientId,
        'oidc-extra-scope': ['email', 'groups'],
      });
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          clusterEntry('a', apiA, settings(providerA.issuer)),
          clusterEntry('b', apiB, settings(providerB.issuer)),
          clusterEntry('bare', apiA),
        ],
        users: [
          {
            name: 'oidc',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: pluginBin,
                args: [
                  'get-token',
                  `--browser-command=${browserDriverPath}`,
                  `--token-cache-dir=${cacheDir}`,
                  '-v=1',
                ],
                provideClusterInfo: true,
                interactiveMode: 'Never',
              },
            },
          },
        ],
        contexts: ['a', 'b', 'bare'].map((name) => ({ name, context: { cluster: name, user: 'oidc' } })),
        'current-context': 'a',
      };
      writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
      const env = { HOME: tempDir('home') };
      const run = (context: string) =>
        runCommand(
          kubectl.path,
          [`--kubeconfig=${path}`, `--context=${context}`, 'auth', 'whoami', '-o', 'json'],
          env,
        );
      providerA.resetCounts();
      providerB.resetCounts();

      const a = await run('a');
      expect(a.code, a.stderr).toBe(0);
      expect(JSON.parse(a.stdout).status.userInfo.username).toBe('alice@example.com');
      expect(a.stderr).toContain(`oidc-issuer-url: from the cluster ${apiA.url}'s exec extension`);
      const b = await run('b');
      expect(b.code, b.stderr).toBe(0);
      expect(apiB.authenticated.at(-1)).toBe('alice@example.com');
      expect(providerA.grants.get('authorization_code')).toBe(1);
      expect(providerB.grants.get('authorization_code')).toBe(1);
      // Two issuers, two cache entries; the next call to each is a cache hit.
      expect(
        readdirSync(cacheDir).filter((name) => /^together-login-v1-[0-9a-f]{64}\.json$/.test(name)),
      ).toHaveLength(2);
      providerA.resetCounts();
      providerB.resetCounts();
      expect((await run('a')).code).toBe(0);
      expect((await run('b')).code).toBe(0);
      expect(providerA.totalRequests() + providerB.totalRequests()).toBe(0);

      const bare = await run('bare');
      expect(bare.code).not.toBe(0);
      expect(bare.stderr).toContain(
        `error: --oidc-issuer-url is required: neither the exec args nor the cluster ${apiA.url} give it\n` +
          "hint: add oidc-issuer-url: … (the URL of your identity provider, e.g. https://accounts.example.com) to the cluster's extensions (name: client.authentication.k8s.io/exec) in the kubeconfig, or --oidc-issuer-url=… to the exec args\n",
      );
    },
  );

  it('setup --settings-on-cluster writes that shape: one user, each cluster with its provider', async () => {
    const kubectl = chosen[chosen.length - 1] as KubectlBinary;
    // The admin's kubeconfig knows cluster `rig` (A); cluster `b` is added by hand.
    const { path, env } = twoClusterAdminKubeconfig(apiA, apiB);
    for (const [provider, context, cluster] of [
      [providerA, 'ctx-a', 'rig'],
      [providerB, 'ctx-b', 'b'],
    ] as const) {
      const setup = await runSetup(
        provider.issuer,
        ['--write-kubeconfig', `--context=${context}`, `--cluster=${cluster}`, '--settings-on-cluster'],
        env,
      );
      // 4: RBAC gives alice nothing yet on these clusters; the kubeconfig is written before that check.
      expect(setup.stderr).toContain(`✓ kubeconfig: wrote user "oidc" and context "${context}"`);
      expect(setup.stderr).toContain(
        `✓ cluster settings: wrote oidc-issuer-url, oidc-client-id, oidc-extra-scope to cluster "${cluster}"`,
      );
    }
    const written = readFileSync(path, 'utf8');
    expect(written).toContain('provideClusterInfo: true');
    expect(written.match(/name: client\.authentication\.k8s\.io\/exec/g)).toHaveLength(2);
    expect(written.match(/- name: oidc\n/g)).toHaveLength(1);
    await expectAliceIn(kubectl, env, [
      ['ctx-a', apiA],
      ['ctx-b', apiB],
    ]);
  });

  it('convert-kubeconfig --fold-users: two int128 users differing only in issuer become one, and both clusters work', async () => {
    const kubectl = chosen[chosen.length - 1] as KubectlBinary;
    const bin = tempDir('bin');
    symlinkSync(pluginBin, join(bin, 'kubectl-together_login'));
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const int128User = (name: string, issuer: string) => ({
      name,
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: 'kubectl',
          args: [
            'oidc-login',
            ...getTokenArgs(issuer, {
              cacheDir,
              browser: browserDriverPath,
              extra: ['--oidc-extra-scope=email'],
            }),
          ],
          interactiveMode: 'Never',
        },
      },
    });
    const path = join(tempDir('kubeconfig'), 'config');
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [clusterEntry('east', apiA), clusterEntry('west', apiB)],
      users: [int128User('east', providerA.issuer), int128User('west', providerB.issuer)],
      contexts: ['east', 'west'].map((name) => ({ name, context: { cluster: name, user: name } })),
      'current-context': 'east',
    };
    writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
    const env = { KUBECONFIG: path, PATH: `${bin}:${process.env.PATH}`, HOME: tempDir('home') };
    const converted = await runCommand(pluginBin, ['convert-kubeconfig', '--fold-users'], env);
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stderr).toContain(
      '✓ folded users "east", "west" into "east" (provideClusterInfo); provider settings now on cluster(s) "east", "west"',
    );
    await expectAliceIn(kubectl, env, [
      ['east', apiA],
      ['west', apiB],
    ]);
    const users = await runCommand(
      kubectl.path,
      ['config', 'view', '-o', 'jsonpath={.contexts[*].context.user}'],
      env,
    );
    expect(users.stdout).toBe('east east');
  });
});
