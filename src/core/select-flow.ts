/**
 * Which login flow to run, and how: a plan that is a pure function of the flags, the environment and what the
 * provider offers, so the rules are testable as tables (test/unit/select-flow.test.ts) and documented once (README,
 * "Login flows"). The plan says the flow, whether a browser may be opened, what to tell the user about the choice,
 * and the fallback: the browser flow when auto chose the device code and the provider or client refuses it.
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

/** How one flow runs: the plan's first, and its fallback. */
export interface FlowStep {
  readonly flow: LoginFlow;
  /**
   * Whether a browser may be launched: not with --skip-open-browser, nor where none can be shown unless
   * --browser-command says how (a launcher finds no browser there, or worse, a text browser takes the terminal; the
   * URL is printed instead).
   */
  readonly openBrowser: boolean;
  /** Why no browser can be shown here (SSH, CI, no display), for the flows' messages; undefined when one can. */
  readonly noBrowser: string | undefined;
  /** Whether the device code is worth suggesting when the browser flow fails: offered, and not refused. */
  readonly deviceCodeOffered: boolean;
}

export interface FlowPlan extends FlowStep {
  /** Why this flow, in words for the user (shown at -v=1). */
  readonly reason: string;
  /** Said before the login when auto chose for a machine without a browser; undefined otherwise. */
  readonly notice: string | undefined;
  /**
   * Run instead when the first flow finds the device code unavailable (flows/refusals.ts isDeviceCodeUnavailable):
   * auto chose it for a headless machine, and the browser flow still works for SSH users who forward the callback
   * port or paste the URL back. Undefined when there is nothing to fall back to.
   */
  readonly fallback: FlowStep | undefined;
}

/** The ways to log in from a machine without a browser when there is no device code (get-token and setup say it). */
export const withoutDeviceCode =
  'use --grant-type=authcode (over SSH, forward the callback port: ssh -L 8000:localhost:8000 HOST) or --grant-type=authcode-keyboard';

type FlowFlags = {
  readonly grantType: GrantType;
  readonly username: string | undefined;
  readonly browserCommand: string | undefined;
  readonly skipOpenBrowser: boolean;
};

export function selectFlow(
  input: FlowFlags,
  environment: FlowEnvironment,
  providerSupportsDeviceCode: boolean,
): FlowPlan {
  const noBrowser = whyNoBrowser(environment);
  const { flow, reason } = chooseFlow(input, noBrowser, providerSupportsDeviceCode);
  const step = (flow: LoginFlow, deviceCodeOffered: boolean): FlowStep => ({
    flow,
    openBrowser: !input.skipOpenBrowser && (noBrowser === undefined || input.browserCommand !== undefined),
    noBrowser,
    deviceCodeOffered,
  });
  const auto = input.grantType === 'auto';
  let notice: string | undefined;
  if (auto && flow === 'device-code')
    notice = `No browser can be opened here (${noBrowser}): using a device code instead.`;
  if (auto && flow === 'authcode' && !providerSupportsDeviceCode && noBrowser !== undefined)
    notice = `${capitalized(reason)}: using the browser flow.`;
  return {
    ...step(flow, providerSupportsDeviceCode),
    reason,
    notice,
    fallback: auto && flow === 'device-code' ? step('authcode', false) : undefined,
  };
}

/** Said when the plan's fallback runs: `why` is the refusal's message. */
export function fallbackNotice(why: string): string {
  return `${capitalized(why)}: using the browser flow instead.`;
}

/**
 * Whether this run may end in the browser flow (asked for, or auto's choice or fallback): its callback server's
 * settings are then checked before any request, since only this machine can tell they are wrong.
 */
export function mayUseCallbackServer(grantType: GrantType): boolean {
  return grantType === 'auto' || grantType === 'authcode';
}

function chooseFlow(
  input: FlowFlags,
  noBrowser: string | undefined,
  providerSupportsDeviceCode: boolean,
): { flow: LoginFlow; reason: string } {
  if (input.grantType === 'ci-token')
    // The CI job's own token is not obtained by a login (src/app/ci-login.ts); callers never get here with it.
    throw new Error('--grant-type=ci-token has no login flow');
  if (input.grantType !== 'auto') {
    const flow = input.grantType === 'authcode' ? 'authcode' : input.grantType;
    return { flow, reason: `--grant-type=${input.grantType}` };
  }
  if (input.username) return { flow: 'password', reason: '--username is given' };
  if (input.browserCommand) return { flow: 'authcode', reason: '--browser-command is given' };
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

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}
