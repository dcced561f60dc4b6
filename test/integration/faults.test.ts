/**
 * The fault matrix: the provider misbehaves in one way at a time; each case ends in a clear error with the
 * documented exit code, and the previously working cache entry is still there, byte for byte.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectOneError } from '../rig/one-error.js';
import { loginArgs, parseCredential, runPlugin, runSetup, tempDir } from '../rig/plugin.js';
import {
  newRigStorage,
  publicClientId,
  type RigFault,
  slowTokenDelayMs,
  startProvider,
} from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('fault matrix', () => {
  const provider = useRigProvider();

  const entryOf = (dir: string) => {
    const file = readdirSync(dir).find((name) => /^together-login-v1-[0-9a-f]{64}\.json$/.test(name));
    return file ? readFileSync(join(dir, file), 'utf8') : undefined;
  };

  // Faults met while refreshing a cached identity (the refresh path validates the new ID token too).
  it.each([
    ['token-500', 'error: the identity provider failed (HTTP 500'],
    ['id-token-bad-signature', "error: the identity provider's refresh response is not acceptable"],
    [
      'id-token-wrong-aud',
      'error: the identity provider\'s refresh response is not acceptable: unexpected JWT "aud"',
    ],
    [
      'id-token-wrong-iss',
      'error: the identity provider\'s refresh response is not acceptable: unexpected JWT "iss"',
    ],
    ['id-token-expired', "error: the identity provider's refresh response is not acceptable"],
  ] as [RigFault, string][])('refresh with %s: exit code 3, entry kept', async (fault, message) => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args)).code).toBe(0);
    const before = entryOf(cacheDir);
    provider.setFault(fault);
    const result = await runPlugin([...args, '--force-refresh']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/\nhint: /);
    expect(result.stdout).toBe('');
    expect(entryOf(cacheDir)).toBe(before);
  });

  // Faults met during a login (discovery, the code exchange, the keys).
  it.each([
    [
      'discovery-malformed',
      "error: the identity provider's discovery response is not acceptable",
      '.well-known/openid-configuration must be an OpenID discovery document',
    ],
    [
      'discovery-issuer-mismatch',
      'error: the provider\'s discovery document names the issuer "http://127.0.0.1:',
      'exactly (and the same in kube-apiserver',
    ],
    [
      'id-token-wrong-nonce',
      'error: the identity provider\'s login response is not acceptable: unexpected ID Token "nonce"',
      'hint: ',
    ],
    ['jwks-empty', "error: the identity provider's login response is not acceptable", 'hint: '],
  ] as [RigFault, string, string][])(
    'login with %s: exit code 3, nothing cached',
    async (fault, message, hint) => {
      const cacheDir = join(tempDir('cache'), 'oidc-login');
      provider.setFault(fault);
      const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir));
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(hint);
      expect(existsSync(cacheDir) ? entryOf(cacheDir) : undefined).toBeUndefined();
    },
  );

  it('a provider slower than --provider-request-timeout: exit code 3 in time, entry kept', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    // The login itself without the short timeout: on a loaded machine a healthy request can take a second.
    expect((await runPlugin(args)).code).toBe(0);
    const before = entryOf(cacheDir);
    provider.setFault('token-slow');
    const started = Date.now();
    const result = await runPlugin([...args, '--force-refresh', '--provider-request-timeout=1s']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('error: cannot reach the identity provider');
    expect(result.stderr).toContain('timed out');
    // Gave up on its own, long before the provider would have answered.
    expect(Date.now() - started).toBeLessThan(slowTokenDelayMs - 2000);
    expect(entryOf(cacheDir)).toBe(before);
  });

  it('a clock 15 minutes off the provider: get-token and setup name the skew', async () => {
    provider.setFault('clock-15-min-behind');
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const skew =
      /^error: this machine's clock is 15 min ahead of the identity provider's \(its Date header\), so its token looks expired here$/;
    const ntp = /^hint: set this machine's clock right \(turn on network time: NTP\)/;
    const login = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir));
    expect(login.code, login.stderr).toBe(3);
    expectOneError(login.stderr, skew, ntp);
    // setup says it in its checklist.
    const setup = await runSetup(provider.issuer);
    expect(setup.code, setup.stderr).toBe(3);
    expect(setup.stderr).toContain(
      "✗ login (authcode): this machine's clock is 15 min ahead of the identity provider's (its Date header)",
    );
    expect(setup.stderr).toContain("    fix: set this machine's clock right (turn on network time: NTP)");
  });

  it('an https:// issuer whose server speaks plain HTTP: the hint says so, not the certificate', async () => {
    const https = provider.issuer.replace(/^http:/, 'https:');
    const result = await runPlugin(loginArgs(https, publicClientId, join(tempDir('cache'), 'c')));
    expect(result.code).toBe(3);
    expectOneError(
      result.stderr,
      /^error: cannot reach the identity provider at https:/,
      new RegExp(
        `^hint: the server does not speak TLS \\(it answered in plain HTTP\\): is the issuer ${provider.issuer}\\?$`,
      ),
    );
  });

  it('retries a discovery answered with 503', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    provider.setFault('discovery-503-once');
    provider.resetCounts();
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir, ['-v=1']));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('the provider answered HTTP 503; retrying in 250 ms');
    expect(provider.requests.get('/.well-known/openid-configuration')).toBe(2);
  });

  it('cache directory that is a file: exit code 6 before any login, and the file is untouched', async () => {
    const file = join(tempDir('cache'), 'not-a-directory');
    writeFileSync(file, 'precious');
    provider.resetCounts();
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, file));
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(`error: cannot write the token cache in ${file}`);
    expect(result.stderr).toContain(
      'hint: make the directory writable, choose another one with --token-cache-dir',
    );
    expect(provider.grants.size).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  it('follows a key rotation: a refreshed token signed with an unknown kid makes it fetch the keys again', async () => {
    const storage = newRigStorage();
    const before = await startProvider({ storage, keyId: 'rig-key-old' });
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(before.issuer, publicClientId, cacheDir, ['--force-refresh']);
    try {
      expect((await runPlugin(args)).code).toBe(0);
    } finally {
      await before.close();
    }
    // The same provider (issuer, port, grants) comes back signing with a new key.
    const after = await startProvider({ storage, keyId: 'rig-key-new', port: before.port });
    try {
      const result = await runPlugin(args);
      expect(result.code, result.stderr).toBe(0);
      expect(decodeProtectedHeader(parseCredential(result.stdout).token).kid).toBe('rig-key-new');
      expect(after.requests.get('/jwks')).toBe(1);
      expect(after.requests.get('/.well-known/openid-configuration')).toBeUndefined();
      expect(after.grants.get('refresh_token')).toBe(1);
    } finally {
      await after.close();
    }
  });

  it('refresh without an id_token (as Entra ID answers): the access token still serves --oidc-use-access-token', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--oidc-use-access-token']);
    const first = await runPlugin(args);
    expect(first.code).toBe(0);
    provider.setFault('refresh-without-id-token');
    provider.resetCounts();
    const refreshed = await runPlugin([...args, '--force-refresh']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(parseCredential(refreshed.stdout).token).not.toBe(parseCredential(first.stdout).token);
    expect(provider.grants.get('authorization_code')).toBeUndefined();
  });

  it('refresh without an id_token, ID token wanted: says so and logs in again', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args)).code).toBe(0);
    provider.setFault('refresh-without-id-token');
    provider.resetCounts();
    const result = await runPlugin([...args, '--force-refresh']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('The identity provider refreshed without an ID token; logging in again.');
    expect(provider.grants.get('authorization_code')).toBe(1);
  });
});
