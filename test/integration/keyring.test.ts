/**
 * --token-cache-storage=keyring against a real Secret Service (GNOME Keyring on a private D-Bus session), the real
 * provider, and the real kubectl. Under CI=true missing keyring tools fail the run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiServer } from '../rig/api-server.js';
import { pluginBin } from '../rig/build.js';
import { type KeyringSession, keyringToolsPresent, startKeyringSession } from '../rig/keyring.js';
import { findKubectls, writeKubeconfig } from '../rig/kubectl.js';
import { expectOneError } from '../rig/one-error.js';
import { loginArgs, parseCredential, runPlugin, tempDir } from '../rig/plugin.js';
import { defaultUsers, publicClientId } from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

if (!keyringToolsPresent) {
  if (process.env.CI === 'true')
    throw new Error('dbus, gnome-keyring and libsecret-tools are required under CI=true');
  console.warn('\n*** SKIPPING the keyring tests: install dbus gnome-keyring libsecret-tools ***\n');
}

const service = 'kubectl-together_login';
// A user in 300 groups: the cached entry far exceeds one keyring item on Windows, so it is split.
const manyGroups = {
  id: 'carol',
  email: 'carol@example.com',
  groups: Array.from({ length: 300 }, (_, i) => `team-${i}`),
};

describe.skipIf(!keyringToolsPresent)('keyring token storage', () => {
  let keyring: KeyringSession;
  const provider = useRigProvider({ users: [...defaultUsers, manyGroups] });
  let cacheDir: string;

  beforeAll(async () => {
    keyring = await startKeyringSession();
  });
  afterAll(async () => {
    await keyring.close();
  });
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    provider.resetCounts();
  });

  // Token files only: lock directories and the cached provider metadata (not secret) live there for every storage.
  const entryFiles = () =>
    existsSync(cacheDir)
      ? readdirSync(cacheDir).filter((name) => !name.endsWith('.lock') && !name.includes('-provider-'))
      : [];

  it('logs in, keeps the tokens in the keyring only, and answers the next call from it', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--token-cache-storage=keyring']);
    const first = await runPlugin(args, keyring.env);
    expect(first.code, first.stderr).toBe(0);
    expect(entryFiles()).toEqual([]);
    const accounts = keyring.accounts(service);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatch(/^[0-9a-f]{64}$/);

    provider.resetCounts();
    const second = await runPlugin(args, keyring.env);
    expect(second.code, second.stderr).toBe(0);
    expect(parseCredential(second.stdout).token).toBe(parseCredential(first.stdout).token);
    expect(provider.totalRequests()).toBe(0);
  });

  it('a login that just failed fails fast with keyring storage too (the login record lives beside the lock)', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      '--token-cache-storage=keyring',
      '--token-cache-hint=nobody-logs-in',
      '--skip-open-browser',
      '--authentication-timeout-sec=1',
    ]);
    const accountsBefore = keyring.accounts(service);
    expect((await runPlugin(args, keyring.env)).code).toBe(4);
    provider.resetCounts();
    const again = await runPlugin(args, keyring.env);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('The last login failed');
    expect(provider.totalRequests()).toBe(0);
    expect(entryFiles()).toEqual([expect.stringMatching(/^together-login-v1-[0-9a-f]{64}\.login$/)]);
    // Nothing of a failed login goes to the keyring.
    expect(keyring.accounts(service)).toEqual(accountsBefore);
  });

  it('splits a large entry over several items and reads it back', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      '--token-cache-storage=keyring',
      '--oidc-extra-scope=groups',
      '--token-cache-hint=carol',
    ]);
    const first = await runPlugin(args, { ...keyring.env, RIG_LOGIN: 'carol' });
    expect(first.code, first.stderr).toBe(0);
    expect((decodeJwt(parseCredential(first.stdout).token).groups as string[]).length).toBe(300);
    // The head item `<key>` and at least one continuation item `<key>#<write id>#1`.
    const continuations = keyring
      .accounts(service)
      .filter((account) => /^[0-9a-f]{64}#[\w-]+#\d+$/.test(account));
    expect(continuations.length).toBeGreaterThanOrEqual(1);
    provider.resetCounts();
    const second = await runPlugin(args, keyring.env);
    expect(second.code, second.stderr).toBe(0);
    expect(provider.totalRequests()).toBe(0);
  });

  it('fails with exit code 6 and names the alternatives when no keyring is reachable', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--token-cache-storage=keyring']);
    const result = await runPlugin(args, { HOME: keyring.env.HOME as string });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('error: no OS keyring is reachable');
    expect(result.stderr).toContain('hint: unlock or start your keyring');
    expect(result.stderr).toContain('--token-cache-storage=disk, encrypted or none');
    expect(provider.totalRequests()).toBe(0);
  });

  it('encrypted without KUBECTL_TOGETHER_LOGIN_CACHE_KEY and without a keyring: exit 6 before any login, as keyring', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--token-cache-storage=encrypted']);
    const result = await runPlugin(args, { HOME: keyring.env.HOME as string });
    expect(result.code, result.stderr).toBe(6);
    expectOneError(
      result.stderr,
      /^error: the encrypted token cache needs a key: KUBECTL_TOGETHER_LOGIN_CACHE_KEY is not set, and no OS keyring is reachable to keep one/,
      /^hint: set KUBECTL_TOGETHER_LOGIN_CACHE_KEY to a key made with: openssl rand -base64 32; or choose --token-cache-storage=disk .* or none$/,
    );
    expect(result.stdout).toBe('');
    expect(provider.totalRequests()).toBe(0);
  });

  it('replaces a split entry without leaving the old items behind', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      '--token-cache-storage=keyring',
      '--oidc-extra-scope=groups',
      '--token-cache-hint=carol-again',
    ]);
    expect((await runPlugin(args, { ...keyring.env, RIG_LOGIN: 'carol' })).code).toBe(0);
    const before = keyring.accounts(service).length;
    const forced = await runPlugin([...args, '--force-refresh'], keyring.env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(provider.grants.get('refresh_token')).toBe(1);
    expect(keyring.accounts(service).length).toBe(before);
  });

  it('encrypts the disk cache with a key it keeps in the keyring', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      '--token-cache-storage=encrypted',
      '--token-cache-hint=enc',
    ]);
    const first = await runPlugin(args, keyring.env);
    expect(first.code, first.stderr).toBe(0);
    const files = entryFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^together-login-v1-[0-9a-f]{64}\.enc$/);
    expect(readFileSync(join(cacheDir, files[0] as string), 'utf8')).not.toContain(
      parseCredential(first.stdout).token,
    );
    expect(keyring.accounts(service)).toContain('encryption-key');
    provider.resetCounts();
    const second = await runPlugin(args, keyring.env);
    expect(parseCredential(second.stdout).token).toBe(parseCredential(first.stdout).token);
    expect(provider.totalRequests()).toBe(0);

    // status decrypts with the keyring's key; without a keyring it still knows issuer and client, and says why not more.
    const statusArgs = [
      'status',
      `--token-cache-dir=${cacheDir}`,
      '--token-cache-storage=encrypted',
      '-o',
      'json',
    ];
    const [withKey] = JSON.parse((await runPlugin(statusArgs, keyring.env)).stdout).identities;
    expect(withKey).toMatchObject({
      storage: 'encrypted',
      subject: 'alice',
      refreshToken: true,
      problem: null,
    });
    const [withoutKey] = JSON.parse(
      (await runPlugin(statusArgs, { HOME: keyring.env.HOME as string })).stdout,
    ).identities;
    expect(withoutKey).toMatchObject({
      storage: 'encrypted',
      issuer: provider.issuer,
      clientId: publicClientId,
      subject: null,
    });
    expect(withoutKey.problem).toMatch(
      /^encrypted, no usable key \(the encrypted token cache needs a key: KUBECTL_TOGETHER_LOGIN_CACHE_KEY is not set, and no OS keyring is reachable/,
    );
  });

  it.each(['keyring', 'encrypted'])(
    'works through the real kubectl with --token-cache-storage=%s',
    async (storage) => {
      const [kubectl] = findKubectls().reverse();
      if (!kubectl) throw new Error('kubectl is required (see test/e2e/kubectl.test.ts)');
      const api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
      try {
        const kubeconfig = join(tempDir('kubeconfig'), 'config');
        writeKubeconfig({
          path: kubeconfig,
          serverUrl: api.url,
          caPem: api.caPem,
          pluginCommand: pluginBin,
          pluginArgs: loginArgs(provider.issuer, publicClientId, cacheDir, [
            `--token-cache-storage=${storage}`,
            '--oidc-extra-scope=email',
            `--token-cache-hint=kubectl-${storage}`,
          ]).slice(1),
        });
        for (let i = 0; i < 2; i++) {
          const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
            execFile(
              kubectl.path,
              [`--kubeconfig=${kubeconfig}`, 'auth', 'whoami', '-o', 'json'],
              { env: keyring.env },
              (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
            ),
          );
          expect(result.code, result.stderr).toBe(0);
          expect(JSON.parse(result.stdout).status.userInfo.username).toBe('alice@example.com');
        }
        expect(provider.grants.get('authorization_code')).toBe(1);
      } finally {
        await api.close();
      }
    },
  );

  it("clean --kubelogin-cache removes int128/kubelogin's keyring items (service kubelogin) and no other item", async () => {
    // As zalando/go-keyring stores them for int128: attributes service and username, the account named by its cache key.
    const store = (attributes: string[], secret: string) =>
      execFileSync('secret-tool', ['store', '--label=rig kubelogin', ...attributes], {
        env: keyring.env,
        input: secret,
      });
    const int128 = ['a', 'b'].map((c) => `kubelogin/tokencache/${c.repeat(64)}`);
    for (const account of int128)
      store(['service', 'kubelogin', 'username', account], '{"id_token":"x.y.z"}');
    // Not int128's: another account shape under its service, and its account shape under another service.
    store(['service', 'kubelogin', 'username', 'kubelogin/tokencache/not-a-hash'], 'keep');
    store(['service', 'kubelogin', 'username', 'e'.repeat(64)], 'keep');
    store(['service', 'other-tool', 'username', `kubelogin/tokencache/${'c'.repeat(64)}`], 'keep');
    // One of ours, under our service with an int128-like account: it stays too.
    store(['service', service, 'username', 'f'.repeat(64)], 'ours');
    const ours = keyring.accounts(service).sort();
    const dir = join(tempDir('cache'), 'oidc-login');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'd'.repeat(64)), '{"id_token":"x.y.z"}', { mode: 0o600 });

    const cleaned = await runPlugin(['clean', '--kubelogin-cache', `--token-cache-dir=${dir}`], keyring.env);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    for (const account of int128)
      expect(cleaned.stdout).toContain(`removed int128/kubelogin keyring item: kubelogin/${account}\n`);
    expect(cleaned.stdout).toContain(
      `Removed 1 int128/kubelogin file(s) in ${dir} and 2 int128/kubelogin keyring item(s) (service kubelogin); this plugin's entries are untouched.`,
    );
    expect(keyring.accounts('kubelogin').sort()).toEqual(['e'.repeat(64), 'kubelogin/tokencache/not-a-hash']);
    expect(keyring.accounts('other-tool')).toEqual([`kubelogin/tokencache/${'c'.repeat(64)}`]);
    expect(keyring.accounts(service).sort()).toEqual(ours);
    expect(readdirSync(dir)).toEqual([]);

    const again = await runPlugin(
      ['clean', '--kubelogin-cache', '--token-cache-storage=keyring', `--token-cache-dir=${dir}`],
      keyring.env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('Nothing removed: 0 int128/kubelogin keyring item(s) (service kubelogin).\n');
  });

  it('clean --kubelogin-cache without a reachable keyring: the files, and a note (exit 0); exit 6 when the keyring was asked for', async () => {
    const dir = join(tempDir('cache'), 'oidc-login');
    const noKeyring = { HOME: keyring.env.HOME as string };
    const files = await runPlugin(['clean', '--kubelogin-cache', `--token-cache-dir=${dir}`], noKeyring);
    expect(files.code, files.stderr).toBe(0);
    expect(files.stdout).toMatch(
      /^Nothing removed: 0 int128\/kubelogin file\(s\) in .*\.\nNote: the keyring was not searched \(no OS keyring is reachable: .*\)\.\n$/,
    );
    const asked = await runPlugin(
      ['clean', '--kubelogin-cache', '--token-cache-storage=keyring', `--token-cache-dir=${dir}`],
      noKeyring,
    );
    expect(asked.code).toBe(6);
    expectOneError(asked.stderr, /^error: no OS keyring is reachable: /);
  });

  it('lists and cleans the keyring entries, continuation items included, keeping the encryption key', async () => {
    const listed = await runPlugin(['status', '--token-cache-storage=keyring', '-o', 'json'], keyring.env);
    expect(listed.code, listed.stderr).toBe(0);
    const identities = JSON.parse(listed.stdout).identities as {
      storage: string;
      email: string | null;
      groups: string[];
    }[];
    expect(identities.length).toBeGreaterThanOrEqual(2);
    expect(identities.every((identity) => identity.storage === 'keyring')).toBe(true);
    expect(identities.some((identity) => identity.groups.length === 300)).toBe(true);

    const cleaned = await runPlugin(['clean', '--token-cache-storage=keyring'], keyring.env);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(cleaned.stdout).toContain(`Removed ${identities.length} cached identities.`);
    expect(keyring.accounts(service)).toEqual(['encryption-key']);
  });
});
