// What a build knows about itself, fixed at build time: for `kubectl-together_login version` the package version,
// the git commit the build was made from (with `-dirty` when the work tree had changes) and which build it is; for
// the installHint of kubeconfigs (src/core/install-hint.ts) where a release's zips are published, when known.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

function gitCommit() {
  try {
    const run = (args) =>
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = run(['rev-parse', 'HEAD']);
    return run(['status', '--porcelain', '--untracked-files=no']) ? `${commit}-dirty` : commit;
  } catch {
    // Built outside a git checkout (from the npm tarball): the commit is unknown.
    return 'unknown';
  }
}

/**
 * Where the project lives: package.json's `homepage`, the one place for it (`--help` names it, the krew manifest
 * carries it). Unset, nothing names a URL: an invented one would send users to a stranger's page.
 * @param {{ homepage?: unknown }} pkg
 * @returns {string | undefined}
 */
export function projectHomepage(pkg) {
  if (pkg.homepage === undefined || pkg.homepage === '') return undefined;
  if (typeof pkg.homepage !== 'string' || !/^https:\/\/[^\s"'`<>]+$/.test(pkg.homepage))
    throw new Error(`package.json homepage must be an https:// URL, not ${JSON.stringify(pkg.homepage)}`);
  return pkg.homepage;
}

/**
 * @param {'standalone' | 'node'} kind
 * @param {string} [releaseBaseUrl]
 */
export function buildInfo(kind, releaseBaseUrl) {
  const pkg = readPackageJson();
  return {
    defines: {
      __PACKAGE_VERSION__: JSON.stringify(pkg.version),
      __BUILD_COMMIT__: JSON.stringify(gitCommit()),
      __BUILD_KIND__: JSON.stringify(kind),
      __RELEASE_BASE_URL__: JSON.stringify(releaseBaseUrl?.replace(/\/+$/, '') ?? ''),
      __PROJECT_HOMEPAGE__: JSON.stringify(projectHomepage(pkg) ?? ''),
    },
  };
}

/** @returns {{ version: string, description: string, license: string, homepage?: unknown }} */
export function readPackageJson() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
}
