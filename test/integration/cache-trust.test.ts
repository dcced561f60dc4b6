/**
 * The token cache against hostile neighbours and odd files: a cache directory others may write (another user swaps
 * the entry of issuer A for a link to the entry of issuer B), entries that are links, FIFOs or another user's files,
 * an entry recorded for another issuer, and a dangling link at the lock path. Real files, real uids (setpriv), a real
 * provider per issuer.
 */
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneError } from '../rig/one-error.js';
import { loginArgs, parseCredential, runCommand, runPlugin, tempDir } from '../rig/plugin.js';
import { publicClientId, type RigProvider } from '../rig/provider.js';
import { requirement } from '../rig/requirement.js';
import { type SecondUserDir, secondUserDir } from '../rig/second-user.js';
import { useRigProvider } from '../rig/use-provider.js';

/** Switching uids (setpriv, chown) and mounting need root, as in CI; elsewhere these tests skip, loudly. */
const isRoot = requirement(process.getuid?.() === 0, {
  underCi: 'these tests switch uids or mount a tmpfs: CI runs them as root',
  skipping: 'the tests that need root (uid switches, a tmpfs mount): run as root to include them',
});

const attackerUid = 1000;
const victimUid = 1001;
const asUser = (uid: number) => ['--reuid', String(uid), '--regid', String(uid), '--clear-groups'];

