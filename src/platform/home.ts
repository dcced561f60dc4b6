/**
 * The home directory, resolved the way kubectl resolves it (client-go's util/homedir.HomeDir), so that the
 * kubeconfig we edit and the token cache we keep are the ones kubectl uses. On Windows that is not simply
 * %USERPROFILE%: on machines with network homes HOME, HOMEDRIVE+HOMEPATH and USERPROFILE differ, and kubectl takes
 *   1. the first of HOME, HOMEDRIVE+HOMEPATH, USERPROFILE that holds .kube\config;
 *   2. else the first of HOME, USERPROFILE, HOMEDRIVE+HOMEPATH that is a writable directory;
 *   3. else the first of those that exists; 4. else the first that is set.
 * Elsewhere client-go takes HOME; where HOME is unset we fall back to the account's home (node:os), where kubectl
 * would use a relative .kube/config.
 */
import { statSync } from 'node:fs';
import type { PlatformPath } from 'node:path';
import { joinPath, nodePath } from './plain-path.js';

/** What the resolution needs to know about a path; the real one stats, tests answer from a table. */
export interface HomeProbe {
  /** undefined when the path does not exist. */
  stat(path: string): { readonly isDirectory: boolean; readonly ownerWritable: boolean } | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

export function kubeHomeDir(
  platform: NodeJS.Platform,
  env: Env,
  probe: HomeProbe = fileSystemProbe,
  accountHome: () => string = () => process.getBuiltinModule('node:os').homedir(),
): string {
  return platform === 'win32' ? windowsKubeHomeDir(env, probe, accountHome) : env.HOME || accountHome();
}

/** client-go's rules on Windows (above); a function of its own, which a cache hit elsewhere never runs. */
function windowsKubeHomeDir(env: Env, probe: HomeProbe, accountHome: () => string): string {
  const home = env.HOME ?? '';
  const homeDrivePath = env.HOMEDRIVE && env.HOMEPATH ? env.HOMEDRIVE + env.HOMEPATH : '';
  const userProfile = env.USERPROFILE ?? '';
  for (const candidate of [home, homeDrivePath, userProfile]) {
    if (candidate && probe.stat(nodePath().win32.join(candidate, '.kube', 'config')) !== undefined)
      return candidate;
  }
  // client-go prefers USERPROFILE here, "for compatibility with other auth-writing tools".
  const ordered = [home, userProfile, homeDrivePath].filter((candidate) => candidate !== '');
  let firstExisting: string | undefined;
  for (const candidate of ordered) {
    const info = probe.stat(candidate);
    if (info === undefined) continue;
    firstExisting ??= candidate;
    if (info.isDirectory && info.ownerWritable) return candidate;
  }
  return firstExisting ?? ordered[0] ?? accountHome();
}

const fileSystemProbe: HomeProbe = {
  stat(path) {
    try {
      const stat = statSync(path);
      // Go reports a directory without the read-only attribute as 0777 on Windows, Node as 0666: the owner's
      // write bit is what client-go tests, and it means the same in both.
      return { isDirectory: stat.isDirectory(), ownerWritable: (stat.mode & 0o200) !== 0 };
    } catch {
      return undefined;
    }
  },
};

/**
 * `~`, `~/…` and `~\…` → under the home directory (go-homedir's Expand, which int128/kubelogin uses, takes both
 * separators on every platform). `~user` forms are left as they are. `join` is this platform's unless a test names one.
 */
export function expandHome(
  path: string,
  homeDir: string,
  join: (...parts: string[]) => string = joinPath,
): string {
  if (path === '~') return homeDir;
  return path.startsWith('~/') || path.startsWith('~\\') ? join(homeDir, path.slice(2)) : path;
}

/** The path functions of a platform, so that decisions about Windows paths are testable anywhere. */
export function pathsOf(platform: NodeJS.Platform): PlatformPath {
  return platform === 'win32' ? nodePath().win32 : nodePath().posix;
}
