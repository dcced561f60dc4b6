/**
 * kubectl may kill the plugin at any moment (a cancelled command, a closed terminal). A get-token killed with
 * SIGKILL while it refreshes and writes must leave a readable cache, and its lock must not block the next call, nor
 * may a later process that was given its PID keep it.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../../src/platform/process-start.js';
import { pluginBin } from '../rig/build.js';
import { baseEnvironment, loginArgs, runPlugin, startPlugin, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

function killAfter(args: string[], delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(pluginBin, args, {
      stdio: 'ignore',
      env: baseEnvironment(),
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('killed get-token processes', () => {
  const provider = useRigProvider();

  it('never leave the cache entry unreadable', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, ['--force-refresh']);
    expect((await runPlugin(args)).code).toBe(0);
    const entryFile = () => readdirSync(cacheDir).find((name) => name.endsWith('.json')) as string;
    for (let i = 0; i < 20; i++) {
      // Spread over start-up, discovery, the refresh round trip and the write.
      await killAfter(args, 40 + ((i * 37) % 360));
      const entry = JSON.parse(readFileSync(join(cacheDir, entryFile()), 'utf8'));
      expect(entry.format, `after kill ${i}`).toBe('together-login/token-cache/v1');
      expect(typeof entry.idToken).toBe('string');
      // A killed holder's lock would make the next call wait until it is stale: tested below, skipped here.
      rmSync(join(cacheDir, entryFile().replace(/\.json$/, '.lock')), { recursive: true, force: true });
    }
    const after = await runPlugin(args);
    expect(after.code, after.stderr).toBe(0);
  }, 120_000);

  it("take over a killed holder's lock once it is stale", async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const args = loginArgs(provider.issuer, publicClientId, cacheDir, [
      '--skip-open-browser',
      '--authentication-timeout-sec=30',
    ]);
    // Killed while it holds the lock and waits for a login that never comes: it prints the URL only then.
    const holder = startPlugin(args);
    await holder.waitForStderr(/Open this URL/);
    holder.kill('SIGKILL');
    await holder.result;
    expect(readdirSync(cacheDir).some((name) => name.endsWith('.lock'))).toBe(true);
    const started = Date.now();
    const next = await runPlugin(loginArgs(provider.issuer, publicClientId, cacheDir));
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(
      /Waiting for the lock of a kubectl-together_login process that ended \(pid \d+\): it is taken over once it is 5 s old/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(existsSync(cacheDir)).toBe(true);
  }, 60_000);

  it('take over a lock whose record names a live PID of another start time (a reused PID: here PID 1)', async () => {
    const cacheDir = join(tempDir('cache'), 'oidc-login');
    const holder = startPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, [
        '--skip-open-browser',
        '--authentication-timeout-sec=30',
      ]),
    );
    await holder.waitForStderr(/Open this URL/);
    holder.kill('SIGKILL');
    await holder.result;
    // The killed holder's PID now names PID 1, alive for the whole test, with a deadline ten minutes ahead: only
    // its start time tells that PID 1 is not the holder.
    // The key's record, not the provider's browser slot (its record is a .login file too, named browser-…): which
    // of the two readdir lists first depends on the file names, so a plain find picked either.
    const recordName = readdirSync(cacheDir).find(
      (name) => name.endsWith('.login') && !name.includes('-browser-'),
    ) as string;
    const record = JSON.parse(readFileSync(join(cacheDir, recordName), 'utf8'));
    expect(record.holder.started).toMatch(/^\d+$/);
    expect(record.holder.started).not.toBe(processStartTime(1));
    record.holder = { ...record.holder, pid: 1, until: Date.now() + 600_000 };
    writeFileSync(join(cacheDir, recordName), JSON.stringify(record), { mode: 0o600 });
    const started = Date.now();
    // Its own bound is 5 s + 30 s: a waiter that honoured PID 1 would give up with exit 6 after it.
    const next = await runPlugin(
      loginArgs(provider.issuer, publicClientId, cacheDir, ['--authentication-timeout-sec=5']),
    );
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(
      /Waiting for the lock of a kubectl-together_login process that ended \(pid 1\)/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);
});