describe('token cache trust', () => {
  const providerA = useRigProvider();
  const providerB = useRigProvider();
  const made: SecondUserDir[] = [];
  afterAll(async () => {
    for (const dir of made) dir.remove();
  });

  const newDir = (): { base: string; cache: string } => {
    const base = tempDir('trust');
    return { base, cache: join(base, 'oidc-login') };
  };
  /** Other uids cannot enter the run's private temporary root: tests that switch uids work in a place of their own. */
  const sharedDir = (): SecondUserDir & { cache: string } => {
    const dir = secondUserDir('trust');
    made.push(dir);
    return { ...dir, cache: join(dir.path, 'oidc-login') };
  };
  const argsFor = (provider: RigProvider, cache: string, extra: readonly string[] = []) =>
    loginArgs(provider.issuer, publicClientId, cache, extra);
  /** Logs in at A and B into one directory; returns the paths of both entries. */
  const twoEntries = async (cache: string) => {
    for (const provider of [providerA, providerB]) {
      const result = await runPlugin(argsFor(provider, cache));
      expect(result.code, result.stderr).toBe(0);
    }
    const entryOf = (issuer: string) => {
      const name = readdirSync(cache).find(
        (file) =>
          /^together-login-v1-[0-9a-f]{64}\.json$/.test(file) &&
          JSON.parse(readFileSync(join(cache, file), 'utf8')).issuer === issuer,
      );
      return join(cache, name as string);
    };
    return { a: entryOf(providerA.issuer), b: entryOf(providerB.issuer) };
  };
  const issuerOfToken = (stdout: string) => decodeJwt(parseCredential(stdout).token).iss;

  it.skipIf(!isRoot)(
    'refuses a cache directory others may write, where another user swapped an entry for a link',
    async () => {
      const { path: base, cache } = sharedDir();
      chmodSync(base, 0o755);
      const { a, b } = await twoEntries(cache);
      chmodSync(cache, 0o777); // a shared KUBECACHEDIR
      // Another local user replaces A's entry by a link to B's.
      const swap = await runCommand('setpriv', [...asUser(attackerUid), 'ln', '-sfn', b, a]);
      expect(swap.code, swap.stderr).toBe(0);
      expect(lstatSync(a).isSymbolicLink()).toBe(true);

      const result = await runPlugin(argsFor(providerA, cache));
      expect(result.code, result.stderr).toBe(6);
      expect(result.stdout).toBe('');
      expectOneError(
        result.stderr,
        new RegExp(
          `^error: refusing the token cache: ${cache} is writable by its group and all users \\(mode 0777\\)`,
        ),
        new RegExp(`^hint: make it private: chmod 700 ${cache}$`),
      );
    },
  );

  it('never follows a link at an entry path, even in a private directory', async () => {
    const { cache } = newDir();
    const { a, b } = await twoEntries(cache);
    rmSync(a);
    symlinkSync(b, a);
    const result = await runPlugin(argsFor(providerA, cache));
    expect(result.code, result.stderr).toBe(6);
    expect(result.stdout).toBe('');
    expectOneError(
      result.stderr,
      new RegExp(`^error: refusing the token cache: ${a} is a symbolic link`),
      /rm /,
    );
    // clean removes it.
    const clean = await runPlugin(['clean', `--token-cache-dir=${cache}`]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(existsSync(a) || lstatSync(a, { throwIfNoEntry: false }) !== undefined).toBe(false);
  });

  it('serves an entry only for the issuer it records: a copied file is ignored and A logs in afresh', async () => {
    const { cache } = newDir();
    const { a, b } = await twoEntries(cache);
    copyFileSync(b, a);
    const result = await runPlugin(argsFor(providerA, cache));
    expect(result.code, result.stderr).toBe(0);
    expect(issuerOfToken(result.stdout)).toBe(providerA.issuer);
    expect(result.stderr).toContain(
      `warning: ignoring the cached entry: it was recorded for issuer "${providerB.issuer}"`,
    );
    // Printed once, not before and after taking the lock.
    expect(result.stderr.split('ignoring the cached entry').length).toBe(2);
  });

  it('serves an entry only for the key it was written under: one copied onto the file of another hint is ignored', async () => {
    const { cache } = newDir();
    const entries = () =>
      readdirSync(cache).filter((name) => /^together-login-v1-[0-9a-f]{64}\.json$/.test(name));
    const work = argsFor(providerA, cache, ['--token-cache-hint=work']);
    const home = argsFor(providerA, cache, ['--token-cache-hint=home']);
    const workLogin = await runPlugin(work);
    expect(workLogin.code, workLogin.stderr).toBe(0);
    const [workEntry] = entries();
    expect((await runPlugin(home)).code).toBe(0);
    const homeEntry = entries().find((name) => name !== workEntry) as string;
    // Same issuer and client, another key: the work identity's file put where the home identity's belongs.
    copyFileSync(join(cache, workEntry as string), join(cache, homeEntry));
    providerA.resetCounts();
    const result = await runPlugin(home);
    expect(result.code, result.stderr).toBe(0);
    expect(parseCredential(result.stdout).token).not.toBe(parseCredential(workLogin.stdout).token);
    expect(result.stderr).toContain('warning: ignoring the cached entry: it was written for other settings');
    // Neither served nor refreshed: a new login, whose entry replaces the copy.
    expect(providerA.grants.get('refresh_token')).toBeUndefined();
    expect(providerA.grants.get('authorization_code')).toBe(1);
    const again = await runPlugin(home);
    expect(parseCredential(again.stdout).token).toBe(parseCredential(result.stdout).token);
  });

  it('refuses a group-writable cache directory and an entry writable by others (exit 6, mode and fix)', async () => {
    const { cache } = newDir();
    const { a } = await twoEntries(cache);
    chmodSync(cache, 0o770);
    const dirResult = await runPlugin(argsFor(providerA, cache));
    expect(dirResult.code).toBe(6);
    expectOneError(dirResult.stderr, /is writable by its group \(mode 0770\)/, /chmod 700/);

    chmodSync(cache, 0o700);
    chmodSync(a, 0o622);
    const entryResult = await runPlugin(argsFor(providerA, cache));
    expect(entryResult.code).toBe(6);
    expectOneError(
      entryResult.stderr,
      new RegExp(
        `^error: refusing the token cache: ${a} is writable by its group and all users \\(mode 0622\\)`,
      ),
      /rm /,
    );
  });

  it.skipIf(!isRoot)(
    'refuses, as another user, a cache directory and an entry the attacker owns',
    async () => {
      const shared = sharedDir();
      const { path: base, cache } = shared;
      chmodSync(base, 0o755);
      // The victim logs in once in a directory of its own, to learn the entry's file name.
      const own = join(base, 'victim');
      mkdirSync(own, { mode: 0o700 });
      chownSync(own, victimUid, victimUid);
      const victim = (dir: string) =>
        runCommand(
          'setpriv',
          [...asUser(victimUid), shared.pluginBin, ...shared.args(argsFor(providerA, dir))],
          {
            HOME: own,
          },
        );
      const first = await victim(join(own, 'cache'));
      expect(first.code, first.stderr).toBe(0);
      const name = readdirSync(join(own, 'cache')).find((file) => file.endsWith('.json')) as string;

      // The attacker prepares the directory the victim will use (a shared KUBECACHEDIR), with a planted entry.
      mkdirSync(cache, { mode: 0o755 });
      copyFileSync(join(own, 'cache', name), join(cache, name));
      chownSync(cache, attackerUid, attackerUid);
      chownSync(join(cache, name), attackerUid, attackerUid);
      const dirResult = await victim(cache);
      expect(dirResult.code, dirResult.stderr).toBe(6);
      expect(dirResult.stdout).toBe('');
      expectOneError(
        dirResult.stderr,
        new RegExp(`is owned by another user \\(uid ${attackerUid}, you are ${victimUid}\\)`),
        /--token-cache-dir/,
      );

      // The directory is the victim's, but the entry in it is not.
      chownSync(cache, victimUid, victimUid);
      chmodSync(cache, 0o700);
      chmodSync(join(cache, name), 0o600);
      const entryResult = await victim(cache);
      expect(entryResult.code, entryResult.stderr).toBe(6);
      expectOneError(
        entryResult.stderr,
        new RegExp(`${name} is owned by another user \\(uid ${attackerUid}, you are ${victimUid}\\)`),
        /rm /,
      );
    },
  );

  it('answers at once, with exit code 6, when a FIFO sits at the entry path', async () => {
    const { cache } = newDir();
    const { a } = await twoEntries(cache);
    rmSync(a);
    expect((await runCommand('mkfifo', [a])).code).toBe(0);
    const result = await runPlugin(argsFor(providerA, cache));
    expect(result.code, result.stderr).toBe(6);
    expectOneError(result.stderr, /is a FIFO \(named pipe\): only a regular file/, /rm /);
  });

  it('treats a dangling link at the lock path as stale, and clean removes one', async () => {
    const { cache } = newDir();
    const { a } = await twoEntries(cache);
    const lock = a.replace(/\.json$/, '.lock');
    symlinkSync(join(cache, 'nowhere'), lock);
    const started = Date.now();
    const result = await runPlugin(argsFor(providerA, cache, ['--force-refresh']));
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.stderr).not.toContain('Waiting for another');
    expect(lstatSync(lock, { throwIfNoEntry: false })).toBeUndefined();

    symlinkSync(join(cache, 'nowhere'), lock);
    const clean = await runPlugin(['clean', `--token-cache-dir=${cache}`]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(lstatSync(lock, { throwIfNoEntry: false })).toBeUndefined();
  });
});
