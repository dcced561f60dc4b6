/**
 * What real providers do differently, each a switch of the rig provider: a consent the user declines (access_denied
 * from the consent page, or consent_required), offline_access that gives a refresh token only with prompt=consent,
 * `aud` as an array and groups in a different order on each login.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../rig/api-server.js';
import { pluginBin } from '../rig/build.js';
import { readDriverLog } from '../rig/driver-log.js';
import { findKubectls, writeKubeconfig } from '../rig/kubectl.js';
import { expectOneError } from '../rig/one-error.js';
import { loginArgs, parseCredential, runPlugin, runSetup, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
}

/** The lines of stdout after a `# …` heading that starts with `heading`, up to the next heading. */
function printedSection(stdout: string, heading: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`# ${heading}`));
  if (start < 0) throw new Error(`setup printed no section "${heading}":\n${stdout}`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('# '));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('a declined consent', () => {
  const provider = useRigProvider();
  const consentRequired = useRigProvider({ declinedConsentError: 'consent_required' });
  let cacheDir: string;
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
  });

  it.each([
    ['access_denied from the consent page', () => provider, 'access_denied: End-User aborted interaction'],
    ['consent_required', () => consentRequired, 'consent_required: the user did not consent'],
  ] as const)('%s: exit code 4, "you declined the consent at the provider"', async (_, which, answer) => {
    const driverLog = join(tempDir('driver'), 'log');
    const result = await runPlugin(loginArgs(which().issuer, publicClientId, cacheDir), {
      RIG_DRIVER_MODE: 'decline-consent',
      RIG_DRIVER_LOG: driverLog,
    });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain(`error: you declined the consent at the provider (${answer})`);
    expect(result.stderr).toMatch(/^hint: run the command again and allow the access the provider asks for/m);
    expect(result.stderr).not.toContain('client registration');
    expect(await readDriverLog(driverLog)).toContain('declining the consent');
    const entries = existsSync(cacheDir)
      ? readdirSync(cacheDir).filter((name) => /^together-login-v1-[0-9a-f]{64}\.json$/.test(name))
      : [];
    expect(entries).toEqual([]);
  });
});

describe('offline_access that needs a consent prompt', () => {
  const provider = useRigProvider({ refreshOnlyWithOfflineAccess: true });

  it('setup suggests prompt=consent when offline_access gave no refresh token, and that works', async () => {
    const without = await runSetup(provider.issuer, ['--oidc-extra-scope=offline_access']);
    expect(without.code, without.stderr).toBe(0);
    expect(without.stderr).toContain('! refresh token: none issued: every expiry means a new login');
    expect(without.stderr).toContain('fix: add --oidc-auth-request-extra-params=prompt=consent');

    const withPrompt = await runSetup(provider.issuer, [
      '--oidc-extra-scope=offline_access',
      '--oidc-auth-request-extra-params=prompt=consent',
    ]);
    expect(withPrompt.code, withPrompt.stderr).toBe(0);
    expect(withPrompt.stderr).toMatch(/✓ refresh token: /);
  });
});

