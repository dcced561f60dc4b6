/**
 * A place for tests that act as a second local user (`setpriv --reuid`): what that user runs and touches must be
 * where it can reach it. The run's temporary root is private to the test's user, TMPDIR may be private too (macOS's
 * per-user TMPDIR, pam_tmpdir, a CI runner's private tmp), and so may the checkout holding dist/ and the browser
 * driver. So such a test gets a directory of its own under the first of TMPDIR, /tmp and /var/tmp that every other
 * user can traverse to, with a copy of the plugin and of the browser driver inside it.
 *
 * The copy of the Node plugin holds its bundles, not the packages they leave external (open, undici, yaml, the
 * keyring addon): a second user's run uses the disk cache and --browser-command, as these tests do.
 */
import {
  chmodSync,
  copyFileSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { browserDriverPath, nodePluginBin, pluginBin, writeNodeLauncher } from './build.js';

export interface SecondUserDir {
  /** Mode 0711: others may enter it (to reach what the test puts there), not list it. */
  readonly path: string;
  /** The plugin under test, copied where any user can run it. */
  readonly pluginBin: string;
  /** The HTTP browser driver, likewise. */
  readonly browserDriver: string;
  /** A test's arguments with the rig's browser driver replaced by this copy. */
  args(args: readonly string[]): string[];
  remove(): void;
}

export function secondUserDir(prefix: string): SecondUserDir {
  // The run's temporary root (TMPDIR inside the tests) sits in the TMPDIR the run was started with.
  const candidates = [dirname(tmpdir()), '/tmp', '/var/tmp'];
  const base = candidates.find(othersCanTraverse);
  if (!base) {
    throw new Error(
      `no directory another user can reach among ${candidates.join(', ')}: a test acting as a second user needs one`,
    );
  }
  const path = mkdtempSync(join(base, `${prefix}-`));
  chmodSync(path, 0o711);
  const bin = join(path, 'bin');
  mkdirSync(bin);
  chmodSync(bin, 0o755);
  const plugin = copyPlugin(bin);
  const driver = join(bin, 'browser-driver');
  copyFileSync(`${browserDriverPath}.cjs`, `${driver}.cjs`);
  chmodSync(`${driver}.cjs`, 0o644);
  writeNodeLauncher(driver, `${driver}.cjs`);
  return {
    path,
    pluginBin: plugin,
    browserDriver: driver,
    args: (args) => args.map((arg) => arg.replace(browserDriverPath, driver)),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** The Node plugin is its entry bundle plus the bundles it requires beside it; a standalone executable is one file. */
function copyPlugin(bin: string): string {
  const files =
    pluginBin === nodePluginBin
      ? readdirSync(dirname(nodePluginBin))
          .filter((name) => name.endsWith('.cjs'))
          .map((name) => join(dirname(nodePluginBin), name))
      : [pluginBin];
  for (const file of files) {
    const copy = join(bin, basename(file));
    // A standalone executable is over 100 MB: a hard link where the file system allows it and the file's own mode
    // already lets others read and run it (a link shares the mode; under umask 077 it would not), else a copy.
    try {
      if ((statSync(file).mode & 0o005) !== 0o005) throw new Error('private mode');
      linkSync(file, copy);
    } catch {
      copyFileSync(file, copy);
      chmodSync(copy, 0o755);
    }
  }
  return join(bin, basename(pluginBin));
}

/** Whether a user who is neither owner nor group member may pass through the directory and every one above it. */
function othersCanTraverse(dir: string): boolean {
  let current: string;
  try {
    current = realpathSync(dir);
  } catch {
    return false;
  }
  for (;;) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}
