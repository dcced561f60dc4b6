/**
 * Logins across plugin processes, against the real provider with real files: a login that just failed fails fast,
 * a device code outlives the run that asked for it, a stopped lock holder keeps its lock, a holder that lost its
 * lock takes the new holder's token instead of writing its own, and waiting processes give up within the bound.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectOneError } from '../rig/one-error.js';
import {
  type LivePlugin,
  loginArgs,
  neverInteractive,
  parseCredential,
  runPlugin,
  startPlugin,
  tempDir,
} from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { completeLoginWithForms } from '../rig/provider-forms.js';
import { useRigProvider } from '../rig/use-provider.js';

const user = { login: 'alice', password: 'any' };

function cacheDirectory(): string {
  return join(tempDir('cache'), 'oidc-login');
}

/** Waits (polling the file, no fixed sleep) until nothing has touched the path for `ms`. */
async function untouchedFor(path: string, ms: number): Promise<void> {
  for (;;) {
    const age = Date.now() - statSync(path).mtimeMs;
    if (age > ms) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, ms - age + 10)));
  }
}

function loginRecordPath(cacheDir: string): string {
  const name = readdirSync(cacheDir).find((n) => /^together-login-v1-[0-9a-f]{64}\.login$/.test(n));
  if (!name) throw new Error(`no login record in ${cacheDir}: ${readdirSync(cacheDir).join(', ')}`);
  return join(cacheDir, name);
}

/** Moves the recorded failure back in time, as if the retry window had passed. */
function ageRecordedFailure(cacheDir: string, ms: number): void {
  const path = loginRecordPath(cacheDir);
  const record = JSON.parse(readFileSync(path, 'utf8'));
  record.failure.at -= ms;
  writeFileSync(path, JSON.stringify(record), { mode: 0o600 });
}

