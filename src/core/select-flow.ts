/**
 * Which login flow to run. A pure function of the flags, the environment and what the provider offers, so the rule
 * is testable as a table (test/unit/select-flow.test.ts) and documented once (README, "Login flows").
 *
 * `--grant-type=auto` (the default), in order:
 *   1. `--username` given → password (as int128/kubelogin);
 *   2. `--browser-command` given → browser (the user told us how to show one);
 *   3. a browser can be shown here → browser;
 *   4. otherwise (SSH session, CI, Linux without DISPLAY/WAYLAND_DISPLAY, WSL without an opener) → device code,
 *      when the provider supports it; else the browser flow, whose URL is printed for the user to open.
 */
import type { GrantType } from '../core/get-token-input.js';

export type LoginFlow = 'authcode' | 'authcode-keyboard' | 'device-code' | 'password' | 'client-credentials';

export interface FlowEnvironment {
  readonly platform: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** On WSL: whether a Windows browser opener (wslview, powershell.exe) is on PATH. */
  readonly wslHasOpener: boolean;
}

export interface FlowChoice {
  readonly flow: LoginFlow;
  /** Why, in words for the user (shown at -v=1, or when auto falls back to device code). */
  readonly reason: string;
}

/** The ways to log in from a machine without a browser when there is no device code (get-token and setup say it). */
export const withoutDeviceCode =
  'use --grant-type=authcode (over SSH, forward the callback port: ssh -L 8000:localhost:8000 HOST) or --grant-type=authcode-keyboard';

export function selectFlow(
  input: { grantType: GrantType; username: string | undefined; browserCommand: string | undefined },
  environment: FlowEnvironment,
  providerSupportsDeviceCode: boolean,
): FlowChoice {
  if (input.grantType === 'ci-token')
    // The CI job's own token is not obtained by a login (src/app/ci-login.ts); callers never get here with it.
    throw new Error('--grant-type=ci-token has no login flow');
  if (input.grantType !== 'auto') {
    const flow = input.grantType === 'authcode' ? 'authcode' : input.grantType;
    return { flow, reason: `--grant-type=${input.grantType}` };
  }
  if (input.username) return { flow: 'password', reason: '--username is given' };
  if (input.browserCommand) return { flow: 'authcode', reason: '--browser-command is given' };
  const noBrowser = whyNoBrowser(environment);
  if (noBrowser === undefined) return { flow: 'authcode', reason: 'a browser can be opened here' };
  if (providerSupportsDeviceCode)
    return { flow: 'device-code', reason: `no browser can be opened here (${noBrowser})` };
  return {
    flow: 'authcode',
    reason: `no browser can be opened here (${noBrowser}), and the provider offers no device code flow`,
  };
}

/** undefined when a browser can be shown to the user of this process; otherwise the reason it cannot. */
export function whyNoBrowser({ platform, env, wslHasOpener }: FlowEnvironment): string | undefined {
  if (isTruthy(env.CI)) return 'a CI environment';
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return 'an SSH session';
  if (platform === 'darwin' || platform === 'win32') return undefined;
  if (env.WSL_DISTRO_NAME || env.WSL_INTEROP)
    return wslHasOpener ? undefined : 'WSL without wslview or powershell.exe';
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return undefined;
  return 'no display: DISPLAY and WAYLAND_DISPLAY are unset';
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
