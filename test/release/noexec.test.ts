/**
 * The linux_amd64 executable with its temporary directory on a real noexec tmpfs, as on hardened servers: Bun
 * unpacks the embedded keyring addon into $TMPDIR, where the kernel refuses to map its code. Each plugin run gets its
 * own mount namespace (`unshare -m`, root: CI runs as root) with fresh noexec tmpfs mounts, so nothing leaks onto the
 * machine; the wrapper checks with findmnt that each mount really is noexec before the plugin starts.
 * The keyring is a real GNOME Keyring on a private D-Bus, the logins go to the rig provider (password grant).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type KeyringSession, keyringToolsPresent, startKeyringSession } from '../rig/keyring.js';
import { type PluginResult, parseCredential, passwordLoginArgs, runCommand, tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';
import { useRigProvider } from '../rig/use-provider.js';
import { extractExecutable, releaseBuilt, releaseTarget } from './release-zip.js';

const linux = releaseTarget('linux_amd64');
const canMount = requirement(process.getuid?.() === 0 && existsSync('/usr/bin/unshare'), {
  underCi: 'the noexec tests mount a tmpfs: they need root and unshare (CI runs as root)',
  skipping: 'the noexec /tmp tests: they need root to mount a tmpfs',
});
const hasKeyring = requirement(keyringToolsPresent, {
  underCi: 'dbus, gnome-keyring and libsecret-tools are required under CI=true',
  skipping: 'the noexec /tmp tests: install dbus gnome-keyring libsecret-tools',
});

/** Mounts a noexec tmpfs on each of $NOEXEC_DIRS, checks it is noexec, then runs the command: all in its namespace. */
const inNoexecMounts = `
for dir in $NOEXEC_DIRS; do
  mount -t tmpfs -o noexec,nosuid,size=64m tmpfs "$dir" || exit 97
  findmnt -n -o OPTIONS -T "$dir" | grep -qw noexec || exit 98
done
exec "$@"`;

describe.skipIf(!(releaseBuilt([linux]) && canMount && hasKeyring))(
  'the standalone executable with a noexec TMPDIR',
  () => {
    const provider = useRigProvider();
    let keyring: KeyringSession;
    let executable: string;
    let tmp: string;
    let cacheHome: string;
    let tokenCache: string;

    beforeAll(async () => {
      keyring = await startKeyringSession();
      executable = await extractExecutable(linux, tempDir('noexec-bin'));
    });
    afterAll(async () => {
      await keyring.close();
    });
    beforeEach(() => {
      const root = tempDir('noexec');
      tmp = join(root, 'tmp');
      cacheHome = join(root, 'cache-home');
      tokenCache = join(root, 'tokens');
      mkdirSync(tmp);
      mkdirSync(cacheHome);
      provider.resetCounts();
    });

    const getToken = (noexecDirs: readonly string[]): Promise<PluginResult> =>
      runCommand(
        'unshare',
        [
          '--mount',
          'sh',
          '-c',
          inNoexecMounts,
          'sh',
          executable,
          ...passwordLoginArgs(provider.issuer, [
            `--token-cache-dir=${tokenCache}`,
            '--token-cache-storage=keyring',
          ]),
        ],
        {
          ...keyring.env,
          TMPDIR: tmp,
          XDG_CACHE_HOME: cacheHome,
          NOEXEC_DIRS: noexecDirs.join(' '),
        },
      );

    it('loads the keyring from a private copy in the cache directory, and answers the next call from it', async () => {
      const login = await getToken([tmp]);
      expect(login.code, login.stderr).toBe(0);
      // The copy: in our own directory (0700), readable by its owner only.
      const copies = join(cacheHome, 'kubectl-together_login');
      expect(statSync(copies).mode & 0o777).toBe(0o700);
      const [copy, ...others] = readdirSync(copies);
      expect(others).toEqual([]);
      expect(copy).toMatch(/^keyring-\w+\.node$/);
      expect(statSync(join(copies, copy as string)).mode & 0o777).toBe(0o600);

      provider.resetCounts();
      const hit = await getToken([tmp]);
      expect(hit.code, hit.stderr).toBe(0);
      expect(parseCredential(hit.stdout).token).toBe(parseCredential(login.stdout).token);
      expect(provider.totalRequests()).toBe(0);
    });

    it('says that the mounts are noexec and how to choose another directory when the copy cannot run either', async () => {
      const result = await getToken([tmp, cacheHome]);
      expect(result.code).toBe(6);
      // Without the warning about --password on the command line (secret-flags.test.ts has it).
      const lines = result.stderr
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('warning:'));
      expect(lines).toEqual([
        `error: the keyring support could not be loaded: the native keyring code cannot run: ${tmp} is on a file system mounted noexec (${tmp}); ${join(cacheHome, 'kubectl-together_login')} is on a file system mounted noexec (${cacheHome})`,
        'hint: set TMPDIR to a directory of yours on a file system mounted without noexec (`findmnt -T DIR` shows the options), or choose --token-cache-storage=disk, or encrypted with KUBECTL_TOGETHER_LOGIN_CACHE_KEY',
      ]);
      expect(provider.totalRequests()).toBe(0);
    });

    it('does not load code from a cache directory that others may write to', async () => {
      const copies = join(cacheHome, 'kubectl-together_login');
      mkdirSync(copies, { mode: 0o777 });
      chmodSync(copies, 0o777);
      const result = await getToken([tmp]);
      expect(result.code).toBe(6);
      expect(result.stderr).toContain(`${copies} is not a private directory of this user`);
      expect(result.stderr).toContain('mounted noexec');
      expect(readdirSync(copies)).toEqual([]);
    });
  },
);
