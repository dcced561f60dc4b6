/**
 * Where the token cache lives when --token-cache-dir is not given: kubectl's cache directory (KUBECACHEDIR, as
 * client-go reads it, else ~/.kube/cache) with int128/kubelogin's `oidc-login` under it, so that the Go plugins and we
 * share one directory (never one entry: our files have their own prefix).
 */
import { expandHome } from '../platform/home.js';
import { joinPath } from '../platform/plain-path.js';

export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const kubeCacheDir = env.KUBECACHEDIR;
  return kubeCacheDir
    ? joinPath(expandHome(kubeCacheDir, homeDir), 'oidc-login')
    : joinPath(homeDir, '.kube', 'cache', 'oidc-login');
}

/** The cache directory of a run: --token-cache-dir (with `~` expanded) when given, else the default above. */
export function cacheDirFor(
  given: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  homeDir: string,
): string {
  return given ? expandHome(given, homeDir) : defaultCacheDir(env, homeDir);
}