describe('logins across processes', () => {
  const provider = useRigProvider({ idTokenTtlSec: 600 });
  // A test that fails while a plugin waits (or is stopped) must not leave it holding the callback ports.
  const live: LivePlugin[] = [];
  const start = (...args: Parameters<typeof startPlugin>): LivePlugin => {
    const plugin = startPlugin(...args);
    live.push(plugin);
    return plugin;
  };
  afterEach(() => {
    for (const plugin of live.splice(0)) {
      plugin.kill('SIGCONT');
      plugin.kill();
    }
  });

  describe('a login that just failed', () => {
    it('fails fast with the same error and exit code, until --force-refresh or the window has passed', async () => {
      const cacheDir = cacheDirectory();
      const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--skip-open-browser',
        '--authentication-timeout-sec=1',
      ]);
      const first = await runPlugin(args, { KUBERNETES_EXEC_INFO: neverInteractive });
      expect(first.code).toBe(4);
      const errorLines = first.stderr.split('\n').filter((line) => /^(error|hint): /.test(line));
      expect(errorLines[0]).toBe('error: no login completed within 1 s');
      expect(errorLines[1]).toContain('--grant-type=device-code');

      provider.resetCounts();
      const again = await runPlugin(args, { KUBERNETES_EXEC_INFO: neverInteractive });
      expect(again.code).toBe(4);
      expect(again.stderr).toMatch(/The last login failed \d+ s ago; not starting another for \d+ s/);
      // The same error; the hint speaks of no URL "printed above": this run printed none.
      expectOneError(
        again.stderr,
        /^error: no login completed within 1 s$/,
        /^hint: this run started no login and printed no URL: run the command again in \d+ s, or at once after `kubectl together-login clean`, and complete the login it prints$/,
      );
      expect(again.stderr).not.toContain('printed above');
      expect(again.stderr).not.toContain('Open this URL');
      expect(provider.totalRequests()).toBe(0);

      const forced = await runPlugin([...args, '--force-refresh'], {
        KUBERNETES_EXEC_INFO: neverInteractive,
      });
      expect(forced.code).toBe(4);
      expect(forced.stderr).toContain('Open this URL');

      ageRecordedFailure(cacheDir, 61_000);
      const later = await runPlugin(args, { KUBERNETES_EXEC_INFO: neverInteractive });
      expect(later.stderr).toContain('Open this URL');
    });

    it('remembers a refusal at the provider (access_denied) too', async () => {
      const cacheDir = cacheDirectory();
      const args = loginArgs(provider.issuer, publicClientId, cacheDir);
      const denied = await runPlugin(args, { RIG_DRIVER_MODE: 'deny' });
      expect(denied.code).toBe(4);
      const again = await runPlugin(args);
      expect(again.code).toBe(4);
      expect(again.stderr).toContain('The last login failed');
      expect(again.stderr).toContain('access_denied');
    });
  });

  /** A device-code login that timed out after 1 s, nobody at the provider: its code stays valid for minutes. */
  async function deviceCodeTimedOut(cacheDir: string) {
    // --skip-open-browser: the rig's browser would complete the device login by itself.
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      '--grant-type=device-code',
      '--skip-open-browser',
      '--authentication-timeout-sec=1',
    ]);
    provider.resetCounts();
    const first = await runPlugin(args, { KUBERNETES_EXEC_INFO: neverInteractive });
    expect(first.code).toBe(4);
    const [, code] = first.stderr.match(/shows the code (\S+):/) ?? [];
    return { args, first, code };
  }

  describe('a device code', () => {
    it('is shown again and polled by a later run while it is valid: one code at the provider', async () => {
      const cacheDir = cacheDirectory();
      const { first, code } = await deviceCodeTimedOut(cacheDir);
      expect(first.stderr).toContain('error: no login completed within 1 s');
      expect(first.stderr).toMatch(/hint: .*the code stays valid for \d+ minutes/);

      ageRecordedFailure(cacheDir, 61_000);
      const second = start(
        loginArgs(provider.issuer, publicClientId, cacheDir, [
          '--grant-type=device-code',
          '--skip-open-browser',
        ]),
        { KUBERNETES_EXEC_INFO: neverInteractive },
      );
      await second.waitForStderr(/already under way/);
      const [, sameCode, url] = await second.waitForStderr(/shows the code (\S+):\n {2}(\S+)/);
      expect(sameCode).toBe(code);
      await completeLoginWithForms(url as string, user);
      const result = await second.result;
      expect(result.code, result.stderr).toBe(0);
      expect(provider.requests.get('/device/auth')).toBe(1);
    });
  });

  describe('starting over', () => {
    it('the fail-fast run shows the still-valid device code and names clean; clean removes the record and says so', async () => {
      const cacheDir = cacheDirectory();
      const { args, code } = await deviceCodeTimedOut(cacheDir);

      const replayed = await runPlugin(args, { KUBERNETES_EXEC_INFO: neverInteractive });
      expect(replayed.code).toBe(4);
      expect(replayed.stderr).toMatch(
        /not starting another for (\d+) s\. Wait \1 s, or run `kubectl together-login clean` to start over/,
      );
      expect(replayed.stderr).toMatch(/device code of that login is still valid for \d+ minutes/);
      expect(replayed.stderr).toContain(`shows the code ${code}:`);
      expect(provider.requests.get('/device/auth')).toBe(1);

      const run = (extra: string[]) => runPlugin(['clean', `--token-cache-dir=${cacheDir}`, ...extra]);
      const otherIssuer = await run(['--oidc-issuer-url=https://other.example.com']);
      expect(otherIssuer.code, otherIssuer.stderr).toBe(0);
      expect(otherIssuer.stdout).toBe('Nothing cached matched; nothing removed.\n');
      expect(loginRecordPath(cacheDir)).toBeTruthy();

      const cleaned = await run([`--oidc-issuer-url=${provider.issuer}`]);
      expect(cleaned.code, cleaned.stderr).toBe(0);
      expect(cleaned.stdout).toMatch(
        new RegExp(
          `^removed login record: ${provider.issuer} / ${publicClientId} \\(a device code valid for \\d+ minutes; the last login failed \\d+ s ago: no login completed within 1 s\\)$`,
          'm',
        ),
      );
      expect(cleaned.stdout).toContain('Removed 1 login record (the next run starts a new login).');
      expect(() => loginRecordPath(cacheDir)).toThrow(/no login record/);

      const fresh = start(
        loginArgs(provider.issuer, publicClientId, cacheDir, [
          '--grant-type=device-code',
          '--skip-open-browser',
        ]),
        { KUBERNETES_EXEC_INFO: neverInteractive },
      );
      const [, newCode, url] = await fresh.waitForStderr(/shows the code (\S+):\n {2}(\S+)/);
      expect(newCode).not.toBe(code);
      await completeLoginWithForms(url as string, user);
      expect((await fresh.result).code).toBe(0);
      expect(provider.requests.get('/device/auth')).toBe(2);
    });
    it('clean keeps the record of a login still running, which then completes', async () => {
      const cacheDir = cacheDirectory();
      const running = start(
        loginArgs(provider.issuer, publicClientId, cacheDir, [
          '--grant-type=device-code',
          '--skip-open-browser',
        ]),
        { KUBERNETES_EXEC_INFO: neverInteractive },
      );
      const [, url] = await running.waitForStderr(/shows the code \S+:\n {2}(\S+)/);
      const cleaned = await runPlugin(['clean', `--token-cache-dir=${cacheDir}`]);
      expect(cleaned.code, cleaned.stderr).toBe(0);
      expect(cleaned.stdout).toMatch(
        new RegExp(
          `^kept login record: ${provider.issuer} / ${publicClientId} \\(a login in progress \\(device-code\\), pid \\d+ on `,
          'm',
        ),
      );
      await completeLoginWithForms(url as string, user);
      expect((await running.result).code).toBe(0);
    });
  });

  describe('the lock', () => {
    it('a waiter shows the holder’s device code and gets the token of that login', async () => {
      const cacheDir = cacheDirectory();
      const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--grant-type=device-code',
        '--skip-open-browser',
      ]);
      const holder = start(args, { KUBERNETES_EXEC_INFO: neverInteractive });
      const [, code, url] = await holder.waitForStderr(/shows the code (\S+):\n {2}(\S+)/);
      const waiter = start(args, { KUBERNETES_EXEC_INFO: neverInteractive });
      const [, shown] = await waiter.waitForStderr(/is logging in with a device code.*shows the code (\S+):/);
      expect(shown).toBe(code);
      await completeLoginWithForms(url as string, user);
      const [held, waited] = await Promise.all([holder.result, waiter.result]);
      expect(held.code, held.stderr).toBe(0);
      expect(waited.code, waited.stderr).toBe(0);
      expect(parseCredential(waited.stdout).token).toBe(parseCredential(held.stdout).token);
    });

    it('gives up after the waiter’s --authentication-timeout-sec plus 30 s, not a device code’s lifetime', async () => {
      const cacheDir = cacheDirectory();
      const holder = start(
        loginArgs(provider.issuer, publicClientId, cacheDir, [
          '--skip-open-browser',
          '--authentication-timeout-sec=120',
        ]),
      );
      try {
        await holder.waitForStderr(/Open this URL/);
        const started = Date.now();
        const waiter = await runPlugin(
          loginArgs(provider.issuer, publicClientId, cacheDir, ['--authentication-timeout-sec=2']),
        );
        const waited = Date.now() - started;
        expect(waiter.code).toBe(6);
        expect(waiter.stderr).toMatch(
          /error: gave up waiting for the token cache lock .* \(held by pid \d+\) after 3\d s/,
        );
        expect(waited).toBeGreaterThanOrEqual(32_000);
        expect(waited).toBeLessThan(45_000);
      } finally {
        holder.kill();
      }
    }, 90_000);

    /** A browser login that holds the key's lock, then stopped (SIGSTOP) as by a closed laptop lid. */
    async function stoppedHolder() {
      const cacheDir = cacheDirectory();
      const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--skip-open-browser',
        '--authentication-timeout-sec=60',
      ]);
      const holder = start(args);
      const [, url] = await holder.waitForStderr(/Open this URL in your browser to log in:\n {2}(\S+)/);
      holder.kill('SIGSTOP');
      const lockName = readdirSync(cacheDir).find((n) => /^together-login-v1-[0-9a-f]{64}\.lock$/.test(n));
      return { cacheDir, args, holder, url: url as string, lockDir: join(cacheDir, lockName as string) };
    }

    it('a stopped holder (SIGSTOP) keeps its lock: the waiter does not log in a second time', async () => {
      const { args, holder, url, lockDir } = await stoppedHolder();
      provider.resetCounts();
      const waiter = start(args);
      await waiter.waitForStderr(
        /Another kubectl-together_login process \(pid \d+\) is waiting for a browser login/,
      );
      // Past the point where an untouched lock counts as stale: the holder is stopped, not dead.
      await untouchedFor(lockDir, 7_000);
      expect(provider.requests.get('/auth') ?? 0).toBe(0);
      holder.kill('SIGCONT');
      await completeLoginWithForms(url, user);
      const [held, waited] = await Promise.all([holder.result, waiter.result]);
      expect(held.code, held.stderr).toBe(0);
      expect(waited.code, waited.stderr).toBe(0);
      expect(parseCredential(waited.stdout).token).toBe(parseCredential(held.stdout).token);
      expect(provider.grants.get('authorization_code')).toBe(1);
    }, 60_000);

    it('a holder that lost its lock while stopped takes the new holder’s token instead of writing its own', async () => {
      const { cacheDir, holder, url, lockDir } = await stoppedHolder();
      await untouchedFor(lockDir, 1_000);
      // The stopped holder's locks and records disappear, as `clean` removes them a minute after their last touch.
      for (const name of readdirSync(cacheDir)) {
        if (/\.(lock|login)$/.test(name)) rmSync(join(cacheDir, name), { recursive: true, force: true });
      }
      const other = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir));
      expect(other.code, other.stderr).toBe(0);
      const theirs = parseCredential(other.stdout).token;

      holder.kill('SIGCONT');
      await completeLoginWithForms(url, user);
      const held = await holder.result;
      expect(held.code, held.stderr).toBe(0);
      expect(held.stderr).toContain('Another process logged in while this one was stopped; using its token.');
      expect(parseCredential(held.stdout).token).toBe(theirs);
      const cached = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir));
      expect(parseCredential(cached.stdout).token).toBe(theirs);
    }, 60_000);
  });
});