describe('aud as an array and groups in a different order on each login', () => {
  const provider = useRigProvider({ audienceArray: true, rotateGroups: true });
  let api: ApiServer;
  beforeAll(async () => {
    api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
  });
  afterAll(async () => {
    await api.close();
  });

  it('setup predicts the same identity and prints the same RBAC commands each time', async () => {
    const runs = [await runSetup(provider.issuer), await runSetup(provider.issuer)];
    const [first, second] = runs.map((run) => {
      expect(run.code, run.stderr).toBe(0);
      return run.stdout;
    }) as [string, string];
    const groupsOf = (stdout: string) =>
      JSON.parse(printedSection(stdout, 'Claims').split('\n').slice(1).join('\n')).groups;
    // The provider really did change the order, and put aud in an array.
    expect(groupsOf(first)).not.toEqual(groupsOf(second));
    expect(JSON.parse(printedSection(first, 'Claims').split('\n').slice(1).join('\n')).aud).toEqual([
      publicClientId,
    ]);
    expect(printedSection(first, 'RBAC')).toBe(printedSection(second, 'RBAC'));
    expect(printedSection(first, 'RBAC')).toContain('--group=developers');
    const identity = (stdout: string) =>
      /^# kube-apiserver will see: user (\S+), groups (.*)$/m.exec(stdout)?.slice(1) ?? [];
    const [user1, groups1] = identity(first);
    const [user2, groups2] = identity(second);
    expect(user1).toBe('alice@example.com');
    expect(user2).toBe(user1);
    expect(groups1?.split(', ').sort()).toEqual(groups2?.split(', ').sort());
  });

  it('get-token, status and the real kubectl treat them as the same identity', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--oidc-extra-scope=email,groups']);
    const login = await runPlugin(args);
    expect(login.code, login.stderr).toBe(0);
    expect(claimsOf(parseCredential(login.stdout).token).aud).toEqual([publicClientId]);
    const status1 = await runPlugin(['status', `--token-cache-dir=${cacheDir}`, '--output=json']);
    const refreshed = await runPlugin([...args, '--force-refresh']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    const token2 = parseCredential(refreshed.stdout).token;
    expect(claimsOf(token2).groups).not.toEqual(claimsOf(parseCredential(login.stdout).token).groups);
    const status2 = await runPlugin(['status', `--token-cache-dir=${cacheDir}`, '--output=json']);
    const groupsIn = (stdout: string) => JSON.parse(stdout).identities[0].groups;
    expect(groupsIn(status1.stdout)).toEqual(['developers', 'oncall']);
    expect(groupsIn(status2.stdout)).toEqual(groupsIn(status1.stdout));

    const [kubectl] = findKubectls();
    if (!kubectl) throw new Error('kubectl is required for this test');
    const kubeconfig = join(tempDir('kubeconfig'), 'config');
    writeKubeconfig({
      path: kubeconfig,
      serverUrl: api.url,
      caPem: api.caPem,
      pluginCommand: pluginBin,
      pluginArgs: args.slice(1),
    });
    const whoami = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        kubectl.path,
        [`--kubeconfig=${kubeconfig}`, 'auth', 'whoami', '-o', 'json'],
        { env: { PATH: process.env.PATH ?? '', HOME: tempDir('home') } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(whoami.code, whoami.stderr).toBe(0);
    const userInfo = JSON.parse(whoami.stdout).status.userInfo;
    expect(userInfo.username).toBe('alice@example.com');
    expect([...userInfo.groups].sort()).toEqual(['developers', 'oncall', 'system:authenticated']);
  });
});

/**
 * Discovery behind a redirect, as a common Django deployment serves it: a provider answering
 * `/.well-known/openid-configuration` with 301 to the same path plus `/`. Followed within the issuer's origin, as Go
 * clients (kube-apiserver, int128) follow it; one to another origin is named with its status and Location.
 */
describe('discovery behind a 301 redirect', () => {
  const sameOrigin = useRigProvider({ discoveryRedirect: 'same-origin' });
  const otherOrigin = useRigProvider({ discoveryRedirect: 'other-origin' });

  it('follows a redirect within the origin: login and setup work', async () => {
    const result = await runPlugin(loginArgs(sameOrigin.issuer, publicClientId, join(tempDir('cache'), 'c')));
    expect(result.code, result.stderr).toBe(0);
    expect(sameOrigin.requests.get('/.well-known/openid-configuration/')).toBeGreaterThan(0);
    const setup = await runSetup(sameOrigin.issuer);
    expect(setup.code, setup.stderr).toBe(0);
  });

  it('names the status and the Location of a redirect to another origin, which it does not follow', async () => {
    const result = await runPlugin(
      loginArgs(otherOrigin.issuer, publicClientId, join(tempDir('cache'), 'c')),
    );
    expect(result.code).toBe(3);
    expectOneError(
      result.stderr,
      new RegExp(
        `^error: no discovery document at ${otherOrigin.issuer}/\\.well-known/openid-configuration: HTTP 301 redirects to http://localhost:${otherOrigin.port}/\\.well-known/openid-configuration/ \\(redirects are followed within ${otherOrigin.issuer} only`,
      ),
      /^hint: check --oidc-issuer-url/,
    );
    expect(otherOrigin.requests.get('/.well-known/openid-configuration/')).toBeUndefined();
  });
});
