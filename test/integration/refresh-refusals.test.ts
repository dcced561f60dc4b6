/**
 * The morning after: the provider's session ended overnight (revoked, purged), and the refresh is
 * refused the ways real providers refuse it: RFC 6749's `invalid_grant`, but also `invalid_request`,
 * `unauthorized_client`, `invalid_scope` or a bare 400/401 without a JSON body. Each time: one line saying what the
 * provider answered, the dead refresh token dropped, one new login, and the next call a cache hit. Failures that say
 * nothing about the refresh token (5xx, timeouts, a refused client) keep the entry and end with exit 3.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ageEntryOvernight, entryPath, readEntry } from '../rig/cache-entries.js';
import { loginArgs, parseCredential, runPlugin, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  publicClientId,
  type RigFault,
} from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

const v1 = JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  spec: { interactive: false },
});

describe('a refresh refused by the provider', () => {
  const provider = useRigProvider();

  it.each([
    [undefined, 'invalid_grant: grant request is invalid'],
    ['refresh-refused-as-invalid_request', 'invalid_request: session not active'],
    ['refresh-refused-as-unauthorized_client', 'unauthorized_client: session not active'],
    ['refresh-refused-as-invalid_scope', 'invalid_scope: session not active'],
    ['refresh-refused-as-bare-400', '/token, without an OAuth error (text/plain body)'],
    ['refresh-refused-as-bare-401', '/token, without an OAuth error (text/plain body)'],
  ] as [RigFault | undefined, string][])(
    'revoked session answered with %s: one new login, the new entry works, the next call is a cache hit',
    async (fault, answer) => {
      const cacheDir = join(tempDir('cache'), 'oidc-login');
      const args = loginArgs(provider.issuer, publicClientId, cacheDir);
      const first = await runPlugin(args, { KUBERNETES_EXEC_INFO: v1 });
      expect(first.code, first.stderr).toBe(0);
      ageEntryOvernight(cacheDir);
      await provider.revokeRefreshTokens();
      provider.setFault(fault);
      provider.resetCounts();

      const morning = await runPlugin(args, { KUBERNETES_EXEC_INFO: v1 });
      expect(morning.code, morning.stderr).toBe(0);
      const said = morning.stderr.split('\n').filter((line) => line.includes('refused the refresh token'));
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/^The identity provider refused the refresh token \(.*\); logging in again\.$/);
      expect(said[0]).toContain(answer);
      expect(morning.stderr).not.toContain('error:');
      expect(provider.grants.get('refresh_token')).toBeUndefined();
      expect(provider.grants.get('authorization_code')).toBe(1);
      const token = parseCredential(morning.stdout).token;
      expect(token).not.toBe(parseCredential(first.stdout).token);
      // The new entry holds the new login's refresh token, which works.
      expect(readEntry(cacheDir).refreshToken).toEqual(expect.any(String));

      provider.resetCounts();
      const next = await runPlugin(args, { KUBERNETES_EXEC_INFO: v1 });
      expect(next.code, next.stderr).toBe(0);
      expect(parseCredential(next.stdout).token).toBe(token);
      expect(provider.totalRequests()).toBe(0);

      provider.setFault(undefined);
      const refreshed = await runPlugin([...args, '--force-refresh'], { KUBERNETES_EXEC_INFO: v1 });
      expect(refreshed.code, refreshed.stderr).toBe(0);
      expect(provider.grants.get('refresh_token')).toBe(1);
      expect(provider.grants.get('authorization_code')).toBeUndefined();
    },
  );

  it('drops the dead refresh token even when the new login fails, so the next call does not try it again', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args)).code).toBe(0);
    ageEntryOvernight(cacheDir);
    const aged = readEntry(cacheDir);
    await provider.revokeRefreshTokens();
    provider.setFault('refresh-refused-as-invalid_request');
    const denied = await runPlugin(args, { RIG_DRIVER_MODE: 'deny' });
    expect(denied.code, denied.stderr).toBe(4);
    expect(denied.stderr).toContain('The identity provider refused the refresh token (invalid_request');
    const after = readEntry(cacheDir);
    expect(after.refreshToken).toBeUndefined();
    expect(after.idToken).toBe(aged.idToken);

    provider.resetCounts();
    // A login refused moments ago is not started again unless asked (--force-refresh): see login-attempts.test.ts.
    const again = await runPlugin([...args, '--force-refresh']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('refused the refresh token');
    expect(provider.requests.get('/token')).toBe(1);
    expect(provider.grants.get('authorization_code')).toBe(1);
  });

  it('the new login follows the usual rules: a flow that needs a terminal fails fast without one (exit 5)', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    expect((await runPlugin(args)).code).toBe(0);
    ageEntryOvernight(cacheDir);
    await provider.revokeRefreshTokens();
    provider.setFault('refresh-refused-as-bare-400');
    provider.resetCounts();
    const browsers = join(tempDir('driver'), 'count');
    const result = await runPlugin([...args, '--grant-type=authcode-keyboard'], {
      KUBERNETES_EXEC_INFO: v1,
      RIG_DRIVER_COUNT: browsers,
    });
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toContain('The identity provider refused the refresh token (HTTP 400 at');
    expect(existsSync(browsers)).toBe(false);
    expect(provider.requests.get('/auth')).toBeUndefined();
    expect(readEntry(cacheDir).refreshToken).toBeUndefined();
  });

  it.each([
    ['token-500', 'error: the identity provider failed (HTTP 500'],
    ['token-slow', 'error: cannot reach the identity provider'],
  ] as [RigFault, string][])('%s on refresh: exit code 3, entry kept, no login', async (fault, message) => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir);
    // The login itself without the short timeout: on a loaded machine a healthy request can take a second.
    expect((await runPlugin(args)).code).toBe(0);
    ageEntryOvernight(cacheDir);
    const before = readFileSync(entryPath(cacheDir), 'utf8');
    provider.setFault(fault);
    provider.resetCounts();
    const result = await runPlugin([...args, '--provider-request-timeout=1s']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain(message);
    expect(readFileSync(entryPath(cacheDir), 'utf8')).toBe(before);
    expect(provider.grants.get('authorization_code')).toBeUndefined();
  });

  it('a refused client (invalid_client) is not a dead refresh token: exit code 3 with a client-secret hint, entry kept', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, confidentialClientId, cacheDir);
    expect((await runPlugin(args, { OIDC_CLIENT_SECRET: confidentialClientSecret })).code).toBe(0);
    ageEntryOvernight(cacheDir);
    const before = readFileSync(entryPath(cacheDir), 'utf8');
    provider.resetCounts();
    const result = await runPlugin(args, {
      OIDC_CLIENT_SECRET: 'a-rotated-secret-the-provider-does-not-know',
    });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toContain('error: the identity provider refused the refresh (invalid_client');
    expect(result.stderr).toMatch(/\nhint: .*--oidc-client-secret \(or OIDC_CLIENT_SECRET\)/);
    expect(readFileSync(entryPath(cacheDir), 'utf8')).toBe(before);
    expect(provider.grants.get('authorization_code')).toBeUndefined();
  });
});
