/**
 * What this build is, fixed at build time (scripts/build-info.mjs): the package version, the git commit it was
 * built from, and whether it is the standalone executable (Bun, no Node.js needed) or the Node.js package.
 * From sources (tests, scripts) the version is `dev`.
 */
declare const __PACKAGE_VERSION__: string | undefined;
declare const __BUILD_COMMIT__: string | undefined;
declare const __BUILD_KIND__: 'standalone' | 'node' | undefined;
declare const __PROJECT_HOMEPAGE__: string | undefined;

export const version: string = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : 'dev';
const commit = typeof __BUILD_COMMIT__ === 'string' ? __BUILD_COMMIT__ : 'unknown';
const kind = typeof __BUILD_KIND__ === 'string' ? __BUILD_KIND__ : undefined;
/** package.json's `homepage` (scripts/build-info.mjs checks it); undefined when unset: no URL is ever made up. */
export const homepage: string | undefined =
  typeof __PROJECT_HOMEPAGE__ === 'string' && __PROJECT_HOMEPAGE__ ? __PROJECT_HOMEPAGE__ : undefined;

/** The last lines of the top-level `--help`: where to go next, and the project's page only when one is configured. */
export function helpFooter(projectPage: string | undefined = homepage): string {
  const setup = '\nConnect a cluster: `kubectl together-login setup --help`.';
  return projectPage ? `${setup}\nDocumentation: ${projectPage}` : setup;
}

/** The lines of `kubectl-together_login version`. */
export function versionReport(): string {
  const platform = `${process.platform}/${process.arch}`;
  const build =
    kind === 'standalone'
      ? `standalone executable (Bun ${process.versions.bun ?? '?'}, ${platform})`
      : `${kind === 'node' ? 'Node.js package' : 'sources'} (Node.js ${process.version}, ${platform})`;
  return `kubectl-together_login ${version}\ncommit: ${commit}\nbuild: ${build}\n`;
}
