import { describe, expect, it } from 'vitest';
import type { GrantType } from '../../src/core/get-token-input.js';
import {
  type FlowEnvironment,
  fallbackNotice,
  mayUseCallbackServer,
  selectFlow,
} from '../../src/core/select-flow.js';

const desktop: FlowEnvironment = { platform: 'linux', env: { DISPLAY: ':0' }, wslHasOpener: false };
const headless: FlowEnvironment = { platform: 'linux', env: {}, wslHasOpener: false };
const flags = (
  grantType: GrantType = 'auto',
  extra: { username?: string; browserCommand?: string; skipOpenBrowser?: boolean } = {},
) => ({
  grantType,
  username: extra.username,
  browserCommand: extra.browserCommand,
  skipOpenBrowser: extra.skipOpenBrowser ?? false,
});

describe('selectFlow', () => {
  it.each([
    // [case, flags, environment, provider has device flow, expected flow]
    ['explicit authcode', flags('authcode'), headless, true, 'authcode'],
    ['explicit device code on a desktop', flags('device-code'), desktop, true, 'device-code'],
    ['explicit keyboard', flags('authcode-keyboard'), desktop, true, 'authcode-keyboard'],
    ['explicit password', flags('password'), desktop, true, 'password'],
    ['explicit client credentials', flags('client-credentials'), desktop, true, 'client-credentials'],
    ['auto with --username', flags('auto', { username: 'u' }), headless, true, 'password'],
    [
      'auto with --browser-command, headless',
      flags('auto', { browserCommand: 'firefox' }),
      headless,
      true,
      'authcode',
    ],
    ['auto on an X11 desktop', flags(), desktop, true, 'authcode'],
    ['auto on Wayland', flags(), { ...headless, env: { WAYLAND_DISPLAY: 'wayland-0' } }, true, 'authcode'],
    ['auto on macOS', flags(), { ...headless, platform: 'darwin' }, true, 'authcode'],
    ['auto on Windows', flags(), { ...headless, platform: 'win32' }, true, 'authcode'],
    ['auto on Linux without a display', flags(), headless, true, 'device-code'],
    [
      'auto over SSH, even with X forwarding',
      flags(),
      { ...desktop, env: { DISPLAY: 'localhost:10.0', SSH_CONNECTION: '1 2 3 4' } },
      true,
      'device-code',
    ],
    [
      'auto over SSH on macOS',
      flags(),
      { ...headless, platform: 'darwin', env: { SSH_TTY: '/dev/ttys001' } },
      true,
      'device-code',
    ],
    ['auto in CI', flags(), { ...desktop, env: { DISPLAY: ':0', CI: 'true' } }, true, 'device-code'],
    ['auto with CI=false', flags(), { ...desktop, env: { DISPLAY: ':0', CI: 'false' } }, true, 'authcode'],
    [
      'auto on WSL with wslview',
      flags(),
      { ...headless, env: { WSL_DISTRO_NAME: 'Debian' }, wslHasOpener: true },
      true,
      'authcode',
    ],
    [
      'auto on WSL without an opener',
      flags(),
      { ...headless, env: { WSL_DISTRO_NAME: 'Debian' } },
      true,
      'device-code',
    ],
    ['auto headless, provider without device flow', flags(), headless, false, 'authcode'],
  ] as const)('%s → %s', (_case, input, environment, device, expected) => {
    expect(selectFlow(input, environment, device).flow).toBe(expected);
  });

  it('says why it fell back to device code', () => {
    expect(selectFlow(flags(), { ...headless, env: { SSH_CLIENT: 'x' } }, true).reason).toBe(
      'no browser can be opened here (an SSH session)',
    );
  });
});

describe('the flow plan', () => {
  const ssh: FlowEnvironment = { ...headless, env: { SSH_CLIENT: 'x' } };
  it.each([
    // [case, flags, environment, provider has device flow, expected: flow, may open a browser, fallback]
    ['auto on a desktop', flags(), desktop, true, 'authcode', true, undefined],
    [
      'auto on a desktop, --skip-open-browser',
      flags('auto', { skipOpenBrowser: true }),
      desktop,
      true,
      'authcode',
      false,
      undefined,
    ],
    [
      'auto headless: device code, the browser flow behind it',
      flags(),
      headless,
      true,
      'device-code',
      false,
      'authcode',
    ],
    [
      'auto headless, no device flow: the URL printed',
      flags(),
      headless,
      false,
      'authcode',
      false,
      undefined,
    ],
    [
      'auto headless with --browser-command',
      flags('auto', { browserCommand: 'b' }),
      headless,
      true,
      'authcode',
      true,
      undefined,
    ],
    [
      'auto headless, --browser-command and --skip-open-browser',
      flags('auto', { browserCommand: 'b', skipOpenBrowser: true }),
      headless,
      true,
      'authcode',
      false,
      undefined,
    ],
    [
      'device code asked for on a desktop: no fallback',
      flags('device-code'),
      desktop,
      true,
      'device-code',
      true,
      undefined,
    ],
    [
      'device code asked for, headless',
      flags('device-code'),
      headless,
      true,
      'device-code',
      false,
      undefined,
    ],
    ['authcode asked for over SSH', flags('authcode'), ssh, true, 'authcode', false, undefined],
    [
      'auto with --username, headless',
      flags('auto', { username: 'u' }),
      headless,
      true,
      'password',
      false,
      undefined,
    ],
  ] as const)('%s', (_case, input, environment, device, flow, openBrowser, fallback) => {
    const plan = selectFlow(input, environment, device);
    expect({ flow: plan.flow, openBrowser: plan.openBrowser, fallback: plan.fallback?.flow }).toEqual({
      flow,
      openBrowser,
      fallback,
    });
    expect(plan.deviceCodeOffered).toBe(device);
    expect(plan.noBrowser).toEqual(environment === desktop ? undefined : expect.any(String));
  });

  it('falls back to the browser flow as the first would have run it, without suggesting the device code', () => {
    const plan = selectFlow(flags(), ssh, true);
    expect(plan.fallback).toEqual({
      flow: 'authcode',
      openBrowser: false,
      noBrowser: 'an SSH session',
      deviceCodeOffered: false,
    });
  });

  it.each([
    [
      'auto chose the device code',
      flags(),
      ssh,
      true,
      'No browser can be opened here (an SSH session): using a device code instead.',
    ],
    [
      'auto chose the browser flow where none opens',
      flags(),
      ssh,
      false,
      'No browser can be opened here (an SSH session), and the provider offers no device code flow: using the browser flow.',
    ],
    ['a browser opens', flags(), desktop, true, undefined],
    ['device code asked for', flags('device-code'), ssh, true, undefined],
    ['auto with --username', flags('auto', { username: 'u' }), ssh, true, undefined],
  ] as const)('tells the user when %s', (_case, input, environment, device, notice) => {
    expect(selectFlow(input, environment, device).notice).toBe(notice);
  });

  it('says the fallback with the refusal', () => {
    expect(fallbackNotice('the client may not use the device code')).toBe(
      'The client may not use the device code: using the browser flow instead.',
    );
  });

  it.each([
    ['auto', true],
    ['authcode', true],
    ['device-code', false],
    ['authcode-keyboard', false],
    ['password', false],
    ['client-credentials', false],
  ] as const)('checks the callback settings before any request for %s: %s', (grantType, expected) => {
    expect(mayUseCallbackServer(grantType)).toBe(expected);
  });
});
