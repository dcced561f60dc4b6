import { describe, expect, it } from 'vitest';
import { browserBinding, cookieValues, newBrowserBinding } from '../../src/flows/browser-binding.js';

const secrets = { startPath: '/login/abc', cookieName: 'kubectl_together_login_8000', cookieValue: 'v4lue' };
const ours = 'kubectl_together_login_8000=v4lue';

describe('the browser binding of a browser login (login CSRF)', () => {
  it('the first fetch of the start URL binds that browser; its callback is accepted, no other', () => {
    const binding = browserBinding(secrets);
    expect(binding.fromBoundBrowser(ours)).toBe(false);
    expect(binding.onStart(undefined)).toBe('redirect');
    expect(binding.fromBoundBrowser(ours)).toBe(true);
    expect(binding.fromBoundBrowser(`other=1; ${ours}`)).toBe(true);
    expect(binding.fromBoundBrowser(undefined)).toBe(false);
    expect(binding.fromBoundBrowser('kubectl_together_login_8000=other')).toBe(false);
    expect(binding.fromBoundBrowser('kubectl_together_login_8000=v4lue2')).toBe(false);
    expect(binding.fromBoundBrowser('xkubectl_together_login_8000=v4lue')).toBe(false);
    expect(binding.fromBoundBrowser('kubectl_together_login_18000=v4lue')).toBe(false);
  });

  it.each([
    [undefined, 'raced'],
    ['kubectl_together_login_8000=stale-from-an-earlier-login', 'raced'],
    [ours, 'redirect'],
  ] as const)('a second fetch of the start URL with cookie %s → %s', (cookie, decision) => {
    const binding = browserBinding(secrets);
    binding.onStart(undefined);
    expect(binding.onStart(cookie)).toBe(decision);
  });

  it('sets an HttpOnly, SameSite=Lax cookie for the login time, Secure over HTTPS', () => {
    const binding = browserBinding(secrets);
    expect(binding.setCookie(179.2, false)).toBe(`${ours}; Path=/; Max-Age=180; HttpOnly; SameSite=Lax`);
    expect(binding.setCookie(10, true)).toMatch(/; Secure$/);
  });

  it('draws a fresh random start path and cookie for every login, named after the port', () => {
    const [a, b] = [newBrowserBinding(8000), newBrowserBinding(8000)];
    expect(a.startPath).toMatch(/^\/login\/[\w-]{32}$/);
    expect(a.startPath).not.toBe(b.startPath);
    expect(a.setCookie(1, false)).not.toBe(b.setCookie(1, false));
    expect(a.setCookie(1, false)).toMatch(/^kubectl_together_login_8000=[\w-]{43};/);
  });

  it.each([
    [undefined, []],
    ['', []],
    ['a=1', ['1']],
    ['a=1; a=2', ['1', '2']],
    ['b=1;a=2 ; ab=3', ['2']],
  ] as const)('cookie values of "a" in %j: %j', (header, values) => {
    expect(cookieValues(header, 'a')).toEqual(values);
  });
});
