/**
 * The callback server against a hostile neighbour on the same machine: another program listening on the other
 * loopback family of the callback port (browsers try [::1] first for `localhost`), and web pages reaching the port
 * under another host name (DNS rebinding). Binds the default ports 8000/18000: run in a private network namespace.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LivePlugin, loginArgs, startPlugin, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { completeLoginWithForms, openStartUrl } from '../rig/provider-forms.js';
import { type Squatter, startSquatter } from '../rig/squatter.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('callback server and its loopback neighbours', () => {
  const provider = useRigProvider();
  const squatters: Squatter[] = [];
  const plugins: LivePlugin[] = [];
  afterEach(async () => {
    for (const plugin of plugins.splice(0)) {
      plugin.kill();
      await plugin.result;
    }
    await Promise.all(squatters.splice(0).map((squatter) => squatter.close()));
  });

  const squat = async (host: string, port: number) => {
    const squatter = startSquatter(host, port);
    squatters.push(squatter);
    expect(await squatter.bound).toBe('listening');
    return squatter;
  };
  const start = (extra: readonly string[] = []) => {
    const plugin = startPlugin(
      loginArgs(provider.issuer, publicClientId, join(tempDir('cache'), 'c'), [
        '--skip-open-browser',
        ...extra,
      ]),
    );
    plugins.push(plugin);
    // The user's browser opens the printed start URL: it holds the login cookie and knows the authorization URL.
    const url = plugin.waitForStderr(/log in:\n {2}(\S+)/).then(([, u]) => openStartUrl(u as string));
    return { plugin, url };
  };

  it('skips a port whose [::1] side another program holds, says so, and logs in on the next one', async () => {
    const squatter = await squat('::1', 8000);
    const { plugin, url } = start();
    const { authorizationUrl: auth, jar } = await url;
    expect(auth.searchParams.get('redirect_uri')).toBe('http://localhost:18000');
    await completeLoginWithForms(auth.href, { login: 'alice', password: 'x', jar });
    const result = await plugin.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'warning: 127.0.0.1:8000 cannot be used: another program listens on [::1]:8000',
    );
    expect(squatter.requests).toEqual([]);
  });

  it('owns both loopback families of its port while it waits', async () => {
    const { plugin, url } = start();
    const { authorizationUrl: auth, jar } = await url;
    expect(auth.searchParams.get('redirect_uri')).toBe('http://localhost:8000');
    const late = startSquatter('::1', 8000);
    squatters.push(late);
    expect(await late.bound).toBe('EADDRINUSE');
    // The [::1] side is the plugin's own: the browser that tries ::1 first reaches the plugin.
    expect(await statusOf('::1', 8000, '/elsewhere', 'localhost:8000')).toBe(404);
    await completeLoginWithForms(auth.href, { login: 'alice', password: 'x', jar });
    expect((await plugin.result).code).toBe(0);
  });

  it('fails with exit code 2 naming the squatters when every port is squatted', async () => {
    await squat('::1', 8000);
    await squat('::1', 18000);
    const { plugin, url } = start();
    url.catch(() => undefined); // no URL is printed
    const result = await plugin.result;
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n');
    expect(lines.filter((line) => line.startsWith('error: '))).toEqual([
      expect.stringMatching(
        /^error: cannot start the callback server: .*another program listens on \[::1\]:8000.*another program listens on \[::1\]:18000/,
      ),
    ]);
    expect(lines.filter((line) => line.startsWith('hint: '))).toHaveLength(1);
  });

  it('keeps the meaning of an explicit 127.0.0.1 listen address with a 127.0.0.1 redirect URL', async () => {
    const squatter = await squat('::1', 8000);
    const { plugin, url } = start([
      '--listen-address=127.0.0.1:8000',
      '--oidc-redirect-url=http://127.0.0.1:8000',
    ]);
    const { authorizationUrl: auth, jar } = await url;
    expect(auth.searchParams.get('redirect_uri')).toBe('http://127.0.0.1:8000');
    await completeLoginWithForms(auth.href, { login: 'alice', password: 'x', jar });
    const result = await plugin.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning');
    expect(squatter.requests).toEqual([]);
  });

  it('answers a request for another host name with 421 (DNS rebinding) and keeps waiting', async () => {
    const { plugin, url } = start();
    const { authorizationUrl: auth, jar } = await url;
    const query = new URLSearchParams({
      state: auth.searchParams.get('state') as string,
      code: 'forged',
    });
    expect(await statusOf('127.0.0.1', 8000, `/?${query}`, 'attacker.example:8000')).toBe(421);
    expect(await statusOf('127.0.0.1', 8000, '/elsewhere', 'localhost:8000')).toBe(404);
    // A target no URL parser accepts is answered, and the login goes on (it used to end the plugin).
    expect(await statusOf('127.0.0.1', 8000, '//[', 'localhost:8000')).toBe(400);
    await completeLoginWithForms(auth.href, { login: 'alice', password: 'x', jar });
    expect((await plugin.result).code).toBe(0);
  });
});

/** A GET with an explicit Host header (fetch does not let a caller choose it). */
function statusOf(host: string, port: number, path: string, hostHeader: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host, port, path, headers: { host: hostHeader } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}
