/**
 * One login, a token per cluster: the real kubectl, one provideClusterInfo user for two clusters that
 * share the issuer and client, each cluster's exec extension naming its own token-exchange-audience, and each API
 * server accepting its own audience only. The first cluster's call logs in (the browser) and exchanges; the
 * second's only exchanges; each API server accepts its own token and refuses the other's (401).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../rig/api-server.js';
import { browserDriverPath, pluginBin } from '../rig/build.js';
import { type KubectlBinary, oldestAndNewestKubectls } from '../rig/kubectl.js';
import { getTokenArgs, runCommand, runSetup, tempDir } from '../rig/plugin.js';
import { tokenExchangeGrant } from '../rig/provider.js';
import { clusterEntry, twoClusterAdminKubeconfig } from '../rig/two-clusters.js';
import { useRigProvider } from '../rig/use-provider.js';

const chosen = oldestAndNewestKubectls('the token exchange tests');

describe('two clusters, one login, a token per audience (token-exchange-audience)', () => {
  const provider = useRigProvider();
  let apiA: ApiServer;
  let apiB: ApiServer;
  beforeAll(async () => {
    [apiA, apiB] = await Promise.all([
      startApiServer({ issuer: provider.issuer, audience: 'cluster-a' }),
      startApiServer({ issuer: provider.issuer, audience: 'cluster-b' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([apiA.close(), apiB.close()]);
  });

  it.each(chosen.map((kubectl) => [kubectl.version, kubectl] as const))(
    'kubectl %s: each API server accepts its own token and refuses the other; the second cluster needs no browser',
    async (_, kubectl) => {
      const cacheDir = join(tempDir('cache'), 'oidc-login');
      const path = join(tempDir('kubeconfig'), 'config');
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          clusterEntry('a', apiA, { 'token-exchange-audience': 'cluster-a' }),
          clusterEntry('b', apiB, { 'token-exchange-audience': 'cluster-b' }),
        ],
        users: [
          {
            name: 'oidc',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: pluginBin,
                args: getTokenArgs(provider.issuer, {
                  cacheDir,
                  browser: browserDriverPath,
                  extra: ['--oidc-extra-scope=email,groups'],
                }),
                provideClusterInfo: true,
                interactiveMode: 'Never',
              },
            },
          },
        ],
        contexts: ['a', 'b'].map((name) => ({ name, context: { cluster: name, user: 'oidc' } })),
        'current-context': 'a',
      };
      writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
      const env = { HOME: tempDir('home') };
      const whoami = (context: string, kubeconfig = path) =>
        runCommand(
          kubectl.path,
          [`--kubeconfig=${kubeconfig}`, `--context=${context}`, 'auth', 'whoami', '-o', 'json'],
          env,
        );
      provider.resetCounts();

      const a = await whoami('a');
      expect(a.code, a.stderr).toBe(0);
      expect(JSON.parse(a.stdout).status.userInfo.username).toBe('alice@example.com');
      expect(apiA.authenticated.at(-1)).toBe('alice@example.com');
      expect(provider.grants.get('authorization_code')).toBe(1);
      expect(provider.grants.get(tokenExchangeGrant)).toBe(1);

      const b = await whoami('b');
      expect(b.code, b.stderr).toBe(0);
      expect(apiB.authenticated.at(-1)).toBe('alice@example.com');
      // The second cluster's first call: an exchange from the cached login, no browser.
      expect(provider.grants.get('authorization_code')).toBe(1);
      expect(provider.grants.get(tokenExchangeGrant)).toBe(2);

      // Cache hits from here: no request to the provider.
      provider.resetCounts();
      expect((await whoami('a')).code).toBe(0);
      expect((await whoami('b')).code).toBe(0);
      expect(provider.totalRequests()).toBe(0);

      // Each cluster's token, replayed at the other cluster: refused.
      const tokenFor = (audience: string) => {
        for (const name of readdirSync(cacheDir).filter((file) =>
          /^together-login-v1-[0-9a-f]{64}\.json$/.test(file),
        )) {
          const entry = JSON.parse(readFileSync(join(cacheDir, name), 'utf8'));
          if (entry.audience === audience) return entry.idToken as string;
        }
        throw new Error(`no cached token for ${audience}`);
      };
      const replay = join(tempDir('kubeconfig'), 'replay');
      writeFileSync(
        replay,
        JSON.stringify({
          ...config,
          users: [
            { name: 'token-a', user: { token: tokenFor('cluster-a') } },
            { name: 'token-b', user: { token: tokenFor('cluster-b') } },
          ],
          contexts: [
            { name: 'b-with-a', context: { cluster: 'b', user: 'token-a' } },
            { name: 'a-with-b', context: { cluster: 'a', user: 'token-b' } },
            { name: 'a-with-a', context: { cluster: 'a', user: 'token-a' } },
          ],
        }),
        { mode: 0o600 },
      );
      const refusedBefore = apiA.refused.length + apiB.refused.length;
      for (const context of ['b-with-a', 'a-with-b']) {
        const replayed = await whoami(context, replay);
        expect(replayed.code, replayed.stderr).not.toBe(0);
        expect(replayed.stderr).toMatch(/Unauthorized|must be logged in/);
      }
      expect(apiA.refused.length + apiB.refused.length).toBeGreaterThan(refusedBefore);
      expect((await whoami('a-with-a', replay)).code).toBe(0);
    },
  );

  it('setup --token-exchange-audience --settings-on-cluster, once per cluster: one user, each cluster its audience', async () => {
    const kubectl = chosen[chosen.length - 1] as KubectlBinary;
    // The admin's kubeconfig knows cluster `rig` (A); cluster `b` is added by hand.
    const { path, env } = twoClusterAdminKubeconfig(apiA, apiB);
    for (const [audience, context, cluster] of [
      ['cluster-a', 'ctx-a', 'rig'],
      ['cluster-b', 'ctx-b', 'b'],
    ] as const) {
      const setup = await runSetup(
        provider.issuer,
        [
          `--token-exchange-audience=${audience}`,
          '--write-kubeconfig',
          `--context=${context}`,
          `--cluster=${cluster}`,
          '--settings-on-cluster',
        ],
        env,
      );
      expect(setup.stderr).toContain(`✓ token exchange: a token for audience "${audience}"`);
      expect(setup.stdout).toContain(`    audiences:\n    - "${audience}"\n`);
      expect(setup.stderr).toMatch(
        new RegExp(`✓ cluster settings: wrote .*token-exchange-audience.* to cluster "${cluster}"`),
      );
    }
    const written = readFileSync(path, 'utf8');
    expect(written.match(/- name: oidc\n/g)).toHaveLength(1);
    for (const [context, api] of [
      ['ctx-a', apiA],
      ['ctx-b', apiB],
    ] as const) {
      const whoami = await runCommand(
        kubectl.path,
        [`--context=${context}`, 'auth', 'whoami', '-o', 'json'],
        env,
      );
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('alice@example.com');
      expect(api.authenticated.at(-1)).toBe('alice@example.com');
    }
  });
});
