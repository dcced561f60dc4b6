/**
 * Corporate networks: a provider behind a private CA, reached directly or through an HTTPS proxy (CONNECT tunnel).
 * The provider is served over HTTPS with a certificate from a CA made for the test; the browser driver alone is
 * told to trust it (RIG_DRIVER_CA), so the plugin must do it through its own flags.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMitmProxy } from '../rig/mitm-proxy.js';
import { loginArgs, parseCredential, runPlugin, runSetup, tempDir } from '../rig/plugin.js';
import { publicClientId, type RigProvider, startProvider } from '../rig/provider.js';
import { type RigProxy, startProxy } from '../rig/proxy.js';
import { makePrivateCa, type PrivateCa } from '../rig/tls.js';

describe('private CA and proxy', () => {
  let ca: PrivateCa;
  /** The man in the middle's own CA: only a run that skips the check or trusts it accepts its certificates. */
  let attackerCa: PrivateCa;
  let provider: RigProvider;
  let proxy: RigProxy;
  let cacheDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ca = makePrivateCa();
    attackerCa = makePrivateCa();
    provider = await startProvider({ tls: { cert: ca.serverCert, key: ca.serverKey } });
    proxy = await startProxy();
  });
  afterAll(async () => {
    await proxy.close();
    await provider.close();
  });
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    env = { RIG_DRIVER_CA: ca.caPemPath };
    provider.resetCounts();
    proxy.tunnels.length = 0;
  });

  it('refuses an untrusted provider certificate with exit code 3 and points to --certificate-authority', async () => {
    const result = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /error: cannot reach the identity provider at https:\/\/127\.0\.0\.1:\d+ \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
    );
    expect(result.stderr).toContain(
      "hint: the provider's TLS certificate is not trusted: if it comes from a private CA, pass --certificate-authority",
    );
  });

  it('trusts the CA given by --certificate-authority, then answers from the cache', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      `--certificate-authority=${ca.caPemPath}`,
    ]);
    const first = await runPlugin(args, env);
    expect(first.code, first.stderr).toBe(0);
    provider.resetCounts();
    const second = await runPlugin(args, env);
    expect(parseCredential(second.stdout).token).toBe(parseCredential(first.stdout).token);
    expect(provider.totalRequests()).toBe(0);
  });

  it('trusts only the given CAs: --certificate-authority replaces the system roots, as in int128 and kubectl', async () => {
    // NODE_EXTRA_CA_CERTS stands for a CA of the system store here.
    const system = { ...env, NODE_EXTRA_CA_CERTS: ca.caPemPath };
    const trustedBySystem = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), system);
    expect(trustedBySystem.code, trustedBySystem.stderr).toBe(0);
    const other = makePrivateCa();
    const pinned = await runPlugin(
      loginArgs(provider.issuer, publicClientId, join(tempDir('cache'), 'c'), [
        `--certificate-authority=${other.caPemPath}`,
      ]),
      system,
    );
    expect(pinned.code).toBe(3);
    expect(pinned.stderr).toContain("hint: the provider's TLS certificate is not trusted");
  });

  it('setup raises no https warning for an https issuer', async () => {
    const result = await runSetup(provider.issuer, [`--certificate-authority=${ca.caPemPath}`], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('issuer scheme');
    expect(result.stdout).not.toContain('WARNING');
  });

  it('trusts the same CA given as --certificate-authority-data, sharing the cache entry', async () => {
    const fromFile = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [`--certificate-authority=${ca.caPemPath}`]),
      env,
    );
    expect(fromFile.code, fromFile.stderr).toBe(0);
    provider.resetCounts();
    const data = Buffer.from(readFileSync(ca.caPemPath)).toString('base64');
    const fromData = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [`--certificate-authority-data=${data}`]),
      env,
    );
    expect(fromData.code, fromData.stderr).toBe(0);
    // The key hashes the CA contents, not how they were given.
    expect(provider.totalRequests()).toBe(0);
  });

  it('skips the certificate check with --insecure-skip-tls-verify, says so, and never lets a checking call reuse that token', async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, ['--insecure-skip-tls-verify']),
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "warning: --insecure-skip-tls-verify: the identity provider's certificate is not checked",
    );
    // The same call with the check on is another cache key: it meets the untrusted certificate, not the token.
    const checked = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir), env);
    expect(checked.code, checked.stderr).toBe(3);
    expect(checked.stdout).toBe('');
    expect(checked.stderr).toContain('--certificate-authority');
  });

  it('goes through HTTPS_PROXY, and only through it', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      `--certificate-authority=${ca.caPemPath}`,
    ]);
    const result = await runPlugin(args, { ...env, HTTPS_PROXY: proxy.url });
    expect(result.code, result.stderr).toBe(0);
    const target = `127.0.0.1:${provider.port}`;
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(proxy.tunnels.every((tunnel) => tunnel === target)).toBe(true);
    // Discovery, token and JWKS requests all reached the provider, each through a tunnel of the proxy.
    expect(provider.requests.get('/.well-known/openid-configuration')).toBe(1);
    expect(provider.requests.get('/token')).toBe(1);
  });

  it('bypasses the proxy for hosts in NO_PROXY', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      `--certificate-authority=${ca.caPemPath}`,
    ]);
    const result = await runPlugin(args, { ...env, https_proxy: proxy.url, no_proxy: '127.0.0.1' });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.tunnels).toEqual([]);
  });

  it('fails with exit code 3 when the proxy is unreachable', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      `--certificate-authority=${ca.caPemPath}`,
    ]);
    const result = await runPlugin(args, { ...env, HTTPS_PROXY: 'http://127.0.0.1:9' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('error: cannot reach the identity provider');
    expect(result.stderr).toContain('HTTPS_PROXY');
  });

  it('adds --oidc-request-header to every request to the provider, through the proxy too', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      `--certificate-authority=${ca.caPemPath}`,
      // (an Origin header would work too, but this provider refuses origins its client did not register)
      '--oidc-request-header=X-Trace=abc123,X-Team=platform',
      '--force-refresh',
    ]);
    expect((await runPlugin(args, { ...env, HTTPS_PROXY: proxy.url })).code).toBe(0);
    expect((await runPlugin(args, { ...env, HTTPS_PROXY: proxy.url })).code).toBe(0);
    // Requests of the plugin (not of the browser): discovery, keys, token (code exchange, then refresh).
    const fromPlugin = provider.requestHeaders.filter(({ path }) =>
      ['/.well-known/openid-configuration', '/jwks', '/token'].includes(path),
    );
    expect(fromPlugin.map(({ path }) => path)).toEqual(
      expect.arrayContaining(['/.well-known/openid-configuration', '/jwks', '/token']),
    );
    for (const { headers } of fromPlugin)
      expect(headers).toMatchObject({ 'x-trace': 'abc123', 'x-team': 'platform' });
  });

  it('rejects --certificate-authority-data that is not a PEM certificate with exit code 2', async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, ['--certificate-authority-data=bm90IGEgY2VydA==']),
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: --certificate-authority-data #1 is not a base64-encoded PEM certificate',
    );
  });

  it.each([
    {
      weaker: 'skips the certificate check',
      writesDocument: false,
      flags: () => ['--insecure-skip-tls-verify'],
    },
    {
      weaker: 'trusts an extra CA',
      writesDocument: true,
      flags: () => [
        `--certificate-authority=${ca.caPemPath}`,
        `--certificate-authority-data=${Buffer.from(attackerCa.caPem).toString('base64')}`,
      ],
    },
  ])(
    'never lets the discovery document of a run that $weaker steer a checked refresh',
    async ({ flags, writesDocument }) => {
      const mitm = await startMitmProxy({
        interceptCert: { cert: attackerCa.serverCert, key: attackerCa.serverKey },
        relayCert: { cert: ca.serverCert, key: ca.serverKey },
        upstreamCa: ca.caPem,
        upstream: provider.issuer,
      });
      try {
        const checked = loginArgs(provider.issuer, publicClientId, cacheDir, [
          `--certificate-authority=${ca.caPemPath}`,
        ]);
        const first = await runPlugin(checked, env);
        expect(first.code, first.stderr).toBe(0);
        const documents = () => readdirSync(cacheDir).filter((name) => name.includes('-provider-'));
        expect(documents()).toHaveLength(1);
        // The weaker run meets the man in the middle: its discovery document names the attacker's token endpoint.
        const weaker = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir, flags()), {
          ...env,
          HTTPS_PROXY: mitm.url,
        });
        expect(weaker.code, weaker.stderr).toBe(0);
        expect(mitm.relayedGrants).toEqual(['authorization_code']);
        // Its own document (another key's), or none at all for a run that checked nothing.
        expect(documents()).toHaveLength(writesDocument ? 2 : 1);
        provider.resetCounts();
        // The checked identity's refresh token goes to the provider's own token endpoint, never to the relay.
        const refreshed = await runPlugin([...checked, '--force-refresh'], env);
        expect(refreshed.code, refreshed.stderr).toBe(0);
        expect(mitm.relayedGrants).toEqual(['authorization_code']);
        expect(provider.grants.get('refresh_token')).toBe(1);
      } finally {
        await mitm.close();
      }
    },
  );
});
