/**
 * The auth-code flags of int128/kubelogin, each through the built plugin against the real provider.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { projectHomepage, readPackageJson } from '../../scripts/build-info.mjs';
import { checkoutLauncher, nodePluginBin, pluginBin, repoRoot } from '../rig/build.js';
import { readDriverLog } from '../rig/driver-log.js';
import { loginArgs, parseCredential, runPlugin, startPlugin, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  httpsCallbackClientId,
  publicClientId,
} from '../rig/provider.js';
import { makeSelfSignedCert } from '../rig/tls.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('auth-code flags against a real OpenID Provider', () => {
  const provider = useRigProvider();
  let cacheDir: string;
  let driverLog: string;
  const env = (extra: Record<string, string> = {}) => ({ RIG_DRIVER_LOG: driverLog, ...extra });
  const authUrl = (stderr: string) =>
    // With -v=1 the plugin says where its start URL redirects.
    new URL(/(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)/.exec(stderr)?.[1] ?? 'http://none');

  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    driverLog = join(tempDir('driver'), 'driver.log');
    provider.resetCounts();
  });

  it('sends --oidc-redirect-url as given and serves the callback on its path', async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--oidc-redirect-url=http://localhost:8000/callback',
        '-v=1',
      ]),
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(authUrl(result.stderr).searchParams.get('redirect_uri')).toBe('http://localhost:8000/callback');
    expect(await readDriverLog(driverLog)).toContain('GET http://localhost:8000/callback');
    expect(provider.grantErrors).toEqual([]);
  });

  it('adds --oidc-auth-request-extra-params to the authorization request', async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--oidc-auth-request-extra-params=ui_locales=de,login_hint=alice',
        '-v=1',
      ]),
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    const url = authUrl(result.stderr);
    expect(url.searchParams.get('ui_locales')).toBe('de');
    expect(url.searchParams.get('login_hint')).toBe('alice');
  });

  it('omits PKCE with --oidc-pkce-method=no (confidential client)', async () => {
    const result = await runPlugin(
      loginArgs(provider.issuer, confidentialClientId, cacheDir, ['--oidc-pkce-method=no', '-v=1']),
      env({ OIDC_CLIENT_SECRET: confidentialClientSecret }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(authUrl(result.stderr).searchParams.has('code_challenge')).toBe(false);
    expect(decodeJwt(parseCredential(result.stdout).token).aud).toBe(confidentialClientId);
  });

  it('sends the browser to --open-url-after-authentication', async () => {
    const landing: Server = createServer((_req, res) => res.end('welcome back'));
    await new Promise<void>((resolve) => landing.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(landing.address() as AddressInfo).port}/done`;
    try {
      const result = await runPlugin(
        loginArgs(provider.issuer, publicClientId, cacheDir, [`--open-url-after-authentication=${url}`]),
        env(),
      );
      expect(result.code, result.stderr).toBe(0);
      expect(await readDriverLog(driverLog)).toContain(`done: HTTP 200 at ${url}`);
    } finally {
      landing.close();
    }
  });

  it('serves the callback over HTTPS with --local-server-cert and --local-server-key', async () => {
    const dir = tempDir('tls');
    const { cert, key } = makeSelfSignedCert('localhost');
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key);
    const result = await runPlugin(
      loginArgs(provider.issuer, httpsCallbackClientId, cacheDir, [
        `--local-server-cert=${join(dir, 'cert.pem')}`,
        `--local-server-key=${join(dir, 'key.pem')}`,
        '-v=1',
      ]),
      // The driver (a browser) must trust the self-signed certificate; for the plugin this only adds a trusted CA.
      env({ NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(authUrl(result.stderr).searchParams.get('redirect_uri')).toBe('https://localhost:8000');
    expect(await readDriverLog(driverLog)).toContain('GET https://localhost:8000/');
  });

  it('exits with 130 on Ctrl-C during a login, releasing the port and writing no file', async () => {
    const child = spawn(
      pluginBin,
      loginArgs(provider.issuer, publicClientId, cacheDir, ['--skip-open-browser']),
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (stderr.includes('Open this URL')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('error: interrupted (SIGINT)');
    const port = createNetServer();
    await new Promise<void>((resolve, reject) => {
      port.once('error', reject);
      port.listen(8000, '127.0.0.1', resolve);
    });
    port.close();
    expect(execFileSync('ls', ['-A', cacheDir], { encoding: 'utf8' })).not.toMatch(/\.json/);
  });

  // The handlers are installed when the login machinery is loaded, not at start (src/platform/interrupts.ts).
  it('exits with 143 on SIGTERM during a login', async () => {
    const child = startPlugin(loginArgs(provider.issuer, publicClientId, cacheDir, ['--skip-open-browser']));
    await child.waitForStderr(/Open this URL/);
    child.kill('SIGTERM');
    const result = await child.result;
    expect(result.code).toBe(143);
    expect(result.stderr).toContain('error: interrupted (SIGTERM)');
  });
});

describe('help and version', () => {
  it('prints the version, the commit and the build, from the plugin under test and the checkout launcher', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const result = await runPlugin(['version']);
    const build =
      pluginBin === nodePluginBin ? /Node\.js package \(Node\.js v20\./ : /standalone executable \(Bun 1\./;
    expect(result.code).toBe(0);
    const [first, second, third] = result.stdout.split('\n');
    expect(first).toBe(`kubectl-together_login ${version}`);
    expect(second).toMatch(new RegExp(`^commit: ${commit}(-dirty)?$`));
    expect(third).toMatch(build);
    expect(third).toContain(`${process.platform}/${process.arch})`);
    expect((await runPlugin(['--version'])).stdout).toBe(`${version}\n`);
    const fromCheckout = execFileSync(checkoutLauncher, ['version'], { encoding: 'utf8' });
    expect(fromCheckout.split('\n')[0]).toBe(first);
    expect(fromCheckout).toContain('build: Node.js package');
  });

  it("names the project's page in --help only as package.json's homepage says, and no other URL", async () => {
    const homepage = projectHomepage(readPackageJson());
    const result = await runPlugin(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Connect a cluster: `kubectl together-login setup --help`.');
    expect(result.stdout.match(/https?:\/\/\S+/g) ?? []).toEqual(homepage ? [homepage] : []);
  });

  it('lists the get-token flags with their defaults', async () => {
    const result = await runPlugin(['get-token', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--oidc-issuer-url <value>');
    expect(result.stdout).toContain('--token-expiry-margin <value>');
    expect(result.stdout).toContain('(default: "127.0.0.1:8000,127.0.0.1:18000")');
    expect(result.stdout).not.toContain('--listen-port'); // deprecated flags are accepted but not advertised
  });

  it('fails with exit code 2 on an unknown command', async () => {
    const result = await runPlugin(['fly']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: unknown command "fly"');
  });
});
