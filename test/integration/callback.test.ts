/** The callback server facing requests that are not a clean, single redirect. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loginArgs, startPlugin, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { completeLoginWithForms, cookieHeaderFor, openStartUrl } from '../rig/provider-forms.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('callback server', () => {
  const provider = useRigProvider();

  const start = () => {
    const plugin = startPlugin(
      loginArgs(provider.issuer, publicClientId, join(tempDir('cache'), 'c'), ['--skip-open-browser']),
    );
    // The user's browser opens the printed start URL: it holds the login cookie and knows the authorization URL.
    const url = plugin.waitForStderr(/log in:\n {2}(\S+)/).then(([, u]) => openStartUrl(u as string));
    return { plugin, url };
  };

  it('fails with exit code 3 on a callback that carries our state but no code', async () => {
    const { plugin, url } = start();
    const { authorizationUrl: auth, jar } = await url;
    const callback = new URL(auth.searchParams.get('redirect_uri') as string);
    callback.search = new URLSearchParams({
      state: auth.searchParams.get('state') as string,
      iss: provider.issuer,
    }).toString();
    const page = await fetch(callback, { headers: { cookie: cookieHeaderFor(jar, callback) ?? '' } });
    expect(page.status).toBe(400);
    const result = await plugin.result;
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("error: the identity provider's login response is not acceptable");
    expect(result.stderr).toContain('code');
  });

  it('answers an oversized query with an error and keeps waiting for the real callback', async () => {
    const { plugin, url } = start();
    const { authorizationUrl: auth, jar } = await url;
    const callback = new URL(auth.searchParams.get('redirect_uri') as string);
    callback.search = `state=${auth.searchParams.get('state')}&junk=${'x'.repeat(20_000)}`;
    const page = await fetch(callback, { headers: { cookie: cookieHeaderFor(jar, callback) ?? '' } });
    expect(page.status).toBe(431);
    await completeLoginWithForms(auth.href, { login: 'alice', password: 'x', jar });
    expect((await plugin.result).code).toBe(0);
  });

  it('is gone once the login is complete: a repeated callback reaches nothing', async () => {
    const { plugin, url } = start();
    const { authorizationUrl: auth, jar } = await url;
    const landed = await completeLoginWithForms(auth.href, {
      login: 'alice',
      password: 'x',
      jar,
      stopBefore: (u) => u.port === '8000',
    });
    const withCookie = { headers: { cookie: cookieHeaderFor(jar, landed.finalUrl) ?? '' } };
    expect((await fetch(landed.finalUrl, withCookie)).status).toBe(200);
    expect((await plugin.result).code).toBe(0);
    await expect(fetch(landed.finalUrl, withCookie)).rejects.toThrow();
  });
});
