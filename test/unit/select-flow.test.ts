import { describe, expect, it } from 'vitest';
import type { GrantType } from '../../src/core/get-token-input.js';
import { type FlowEnvironment, selectFlow } from '../../src/core/select-flow.js';

const desktop: FlowEnvironment = { platform: 'linux', env: { DISPLAY: ':0' }, wslHasOpener: false };
const headless: FlowEnvironment = { platform: 'linux', env: {}, wslHasOpener: false };
const flags = (
  grantType: GrantType = 'auto',
  extra: { username?: string; browserCommand?: string } = {},
) => ({
  grantType,
  username: extra.username,
  browserCommand: extra.browserCommand,
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
