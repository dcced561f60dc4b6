/**
 * Where the standalone executable may load its embedded native addon (the keyring) from, and what to say when it
 * cannot. Bun unpacks an embedded `.node` file into $TMPDIR and loads it from there; on hardened servers /tmp is
 * mounted `noexec`, the kernel then refuses to map the addon's code ("failed to map segment from shared object"),
 * and keyring storage would fail with a misleading hint about D-Bus. src/platform/embedded-addon.ts then unpacks it
 * again into a private directory of the user's (this module chooses it) and says which mount is noexec when that
 * fails too. Pure: the environment and the mount table are parameters.
 */
import { posix, win32 } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** The name of our directory under the user's cache directory. */
export const addonDirName = 'kubectl-together_login';

/**
 * The user's own cache directory for the unpacked addon: XDG_CACHE_HOME (when absolute, as the XDG spec demands)
 * or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows.
 */
export function addonCacheDir(platform: NodeJS.Platform, env: Env, home: string): string {
  if (platform === 'win32')
    return win32.join(env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'), addonDirName);
  if (platform === 'darwin') return posix.join(home, 'Library', 'Caches', addonDirName);
  const xdg = env.XDG_CACHE_HOME;
  return posix.join(xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.cache'), addonDirName);
}

/** A field of /proc/self/mountinfo: space, tab, newline and backslash are written as octal escapes. */
const unescapeMountField = (field: string) =>
  field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/**
 * The mount point of the file system that holds `path` (an absolute path without symlinks), when that mount is
 * `noexec`; undefined when it is not, or when the table does not say. Reads the format of /proc/self/mountinfo
 * (proc(5)): field 5 is the mount point, field 6 the per-mount options. The last of the longest matching mount
 * points wins: a later mount on the same point hides the earlier one.
 */
export function noexecMountOf(path: string, mountinfo: string): string | undefined {
  let best: { point: string; noexec: boolean } | undefined;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 6) continue;
    const point = unescapeMountField(fields[4] as string);
    const inside = point === '/' || path === point || path.startsWith(`${point}/`);
    if (!inside || (best && point.length < best.point.length)) continue;
    best = { point, noexec: (fields[5] as string).split(',').includes('noexec') };
  }
  return best?.noexec ? best.point : undefined;
}

export interface AddonAttempt {
  /** The directory the addon was unpacked into. */
  readonly dir: string;
  /** The mount point when the directory is on a noexec mount. */
  readonly noexecMount: string | undefined;
  readonly error: string;
}

/** An addon that could not be loaded from anywhere; its message and hint say why (noexec or not). */
export class AddonLoadError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint: string | undefined) {
    super(message);
    this.name = 'AddonLoadError';
    this.hint = hint;
  }
}

/** The `error:` message and the `hint:` when no attempt could load the addon: a noexec mount is named as such. */
export function addonLoadFailure(attempts: readonly AddonAttempt[]): { message: string; hint?: string } {
  const reasons = attempts.map((a) =>
    a.noexecMount === undefined ? a.error : `${a.dir} is on a file system mounted noexec (${a.noexecMount})`,
  );
  if (attempts.every((a) => a.noexecMount === undefined)) return { message: reasons.join('; then: ') };
  return {
    message: `the native keyring code cannot run: ${reasons.join('; ')}`,
    hint:
      'set TMPDIR to a directory of yours on a file system mounted without noexec (`findmnt -T DIR` shows the ' +
      'options), or choose --token-cache-storage=disk, or encrypted with KUBECTL_TOGETHER_LOGIN_CACHE_KEY',
  };
}
