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
 * @param {'standalone' | 'node'} kind
 * @param {string} [releaseBaseUrl]
 */
export function buildInfo(kind, releaseBaseUrl) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return {
    defines: {
      __PACKAGE_VERSION__: JSON.stringify(pkg.version),
      __BUILD_COMMIT__: JSON.stringify(gitCommit()),
      __BUILD_KIND__: JSON.stringify(kind),
      __RELEASE_BASE_URL__: JSON.stringify(releaseBaseUrl?.replace(/\/+$/, '') ?? ''),
    },
  };
}
