/**
 * The built plugin, run as a separate process the way kubectl runs it, against a real OpenID Provider on loopback.
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { readDriverLog } from '../rig/driver-log.js';
import { waitUntilExpired } from '../rig/expiry.js';
import { getTokenArgs, loginArgs, parseCredential, runPlugin, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  publicClientId,
  startProvider,
} from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

const v1 = JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  spec: { interactive: false },
});

function cacheFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : [];
}

function readEntry(dir: string): Record<string, string | number> {
  const [file] = cacheFiles(dir);
  if (!file) throw new Error(`no cache entry in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('get-token against a real OpenID Provider', () => {
  const provider = useRigProvider({ idTokenTtlSec: 300 });
  let cacheDir: string;
  let driverLog: string;
  const env = () => ({ KUBERNETES_EXEC_INFO: v1, RIG_DRIVER_LOG: driverLog });

  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    driverLog = join(tempDir('driver'), 'driver.log');
    provider.resetCounts();
  });

  it('logs in through the browser once, then answers from the cache without any provider request', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--oidc-extra-scope=email,groups']);
    const first = await runPlugin(args, env());
    expect(first.stderr).toContain('Open this URL in your browser to log in:');
    expect(first.code).toBe(0);
    const credential = parseCredential(first.stdout);
    expect(credential.apiVersion).toBe('client.authentication.k8s.io/v1');
    const claims = decodeJwt(credential.token);
    expect(claims).toMatchObject({
      iss: provider.issuer,
      aud: publicClientId,
      sub: 'alice',
      email: 'alice@example.com',
    });
    expect(claims.groups).toEqual(['developers', 'oncall']);
    // stdout is exactly one ExecCredential document.
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    // expirationTimestamp lies before the token's real expiry, by the 30 s margin.
    expect(Date.parse(credential.expirationTimestamp) / 1000).toBeLessThanOrEqual(
      (claims.exp as number) - 30,
    );
    expect(provider.grants.get('authorization_code')).toBe(1);

    provider.resetCounts();
    const second = await runPlugin(args, env());
    expect(second.code).toBe(0);
    expect(parseCredential(second.stdout).token).toBe(credential.token);
    expect(provider.totalRequests()).toBe(0);
    expect(second.stderr).toBe('');
  });

  it('sends PKCE S256, state and nonce, and the exact registered redirect URI', async () => {
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir, ['-v=1']), env());
    expect(result.code).toBe(0);
    const url = new URL(/(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(result.stderr)?.[1] ?? '');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:8000');
    expect(provider.grantErrors).toEqual([]);
  });

  it('echoes a v1beta1 request, and answers v1beta1 when KUBERNETES_EXEC_INFO is absent', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    const beta = await runPlugin(args, {
      ...env(),
      KUBERNETES_EXEC_INFO: JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        kind: 'ExecCredential',
        spec: {},
      }),
    });
    expect(parseCredential(beta.stdout).apiVersion).toBe('client.authentication.k8s.io/v1beta1');
    const manual = await runPlugin(args, { RIG_DRIVER_LOG: driverLog });
    expect(parseCredential(manual.stdout).apiVersion).toBe('client.authentication.k8s.io/v1beta1');
  });

  it('runs 20 parallel calls on an empty cache into exactly one login, all printing the same token', async () => {
    const countFile = join(tempDir('count'), 'runs');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => runPlugin(args, { ...env(), RIG_DRIVER_COUNT: countFile })),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const tokens = new Set(results.map((result) => parseCredential(result.stdout).token));
    expect(tokens.size).toBe(1);
    expect(provider.grants.get('authorization_code')).toBe(1);
    expect(readFileSync(countFile, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('writes no cache with --token-cache-storage=none and logs in every time', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--token-cache-storage=none']);
    for (let i = 0; i < 2; i++) expect((await runPlugin(args, env())).code).toBe(0);
    expect(provider.grants.get('authorization_code')).toBe(2);
    expect(cacheFiles(cacheDir)).toEqual([]);
  });

  it('runs parallel calls without a cache as independent logins, on the two callback ports', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--token-cache-storage=none']);
    const results = await Promise.all(Array.from({ length: 2 }, () => runPlugin(args, env())));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(provider.grants.get('authorization_code')).toBe(2);
  });

  it('needs no cache directory and takes no lock with --token-cache-storage=none', async () => {
    // A file where the directory would be: neither it nor anything under it can be created.
    const blocked = join(tempDir('blocked'), 'file');
    writeFileSync(blocked, 'not a directory');
    const args = loginArgs(provider.issuer, publicClientId, join(blocked, 'oidc-login'), [
      '--token-cache-storage=none',
    ]);
    const result = await runPlugin(args, env());
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(blocked, 'utf8')).toBe('not a directory');
    const withDisk = await runPlugin(
      loginArgs(provider.issuer, publicClientId, join(blocked, 'oidc-login')),
      env(),
    );
    expect(withDisk.code).toBe(6);
    expect(withDisk.stderr).toContain('--token-cache-storage=none');
  });

  it('falls back to port 18000 when 8000 is taken', async () => {
    const blocker = await occupy(8000);
    try {
      const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir, ['-v=1']), env());
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('redirect_uri=http%3A%2F%2Flocalhost%3A18000');
    } finally {
      blocker.close();
    }
  });

  it('fails with exit code 2 and a hint when every listen address is taken', async () => {
    const blockers = [await occupy(8000), await occupy(18000)];
    try {
      const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), env());
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'error: cannot start the callback server: 127.0.0.1:8000 is in use; 127.0.0.1:18000 is in use',
      );
      expect(result.stderr).toContain('hint: ');
      expect(result.stdout).toBe('');
    } finally {
      for (const blocker of blockers) blocker.close();
    }
  });

  it('uses the --listen-address list', async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, ['--listen-address=127.0.0.1:0']),
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('localhost%3A8000');
  });

  it('authenticates a confidential client with OIDC_CLIENT_SECRET', async () => {
    const args = loginArgs(provider.issuer, confidentialClientId, cacheDir);
    const result = await runPlugin(args, { ...env(), OIDC_CLIENT_SECRET: confidentialClientSecret });
    expect(result.code, result.stderr).toBe(0);
    expect(decodeJwt(parseCredential(result.stdout).token).aud).toBe(confidentialClientId);
    const wrong = await runPlugin(args, {
      ...env(),
      OIDC_CLIENT_SECRET: 'wrong-secret',
      RIG_DRIVER_LOG: driverLog,
    });
    expect(wrong.code).toBe(0); // the cached token is still valid: no request, no secret needed
    const forced = await runPlugin([...args, '--force-refresh'], {
      ...env(),
      OIDC_CLIENT_SECRET: 'wrong-secret',
    });
    expect(forced.code).toBe(3);
    expect(forced.stderr).toContain('error: the identity provider refused the refresh (invalid_client');
    expect(forced.stderr).not.toContain('wrong-secret');
  });

  it('gives kubectl the access token with --oidc-use-access-token', async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, ['--oidc-use-access-token']),
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(parseCredential(result.stdout).token).toBe(readEntry(cacheDir).accessToken);
  });

  it('ignores a callback with a foreign state and completes the real one', async () => {
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), {
      ...env(),
      RIG_DRIVER_MODE: 'wrong-state-first',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(await readDriverLog(driverLog)).toContain('wrong-state callback: HTTP 400');
    expect(provider.grants.get('authorization_code')).toBe(1);
  });

  it('fails with exit code 4 when the user denies access, keeping the cache entry it had', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args, env())).code).toBe(0);
    const before = readEntry(cacheDir);
    const result = await runPlugin([...args, '--force-refresh=true', '--token-cache-storage=disk'], {
      ...env(),
      RIG_DRIVER_MODE: 'deny',
    });
    // --force-refresh uses the refresh token first; it is valid, so deny mode is never reached.
    expect(result.code).toBe(0);
    const denied = await runPlugin(loginArgs(provider.issuer, publicClientId, join(tempDir('other'), 'c')), {
      ...env(),
      RIG_DRIVER_MODE: 'deny',
    });
    expect(denied.code).toBe(4);
    expect(denied.stderr).toContain(
      'error: you declined the consent at the provider (access_denied: the user said no)',
    );
    expect(await readDriverLog(driverLog)).toContain('deny callback: HTTP 400');
    expect(readEntry(cacheDir).issuer).toBe(before.issuer);
  });

  it('fails with exit code 3 when the authorization endpoint refuses the client (unauthorized_client), as the token endpoint would', async () => {
    provider.setFault('authorization-refused-as-unauthorized_client');
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), env());
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(
      'error: the identity provider refused the login (unauthorized_client: the client may not use this flow)',
    );
    expect(result.stderr).toContain('hint: check the client registration at the identity provider');
    expect(cacheFiles(cacheDir)).toEqual([]);
  });

  it('times out with exit code 4 when nobody logs in, and releases the port', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      '--skip-open-browser',
      '--authentication-timeout-sec=1',
    ]);
    const result = await runPlugin(args, env());
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: no login completed within 1 s');
    (await occupy(8000)).close();
  });

  it('reports a corrupt cache entry, logs in and replaces it', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args, env())).code).toBe(0);
    const [file] = cacheFiles(cacheDir);
    writeFileSync(join(cacheDir, file as string), '{"format": "together-login/token-cache/v1", "issuer"');
    const result = await runPlugin(args, env());
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: ignoring the token cache entry');
    expect(result.stderr).toContain('it is corrupt (not valid JSON)');
    expect(readEntry(cacheDir).format).toBe('together-login/token-cache/v1');
  });

  it('leaves foreign files in the cache directory alone', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args, env())).code).toBe(0);
    // int128/kubelogin names its entries by a bare hash.
    const foreign = join(cacheDir, 'a3f1c0ffee');
    writeFileSync(foreign, 'not ours', { mode: 0o600 });
    expect((await runPlugin(args, env())).code).toBe(0);
    expect(readFileSync(foreign, 'utf8')).toBe('not ours');
  });

  it('fails with exit code 3 and one error and hint line when the provider is unreachable', async () => {
    const closed = await occupy(0);
    const port = (closed.address() as { port: number }).port;
    closed.close();
    const args = getTokenArgs(`http://127.0.0.1:${port}`, { clientId: 'x', cacheDir });
    const result = await runPlugin(args);
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: cannot reach the identity provider at http://127.0.0.1:${port} (ECONNREFUSED)`,
      'hint: check --oidc-issuer-url, your network or proxy (HTTPS_PROXY, NO_PROXY), and the provider status',
    ]);
    const verbose = await runPlugin([...args, '-v=1']);
    // Node's fetch says "fetch failed" (the code is in its cause), Bun's (the standalone build) names the code.
    expect(verbose.stderr).toMatch(/caused by: TypeError( \[ECONNREFUSED\])?: (fetch failed|ECONNREFUSED)/);
  });

  it.each([
    [['get-token'], 2, 'error: --oidc-issuer-url is required'],
    [
      ['get-token', '--oidc-issuer-url=https://x', '--oidc-client-id=y', '--grant-type=sideways'],
      2,
      'error: --grant-type must be one of',
    ],
    [
      ['get-token', '--oidc-issuer-url=https://x', '--oidc-client-id=y', '--token-cache-storage=cloud'],
      2,
      'error: --token-cache-storage must be one of disk|keyring|encrypted|none, not "cloud"',
    ],
    [
      [
        'get-token',
        '--oidc-issuer-url=https://x',
        '--oidc-client-id=y',
        '--certificate-authority=/nonexistent/ca.pem',
      ],
      2,
      'error: --certificate-authority /nonexistent/ca.pem does not exist',
    ],
  ])('rejects %j with exit code %i', async (args, code, message) => {
    const result = await runPlugin(args, env());
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('hint: ');
    expect(result.stderr).not.toMatch(/\bat \S+ \(/); // no stack trace
    expect(result.stdout).toBe('');
  });

  it('rejects a malformed KUBERNETES_EXEC_INFO with exit code 2', async () => {
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), {
      KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v9"}',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('KUBERNETES_EXEC_INFO has apiVersion "client.authentication.k8s.io/v9"');
  });

  it('never prints a token, refresh token or code, even at the highest verbosity', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['-v=9']);
    const result = await runPlugin(args, env());
    expect(result.code).toBe(0);
    const entry = readEntry(cacheDir);
    const secrets = [entry.idToken, entry.accessToken, entry.refreshToken].map(String);
    for (const secret of secrets) expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toMatch(/[?&]code=/);
    expect(result.stderr).not.toMatch(/code_verifier/);
    // And stdout holds nothing but the credential.
    expect(Object.keys(JSON.parse(result.stdout))).toEqual(['kind', 'apiVersion', 'spec', 'status']);
  });
});

describe('token expiry against a real OpenID Provider', () => {
  const provider = useRigProvider({ idTokenTtlSec: 2 });

  it('refreshes an expired ID token silently, and rotation stays safe under 10 parallel calls', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--token-expiry-margin=0']);
    const first = await runPlugin(args, { KUBERNETES_EXEC_INFO: v1 });
    expect(first.code, first.stderr).toBe(0);
    const firstToken = parseCredential(first.stdout).token;
    await waitUntilExpired(firstToken);
    provider.resetCounts();
    // The refreshed token must stay fresh while the other nine re-read the cache, however slow the machine.
    provider.setIdTokenTtl(300);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => runPlugin(args, { KUBERNETES_EXEC_INFO: v1 })),
    ).finally(() => provider.setIdTokenTtl(2));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const tokens = new Set(results.map((result) => parseCredential(result.stdout).token));
    expect(tokens.size).toBe(1);
    expect(tokens.has(firstToken)).toBe(false);
    expect(provider.grants.get('refresh_token')).toBe(1);
    expect(provider.grants.get('authorization_code')).toBeUndefined();
    expect(provider.grantErrors).toEqual([]);
  });

  it('fails with exit code 3 and opens no browser when the provider is down at refresh time', async () => {
    const shortLived = await startProvider({ idTokenTtlSec: 2 });
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const countFile = join(tempDir('count'), 'runs');
    const args = loginArgs(shortLived.issuer, publicClientId, cacheDir, ['--token-expiry-margin=0']);
    const login = await runPlugin(args, { RIG_DRIVER_COUNT: countFile });
    expect(login.code).toBe(0);
    const before = readFileSync(join(cacheDir, cacheFiles(cacheDir)[0] as string), 'utf8');
    await shortLived.close();
    await waitUntilExpired(parseCredential(login.stdout).token);
    const result = await runPlugin(args, { RIG_DRIVER_COUNT: countFile });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('error: cannot reach the identity provider');
    expect(readFileSync(countFile, 'utf8').trim().split('\n')).toHaveLength(1); // only the first login's browser
    expect(readFileSync(join(cacheDir, cacheFiles(cacheDir)[0] as string), 'utf8')).toBe(before);
  });

  it('refreshes in one round trip, with the discovery document and keys cached beside the tokens', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--force-refresh']);
    expect((await runPlugin(args)).code).toBe(0);
    provider.resetCounts();
    const refreshed = await runPlugin(args);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect([...provider.requests.keys()]).toEqual(['/token']);
    expect(provider.grants.get('refresh_token')).toBe(1);
  });

  it('discovers again when the cached token endpoint cannot be reached', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--force-refresh']);
    expect((await runPlugin(args)).code).toBe(0);
    const file = readdirSync(cacheDir).find((name) => name.includes('-provider-')) as string;
    const cached = JSON.parse(readFileSync(join(cacheDir, file), 'utf8'));
    cached.metadata.token_endpoint = 'http://127.0.0.1:9/token'; // as if the provider had moved
    writeFileSync(join(cacheDir, file), JSON.stringify(cached), { mode: 0o600 });
    provider.resetCounts();
    const refreshed = await runPlugin(args);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(provider.requests.get('/.well-known/openid-configuration')).toBe(1);
    expect(provider.grants.get('refresh_token')).toBe(1);
  });

  it('logs in again when the refresh token is rejected', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--token-expiry-margin=0']);
    const login = await runPlugin(args, { KUBERNETES_EXEC_INFO: v1 });
    expect(login.code).toBe(0);
    const [file] = cacheFiles(cacheDir);
    const path = join(cacheDir, file as string);
    const entry = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...entry, refreshToken: 'revoked-or-expired' }), { mode: 0o600 });
    await waitUntilExpired(parseCredential(login.stdout).token);
    provider.resetCounts();
    const result = await runPlugin(args, { KUBERNETES_EXEC_INFO: v1 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'The identity provider refused the refresh token (invalid_grant: grant request is invalid); logging in again.',
    );
    expect(provider.grantErrors).toEqual(['invalid_grant']);
    expect(provider.grants.get('authorization_code')).toBe(1);
  });
});
