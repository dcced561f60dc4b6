/**
 * Where the standalone executable unpacks its keyring addon when $TMPDIR fails, and how a noexec mount is found in
 * /proc/self/mountinfo and reported (src/core/native-addon.ts). test/release/noexec.test.ts runs it on real mounts.
 */
import { describe, expect, it } from 'vitest';
import { addonCacheDir, addonLoadFailure, noexecMountOf } from '../../src/core/native-addon.js';

// proc(5): ID, parent ID, major:minor, root, mount point, mount options, optional fields, -, type, source, super options.
const mountinfo = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '30 22 0:26 / /tmp rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw',
  '31 22 0:27 / /tmpfs-not-tmp rw,relatime - tmpfs tmpfs rw',
  '32 30 0:28 / /tmp/exec\\040ok rw,relatime - tmpfs tmpfs rw',
  '33 22 8:2 / /home rw,relatime - ext4 /dev/sda2 rw',
  // A later mount on the same point hides the earlier one.
  '34 33 0:29 / /home rw,noexec,relatime - tmpfs tmpfs rw,noexec',
  '',
].join('\n');

describe('noexecMountOf', () => {
  it.each([
    ['/tmp', '/tmp'],
    ['/tmp/together-login-1/x', '/tmp'],
    ['/home/alice/.cache/kubectl-together_login', '/home'],
    ['/tmp/exec ok/inner', undefined],
    ['/tmpfs-not-tmp/x', undefined],
    ['/var/tmp', undefined],
    ['/', undefined],
  ])('%s → %s', (path, mount) => {
    expect(noexecMountOf(path, mountinfo)).toBe(mount);
  });

  it('answers undefined when the table says nothing', () => {
    expect(noexecMountOf('/tmp', '')).toBeUndefined();
    expect(noexecMountOf('/tmp', 'garbage\n')).toBeUndefined();
  });

  it('reads the per-mount options only, not the super block options', () => {
    expect(noexecMountOf('/srv', '40 22 0:30 / /srv rw,relatime - tmpfs tmpfs rw,noexec')).toBeUndefined();
  });
});

describe('addonCacheDir', () => {
  it.each([
    ['linux', {}, '/home/a/.cache/kubectl-together_login'],
    ['linux', { XDG_CACHE_HOME: '/var/cache/a' }, '/var/cache/a/kubectl-together_login'],
    // The XDG spec: a relative path is invalid and ignored.
    ['linux', { XDG_CACHE_HOME: 'relative' }, '/home/a/.cache/kubectl-together_login'],
    ['darwin', { XDG_CACHE_HOME: '/x' }, '/home/a/Library/Caches/kubectl-together_login'],
    [
      'win32',
      { LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' },
      'C:\\Users\\a\\AppData\\Local\\kubectl-together_login',
    ],
  ] as const)('%s %j → %s', (platform, env, dir) => {
    expect(addonCacheDir(platform, env, '/home/a')).toBe(dir);
  });

  it('on Windows without LOCALAPPDATA: AppData\\Local of the home', () => {
    expect(addonCacheDir('win32', {}, 'C:\\Users\\a')).toBe(
      'C:\\Users\\a\\AppData\\Local\\kubectl-together_login',
    );
  });
});

describe('addonLoadFailure', () => {
  it('names every noexec mount and says how to choose another directory', () => {
    const failure = addonLoadFailure([
      {
        dir: '/tmp',
        noexecMount: '/tmp',
        error: '/tmp/.bun-0-1.node: failed to map segment from shared object',
      },
      {
        dir: '/home/a/.cache/kubectl-together_login',
        noexecMount: undefined,
        error: 'EACCES: permission denied',
      },
    ]);
    expect(failure.message).toBe(
      'the native keyring code cannot run: /tmp is on a file system mounted noexec (/tmp); EACCES: permission denied',
    );
    expect(failure.hint).toMatch(
      /^set TMPDIR to a directory of yours on a file system mounted without noexec/,
    );
  });

  it('without a noexec mount: the errors as they were, and no hint of its own', () => {
    const failure = addonLoadFailure([
      { dir: '/tmp', noexecMount: undefined, error: 'undefined symbol: foo' },
      { dir: '/c', noexecMount: undefined, error: 'undefined symbol: foo' },
    ]);
    expect(failure).toEqual({ message: 'undefined symbol: foo; then: undefined symbol: foo' });
  });
});
