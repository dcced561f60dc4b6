/**
 * Kubeconfigs written for int128/kubelogin and together-kubelogin, run through the built plugin against the real
 * provider: the flag forms and environment they rely on behave as there, so a kubeconfig works unchanged.
 */
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { loginArgs, parseCredential, runPlugin, runSetup, tempDir } from '../rig/plugin.js';
import { publicClientId, startProvider } from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('int128/kubelogin kubeconfigs against a real provider', () => {
  const provider = useRigProvider();
  let cacheDir: string;

  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    provider.resetCounts();
  });

  it('does not send OIDC_CLIENT_SECRET to a public client under explicit PKCE S256; the flag still goes', async () => {
    for (const pkce of ['--oidc-pkce-method=S256', '--oidc-use-pkce']) {
      const result = await runPlugin(
        loginArgs(provider.issuer, publicClientId, join(tempDir('cache'), 'c'), [pkce]),
        { OIDC_CLIENT_SECRET: 'a-secret-meant-for-another-client' },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(decodeJwt(parseCredential(result.stdout).token).aud).toBe(publicClientId);
    }
    // Without an explicit S256 the variable is used, and the provider refuses a public client sending a secret.
    const auto = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), {
      OIDC_CLIENT_SECRET: 'a-secret-meant-for-another-client',
    });
    expect(auto.code).toBe(3);
    expect(auto.stderr).toContain('invalid_client');
    const flag = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--oidc-pkce-method=S256',
        '--oidc-client-secret=given-on-purpose',
      ]),
    );
    expect(flag.code).toBe(3);
    expect(flag.stderr).not.toContain('given-on-purpose');
  });

  it('sends a --oidc-request-header value with a comma as one header, several pairs as pflag splits them', async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--oidc-request-header=X-Rig-Accept=text/html, application/json',
        '--oidc-request-header=X-Rig-A=1,X-Rig-B=2',
      ]),
    );
    expect(result.code, result.stderr).toBe(0);
    const token = provider.requestHeaders.find((request) => request.path === '/token');
    expect(token?.headers).toMatchObject({
      'x-rig-accept': 'text/html, application/json',
      'x-rig-a': '1',
      'x-rig-b': '2',
    });
  });

  it('asks for offline access as int128 does (Google issues refresh tokens only then); extra params override it', async () => {
    const authorizationUrl = (stderr: string) =>
      new URL(/(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(stderr)?.[1] ?? 'http://missing');
    // -v=1 names the authorization URL the start URL redirects to.
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir, ['-v=1']));
    expect(result.code, result.stderr).toBe(0);
    expect(authorizationUrl(result.stderr).searchParams.get('access_type')).toBe('offline');
    const online = await runPlugin(
      loginArgs(provider.issuer, publicClientId, join(tempDir('cache'), 'c'), [
        '--oidc-auth-request-extra-params=access_type=online',
        '-v=1',
      ]),
    );
    expect(online.code, online.stderr).toBe(0);
    expect(authorizationUrl(online.stderr).searchParams.getAll('access_type')).toEqual(['online']);
  });

  it("accepts klog's flags, and global flags before the subcommand", async () => {
    const result = await runPlugin([
      '-v1',
      '--logtostderr=false',
      ...loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--alsologtostderr',
        '--log_dir=/nonexistent',
        '--stderrthreshold=ERROR',
        '--vmodule=foo=2',
        '--one_output',
        '--skip_headers',
        '--log_file_max_size=10',
      ]),
    ]);
    expect(result.code, result.stderr).toBe(0);
    // -v1 took effect: the steps are logged.
    expect(result.stderr).toContain('[1] discovering the identity provider');
    parseCredential(result.stdout);
  });

  it('answers v1beta1 when KUBERNETES_EXEC_INFO names no apiVersion', async () => {
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), {
      KUBERNETES_EXEC_INFO: '{"kind":"ExecCredential","spec":{"interactive":false}}',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(parseCredential(result.stdout).apiVersion).toBe('client.authentication.k8s.io/v1beta1');
    const broken = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), {
      KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v2"}',
    });
    expect(broken.code).toBe(2);
  });

  it.each([
    ['a path and a trailing slash at the provider', '/api/oidc', true, "the provider's issuer ends with /"],
    [
      'a path and no trailing slash at the provider',
      '/api/oidc',
      false,
      "the provider's issuer does not end with /",
    ],
    ['no path and a trailing slash at the provider', undefined, true, "the provider's issuer ends with /"],
  ])(
    'names the exact issuer for %s, in get-token and setup',
    async (_case, issuerPath, trailingSlash, words) => {
      const quirky = await startProvider({ issuerPath, issuerTrailingSlash: trailingSlash });
      try {
        const given = trailingSlash ? quirky.issuer.replace(/\/$/, '') : `${quirky.issuer}/`;
        const getToken = await runPlugin(loginArgs(given, publicClientId, cacheDir));
        const setup = await runSetup(given);
        for (const result of [getToken, setup]) {
          expect(result.code).toBe(3);
          expect(result.stderr).toContain(`names the issuer "${quirky.issuer}", not "${given}"`);
          expect(result.stderr).toContain(`they differ by a trailing slash: ${words}`);
          expect(result.stderr).toContain(`use --oidc-issuer-url=${quirky.issuer} exactly`);
          expect(result.stderr).not.toContain('//.well-known');
        }
        const exact = await runPlugin(loginArgs(quirky.issuer, publicClientId, join(tempDir('cache'), 'c')));
        expect(exact.code, exact.stderr).toBe(0);
      } finally {
        await quirky.close();
      }
    },
  );

  it('names the exact issuer when --oidc-issuer-url differs from it only in case', async () => {
    const lowercase = await startProvider({ issuerHost: 'localhost' });
    try {
      const given = lowercase.issuer.replace('localhost', 'LocalHost');
      for (const result of [
        await runPlugin(loginArgs(given, publicClientId, cacheDir)),
        await runSetup(given),
      ]) {
        expect(result.code).toBe(3);
        expect(result.stderr).toContain(
          `names the issuer "${lowercase.issuer}", not "${given}": they differ in upper and lower case`,
        );
      }
    } finally {
      await lowercase.close();
    }
  });

  it('prints the help and how to start for setup without an issuer and client, exit 0', async () => {
    for (const args of [['setup'], ['setup', '--oidc-issuer-url=https://idp.example.com']]) {
      const result = await runPlugin(args);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Usage: kubectl-together_login setup');
      expect(result.stdout).toContain('How to start:');
      expect(provider.totalRequests()).toBe(0);
    }
  });
});
