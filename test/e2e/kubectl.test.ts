/**
 * The real kubectl runs the built plugin from a generated kubeconfig against a small HTTPS API server that verifies
 * tokens like kube-apiserver's OIDC authenticator. Runs for the oldest and the newest kubectl on this machine.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../rig/api-server.js';
import { browserDriverPath, nodePluginBin, pluginBin } from '../rig/build.js';
import { ageEntryOvernight } from '../rig/cache-entries.js';
import { findKubectls, type KubectlBinary, writeKubeconfig } from '../rig/kubectl.js';
import { baseEnvironment, getTokenFlags, runCommand, startProcess, tempDir } from '../rig/plugin.js';
import {
  publicClientId,
  rigPassword,
  robotAudience,
  robotClientId,
  robotClientSecret,
  startProvider,
} from '../rig/provider.js';
import { completeLoginWithForms } from '../rig/provider-forms.js';
import { requirement } from '../rig/requirement.js';
import { useRigProvider } from '../rig/use-provider.js';

const kubectls = findKubectls();
const chosen = kubectls.length > 1 ? [kubectls[0], kubectls[kubectls.length - 1]] : kubectls;

requirement(chosen.length > 0, {
  underCi: 'kubectl is required for the e2e tests under CI=true, and none was found',
  skipping: 'the kubectl e2e tests: no kubectl found on this machine',
});

function kubectl(
  binary: KubectlBinary,
  kubeconfig: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Async: the provider and the API server live in this process and must keep answering.
    execFile(
      binary.path,
      [`--kubeconfig=${kubeconfig}`, ...args],
      { env: { ...baseEnvironment(), HOME: tempDir('home') }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(chosen.length === 0).each(chosen as KubectlBinary[])('kubectl $version', (binary) => {
  const provider = useRigProvider();
  let api: ApiServer;

  beforeAll(async () => {
    api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
  });
  afterAll(async () => {
    await api.close();
  });

  function kubeconfigFor(
    args: string[],
    interactiveMode: 'Never' | 'IfAvailable' = 'IfAvailable',
    server = api,
    {
      clientId = publicClientId,
      browser = true,
      env = {} as Record<string, string>,
      cacheDir = join(tempDir('cache'), 'oidc-login'),
      issuer = provider.issuer,
    } = {},
  ): string {
    const path = join(tempDir('kubeconfig'), 'config');
    writeKubeconfig({
      path,
      serverUrl: server.url,
      caPem: server.caPem,
      pluginCommand: pluginBin,
      pluginArgs: getTokenFlags(issuer, {
        clientId,
        cacheDir,
        ...(browser ? { browser: browserDriverPath } : {}),
        extra: ['--oidc-extra-scope=email,groups', ...args],
      }),
      interactiveMode,
      env,
    });
    return path;
  }

  it('logs in with a device code while kubectl waits (interactiveMode Never)', async () => {
    const config = kubeconfigFor(['--grant-type=device-code'], 'Never', api, { browser: false });
    const run = startProcess(binary.path, [`--kubeconfig=${config}`, 'auth', 'whoami', '-o', 'json'], {
      HOME: tempDir('home'),
    });
    // kubectl passes the plugin's stderr through: the user sees the URL and code there.
    const [, url] = await run.waitForStderr(/check that it shows the code \S+:\n {2}(\S+)/);
    await completeLoginWithForms(url as string, { login: 'bob', password: 'any' });
    const result = await run.result;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).status.userInfo.username).toBe('bob@example.com');
  });

  it('logs in with the password grant from the kubeconfig, without a terminal', async () => {
    const config = kubeconfigFor(['--username=alice', `--password=${rigPassword}`], 'Never', api, {
      browser: false,
    });
    const result = await kubectl(binary, config, ['auth', 'whoami', '-o', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).status.userInfo.username).toBe('alice@example.com');
  });

  it('authenticates a machine with client credentials and its access token', async () => {
    const forRobots = await startApiServer({
      issuer: provider.issuer,
      audience: robotAudience,
      usernameClaim: 'sub',
    });
    try {
      const config = kubeconfigFor(
        ['--grant-type=client-credentials', '--oidc-use-access-token'],
        'Never',
        forRobots,
        {
          clientId: robotClientId,
          browser: false,
          env: { OIDC_CLIENT_SECRET: robotClientSecret },
        },
      );
      const result = await kubectl(binary, config, ['auth', 'whoami', '-o', 'json']);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).status.userInfo.username).toBe(`${provider.issuer}#${robotClientId}`);
    } finally {
      await forRobots.close();
    }
  });

  it('logs in on the first call, answers from the cache on the next, and refreshes an expired token', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const config = kubeconfigFor([], 'Never', api, { cacheDir });
    provider.resetCounts();

    const whoami = await kubectl(binary, config, ['auth', 'whoami', '-o', 'json']);
    expect(whoami.code, whoami.stderr).toBe(0);
    const review = JSON.parse(whoami.stdout) as {
      status: { userInfo: { username: string; groups: string[] } };
    };
    expect(review.status.userInfo.username).toBe('alice@example.com');
    expect(review.status.userInfo.groups).toEqual(['developers', 'oncall', 'system:authenticated']);
    expect(provider.grants.get('authorization_code')).toBe(1);

    provider.resetCounts();
    const version = await kubectl(binary, config, ['get', '--raw', '/version']);
    expect(version.code, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout).gitVersion).toBe('v1.32.0-rig');
    expect(provider.totalRequests()).toBe(0);

    // Expired as the cache sees it (a token that really expires would race the cache hit above on a slow machine).
    ageEntryOvernight(cacheDir);
    provider.resetCounts();
    const afterExpiry = await kubectl(binary, config, ['get', '--raw', '/version']);
    expect(afterExpiry.code, afterExpiry.stderr).toBe(0);
    expect(provider.grants.get('refresh_token')).toBe(1);
    expect(provider.grants.get('authorization_code')).toBeUndefined();
    expect(api.authenticated.at(-1)).toBe('alice@example.com');
  });

  it('works as installed: first on PATH, as `kubectl together-login`, and by name from a kubeconfig', async () => {
    // As the installs leave it in a directory early on PATH: the standalone executable moved there, the Node
    // package's entry linked there by npm.
    const bin = tempDir('bin');
    if (pluginBin === nodePluginBin) symlinkSync(pluginBin, join(bin, 'kubectl-together_login'));
    else copyFileSync(pluginBin, join(bin, 'kubectl-together_login'));
    const env = {
      ...baseEnvironment(),
      HOME: tempDir('home'),
      PATH: `${bin}${delimiter}${process.env.PATH}`,
    };
    // A provider of its own with hour-long tokens: the second call must find the first one's token fresh.
    const dayProvider = await startProvider({ idTokenTtlSec: 3600 });
    const dayApi = await startApiServer({ issuer: dayProvider.issuer, audience: publicClientId });
    try {
      const flags = getTokenFlags(dayProvider.issuer, {
        cacheDir: join(tempDir('cache'), 'oidc-login'),
        browser: browserDriverPath,
        extra: ['--oidc-extra-scope=email,groups'],
      });
      // kubectl finds a plugin by its name on PATH only when no flag comes before that name.
      const direct = await runCommand(binary.path, ['together-login', 'get-token', ...flags], env);
      expect(direct.code, direct.stderr).toBe(0);
      expect(JSON.parse(direct.stdout).kind).toBe('ExecCredential');
      expect(dayProvider.grants.get('authorization_code')).toBe(1);

      const config = join(tempDir('kubeconfig'), 'config');
      writeKubeconfig({
        path: config,
        serverUrl: dayApi.url,
        caPem: dayApi.caPem,
        pluginCommand: 'kubectl-together_login',
        pluginArgs: flags,
        interactiveMode: 'Never',
      });
      dayProvider.resetCounts();
      const whoami = () =>
        runCommand(binary.path, [`--kubeconfig=${config}`, 'auth', 'whoami', '-o', 'json'], env);
      const first = await whoami();
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout).status.userInfo.username).toBe('alice@example.com');
      expect(dayProvider.grants.size).toBe(0); // the plugin's cache answered; the API server fetched its keys
      dayProvider.resetCounts();
      expect((await whoami()).code).toBe(0);
      expect(dayProvider.totalRequests()).toBe(0);
    } finally {
      await dayApi.close();
      await dayProvider.close();
    }
  });

  it('the morning after: an expired entry and a dead refresh token cost one login, then the cache answers', async () => {
    // A provider of its own with hour-long tokens: the new token must still be fresh at the last call however slow
    // the machine is (the shared provider's 3 s tokens would expire in between and be refreshed).
    const dayProvider = await startProvider({ idTokenTtlSec: 3600 });
    const dayApi = await startApiServer({ issuer: dayProvider.issuer, audience: publicClientId });
    try {
      const cacheDir = join(tempDir('cache'), 'oidc-login');
      const browsers = join(tempDir('driver'), 'count');
      const config = kubeconfigFor([], 'Never', dayApi, {
        cacheDir,
        env: { RIG_DRIVER_COUNT: browsers },
        issuer: dayProvider.issuer,
      });
      expect((await kubectl(binary, config, ['get', '--raw', '/version'])).code).toBe(0);
      // Overnight: the entry expires, and the provider ends the session, answering its refresh token with
      // invalid_request instead of invalid_grant, as some providers do.
      ageEntryOvernight(cacheDir);
      await dayProvider.revokeRefreshTokens();
      dayProvider.setFault('refresh-refused-as-invalid_request');
      dayProvider.resetCounts();
      const morning = await kubectl(binary, config, ['auth', 'whoami', '-o', 'json']);
      expect(morning.code, morning.stderr).toBe(0);
      expect(JSON.parse(morning.stdout).status.userInfo.username).toBe('alice@example.com');
      expect(morning.stderr).toContain(
        'The identity provider refused the refresh token (invalid_request: session not active); logging in again.',
      );
      expect(dayProvider.grants.get('authorization_code')).toBe(1);
      expect(readFileSync(browsers, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
      dayProvider.setFault(undefined);

      dayProvider.resetCounts();
      const next = await kubectl(binary, config, ['get', '--raw', '/version']);
      expect(next.code, next.stderr).toBe(0);
      expect(dayProvider.totalRequests()).toBe(0);
      expect(dayApi.authenticated.at(-1)).toBe('alice@example.com');
    } finally {
      await dayApi.close();
      await dayProvider.close();
    }
  });

  it('gets a 401 from the API server when the token is for another audience', async () => {
    const strict = await startApiServer({ issuer: provider.issuer, audience: 'some-other-client' });
    try {
      const config = kubeconfigFor([], 'IfAvailable', strict);
      const result = await kubectl(binary, config, ['get', '--raw', '/version']);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/Unauthorized|must be logged in/);
      expect(strict.refused.length).toBeGreaterThan(0);
      expect(strict.refused.every((reason) => reason.includes('aud'))).toBe(true);
    } finally {
      await strict.close();
    }
  });

  it('maps a non-email username claim as issuer#value, like kube-apiserver', async () => {
    const bySub = await startApiServer({
      issuer: provider.issuer,
      audience: publicClientId,
      usernameClaim: 'sub',
    });
    try {
      const result = await kubectl(binary, kubeconfigFor([], 'IfAvailable', bySub), [
        'auth',
        'whoami',
        '-o',
        'json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).status.userInfo.username).toBe(`${provider.issuer}#alice`);
    } finally {
      await bySub.close();
    }
  });

  it('shows the plugin error to the user and fails the kubectl command', async () => {
    const config = kubeconfigFor(['--oidc-pkce-method=bogus']);
    const result = await kubectl(binary, config, ['get', '--raw', '/version']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('error: --oidc-pkce-method must be one of auto|no|S256, not "bogus"');
  });
});
