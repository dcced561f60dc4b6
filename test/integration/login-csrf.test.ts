/**
 * Login CSRF by another local user: the URL the plugin hands to the browser sits in the launcher's
 * command line, which every user can read in /proc. Bob reads it there (or gets the provider's authorization URL
 * some other way), logs in as himself, and tries to make the victim's plugin accept his code, so that the victim's
 * kubectl would act as bob. The plugin gives the browser a one-time start URL that binds it with a cookie: a second
 * fetch of that URL stops the login, and a callback without the cookie is refused. The victim's "browser" is the
 * form driver behind a gate (a FIFO) that the test opens, so that bob can act first; bob is an HTTP client with his
 * own cookie jar, as another user's browser would be.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserDriverPath } from '../rig/build.js';
import { readEntry } from '../rig/cache-entries.js';
import { readDriverLog } from '../rig/driver-log.js';
import { expectOneError } from '../rig/one-error.js';
import {
  type LivePlugin,
  loginArgs,
  parseCredential,
  runCommand,
  runPlugin,
  startPlugin,
  tempDir,
} from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { completeLoginWithForms, cookieHeaderFor } from '../rig/provider-forms.js';
import { requirement } from '../rig/requirement.js';
import { secondUserDir } from '../rig/second-user.js';
import { useRigProvider } from '../rig/use-provider.js';

/** Switching uids (setpriv) needs root, as in CI; elsewhere the second-user test skips, loudly. */
const isRoot = requirement(process.getuid?.() === 0, {
  underCi: 'the login CSRF test acts as a second user (setpriv): CI runs it as root',
  skipping: 'the login CSRF test as a real second user (setpriv): run as root to include it',
});
const bobUid = 65534;

/** The processes whose command line names `script`, with that command line, read from /proc as any user can. */
function processesRunning(script: string): { pid: number; argv: string[] }[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
        return argv.includes(script) ? [{ pid: Number(pid), argv }] : [];
      } catch {
        return []; // the process ended meanwhile
      }
    });
}

/** The command line of the process running `script`, once the plugin has started it. */
async function commandLineOf(script: string, withinMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const [found] = processesRunning(script);
    if (found) return found.argv;
    if (Date.now() > deadline) throw new Error(`no process runs ${script}`);
    // The plugin starts the browser command at its own pace: look again shortly.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('login CSRF: another local user tries to make you log in as them', () => {
  const provider = useRigProvider();
  let dir: string;
  let cacheDir: string;
  let gate: string;
  let browser: string;

  beforeEach(() => {
    provider.resetCounts();
    dir = tempDir('csrf');
    cacheDir = join(dir, 'cache');
    // The victim's browser: waits at the gate, then opens what the plugin gave it (logging in as alice).
    gate = join(dir, 'gate');
    execFileSync('mkfifo', [gate]);
    browser = join(dir, 'gated-browser');
    writeFileSync(browser, `#!/bin/sh\nread go < '${gate}'\nexec '${browserDriverPath}' "$@"\n`, {
      mode: 0o755,
    });
  });
  // A failed test leaves no plugin holding the callback port for the next one.
  const running: LivePlugin[] = [];
  afterEach(async () => {
    for (const plugin of running.splice(0)) {
      plugin.kill();
      await plugin.result;
    }
    // A browser still waiting at its gate (the test failed before opening it).
    for (const { pid } of processesRunning(browser)) process.kill(pid, 'SIGKILL');
  });
  const openGate = () => writeFile(gate, 'go\n');
  const victim = (extra: readonly string[] = [], grant = 'authcode') => {
    const plugin = startPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [
        `--browser-command=${browser}`,
        `--grant-type=${grant}`,
        '--authentication-timeout-sec=30',
        ...extra,
      ]),
      { RIG_DRIVER_LOG: join(dir, 'driver.log') },
    );
    running.push(plugin);
    return plugin;
  };
  /** The victim's browser, let through the gate, logs in as alice: hers is the only login made and cached. */
  const aliceLogsIn = async (plugin: LivePlugin, grant = 'authorization_code') => {
    await openGate();
    const result = await plugin.result;
    expect(result.code, result.stderr).toBe(0);
    expect(decodeJwt(parseCredential(result.stdout).token).sub).toBe('alice');
    expect(decodeJwt(readEntry(cacheDir).idToken as string).sub).toBe('alice');
    expect(provider.grants.get(grant)).toBe(1);
  };
  const bob = { login: 'bob', password: 'x' };
  const atCallback = (url: URL) => url.hostname === 'localhost' && url.searchParams.has('code');
  const cached = () => existsSync(cacheDir) && readdirSync(cacheDir).some((name) => name.endsWith('.json'));

  it("bob opens the URL from the launcher's command line first: the plugin stops the login and caches nothing", async () => {
    const plugin = victim();
    const argv = await commandLineOf(browser);
    const url = argv.at(-1) as string;
    // What the command line shows is no authorization request: no state, nonce or PKCE challenge in it.
    expect(url).toMatch(/^http:\/\/localhost:8000\/login\/[\w-]{20,}$/);
    // Bob's browser opens it before the victim's does, and logs in at the provider as bob.
    const bobs = await completeLoginWithForms(url, { ...bob, stopBefore: atCallback });
    // The victim's browser now opens the same URL: a second fetch, so the login stops.
    await openGate();
    const result = await plugin.result;
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('error: the login URL was opened twice');
    // Bob's callback, with his cookie, reaches nothing that exchanges his code.
    const callback = fetch(bobs.finalUrl, {
      headers: { cookie: cookieHeaderFor(bobs.jar, bobs.finalUrl) ?? '' },
    });
    await expect(callback.then((page) => page.status)).rejects.toThrow();
    expect(provider.grants.get('authorization_code') ?? 0).toBe(0);
    expect(result.stdout).toBe('');
    expect(cached()).toBe(false);
    // kubectl's retry opens no new tab at once (another URL for bob to race): the stopped login is remembered as a
    // refused one is. The browser command would wait at its gate, so a launch shows as no prompt answer.
    const retry = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [
        `--browser-command=${browser}`,
        '--authentication-timeout-sec=30',
      ]),
      { RIG_DRIVER_LOG: join(dir, 'driver.log') },
    );
    expect(retry.code, retry.stderr).toBe(4);
    expect(retry.stderr).toMatch(/^The last login failed .* ago; not starting another/m);
    expect(retry.stderr).toContain('error: the login URL was opened twice');
    expect(processesRunning(browser)).toEqual([]);
  });

  it("bob logs in with the provider's authorization URL itself: his callback is refused, the victim's browser logs in as alice", async () => {
    // -v=1 says where the start URL leads: here it stands for any leak of the authorization URL.
    const plugin = victim(['-v=1']);
    const [authorizationUrl] = await plugin.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/auth\?\S+/);
    const bobs = await completeLoginWithForms(authorizationUrl as string, bob);
    expect(bobs.finalUrl).toMatch(/^http:\/\/localhost:8000\/\?/);
    expect(bobs.status).toBe(403);
    expect(bobs.body).toContain('did not open the login link');
    await plugin.waitForStderr(
      /warning: refused a login callback from a browser that did not open the login URL/,
    );
    await aliceLogsIn(plugin);
  });

  /**
   * Bob's browser (the form driver, run as uid 65534) opens the URL from the launcher's command line and tries the
   * whole login before the victim's browser starts: the plugin's `server` refuses him, and alice logs in.
   */
  const anotherUserIsRefused = async (plugin: LivePlugin, server: string, grant: string) => {
    const bobs = secondUserDir('csrf-bob');
    try {
      const url = (await commandLineOf(browser)).at(-1) as string;
      // Bob's driver writes what it got where he may write.
      const log = join(bobs.path, 'bob-driver.log');
      writeFileSync(log, '');
      chownSync(log, bobUid, bobUid);
      const attack = await runCommand(
        'setpriv',
        ['--reuid', String(bobUid), '--regid', String(bobUid), '--clear-groups', bobs.browserDriver, url],
        { RIG_LOGIN: 'bob', RIG_DRIVER_LOG: log },
      );
      expect(attack.code, attack.stderr).toBe(0);
      expect(await readDriverLog(log)).toContain(`done: HTTP 403 at ${new URL(url).origin}/login/`);
      await plugin.waitForStderr(
        new RegExp(
          `warning: refused a request to the login's ${server} from another user of this machine \\(uid ${bobUid}\\)`,
        ),
      );
      expect(provider.grants.get(grant) ?? 0).toBe(0);
      await aliceLogsIn(plugin, grant);
    } finally {
      bobs.remove();
    }
  };

  it.skipIf(!isRoot)(
    "bob, another user, opens the URL from /proc first and logs in before the victim's browser: refused, alice logs in",
    () => anotherUserIsRefused(victim(), 'callback server', 'authorization_code'),
  );

  describe('the device flow, whose verification URL carries the user code', () => {
    const deviceGrant = 'urn:ietf:params:oauth:grant-type:device_code';
    /** Where a browser following the URL reaches the provider's page that shows the user code. */
    const atVerificationPage = (url: URL) => url.pathname === '/device';

    it("bob opens the URL from the launcher's command line first: the login stops (exit 4), his approval is never polled", async () => {
      const plugin = victim([], 'device-code');
      const url = (await commandLineOf(browser)).at(-1) as string;
      // The command line shows a one-time start URL of the plugin, not the verification URL with the code.
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\/[\w-]{20,}$/);
      // Bob's browser follows it to the provider's page with the user code.
      const bobs = await completeLoginWithForms(url, { ...bob, stopBefore: atVerificationPage });
      expect(new URL(bobs.finalUrl).searchParams.has('user_code')).toBe(true);
      // The victim's browser now opens the same URL: a second fetch, so the login stops.
      await openGate();
      const result = await plugin.result;
      expect(result.code, result.stderr).toBe(4);
      expectOneError(result.stderr, /^error: the login URL was opened twice/, /^hint: .*--skip-open-browser/);
      // Bob approves the code as himself: nobody polls it any more, and no later run picks it up.
      const approval = await completeLoginWithForms(bobs.finalUrl, bob);
      expect(approval.body).toMatch(/success/i);
      const again = await runPlugin(
        loginArgs(provider.issuer, publicClientId, cacheDir, [
          '--grant-type=device-code',
          '--skip-open-browser',
          '--authentication-timeout-sec=2',
        ]),
      );
      expect(again.stderr).not.toContain('already under way');
      expect(again.code, again.stderr).toBe(4);
      expect(provider.grants.get(deviceGrant) ?? 0).toBe(0);
      expect(result.stdout).toBe('');
      expect(cached()).toBe(false);
    });

    it.skipIf(!isRoot)(
      "bob, another user, opens the start URL from /proc first: refused with 403, the victim's browser logs in as alice",
      () => anotherUserIsRefused(victim([], 'device-code'), 'start server', deviceGrant),
    );
  });

  it('a new login for another subject than the cached entry says so in one line', async () => {
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--grant-type=authcode']);
    expect((await runPlugin(args)).code).toBe(0);
    // The session ended: the refresh is refused, and the next login happens to be bob's.
    await provider.revokeRefreshTokens();
    const again = await runPlugin([...args, '--force-refresh'], { RIG_LOGIN: 'bob' });
    expect(again.code, again.stderr).toBe(0);
    expect(decodeJwt(parseCredential(again.stdout).token).sub).toBe('bob');
    const lines = again.stderr.split('\n').filter((line) => line.includes('another identity'));
    expect(lines).toEqual([
      'warning: this login is for another identity than the cached one it replaces: subject "bob", was "alice"; if you did not choose another account, run `kubectl together-login clean` and log in again',
    ]);
    expect(again.stderr).not.toContain(parseCredential(again.stdout).token);
  });
});
