// Builds three CommonJS bundles (CJS: it loads measurably faster than an ESM entry on Node 20):
//   dist/kubectl-together_login-hit.cjs     the entry: argv dispatch and the get-token cache hit, nothing heavy
//   dist/kubectl-together_login-full.cjs    openid-client, commander, the lock, the flows (src/full.ts)
//   dist/kubectl-together_login-stores.cjs  the keyring and encrypted stores, the Windows ACL check (src/app/stores.ts)
// Compiling one 190 KB bundle cost ~6 ms at every kubectl call; the entry now compiles a fraction of that, the full
// bundle only on a miss, the stores only for those who chose them. Measured with `npm run bench`, see
// docs/performance.md.
// Then the command npm links (package.json "bin"), dist/kubectl-together_login.cjs: a small loader that runs the
// entry from its V8 code cache when one was recorded (src/loader.ts), and the recorder the install runs,
// dist/kubectl-together_login-record-cache.cjs (scripts/record-code-cache.mts). Both carry the entry's build id, a
// hash of its bytes, which names the cache. The build records the cache too (development, tests, the bench run what
// an install runs); npm's postinstall records it for an installed package.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { buildInfo } from './build-info.mjs';
import { hitBundle, loadBundlesAtRunTime, recorderBundle, splitBundles } from './bundle-split.mjs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Full minification: V8 compiles the entry at every kubectl call, and shorter code compiles faster.
  minify: true,
  legalComments: 'none',
  sourcemap: 'linked',
  logLevel: 'warning',
  // `open` ships its own xdg-open script, which bundling would lose; the keyring is a native addon; undici is large
  // and needed only behind a proxy or with a custom CA (required at run time, src/oidc/transport.ts); yaml only for
  // setup --write-kubeconfig.
  external: ['open', '@napi-rs/keyring', 'undici', 'yaml'],
  // src/platform/native-require.ts needs the bundle's own URL to resolve packages from.
  // A getter, so the cache hit of disk users never computes it.
  define: { ...buildInfo('node').defines, 'import.meta.url': '__bundle.url' },
  banner: { js: 'var __bundle={get url(){return require("node:url").pathToFileURL(__filename).href}};' },
};

// Nothing of an earlier build stays: a bundle, map or cache of another layout would ship with this one.
rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: ['src/main.ts'],
    outfile: `dist/${hitBundle}`,
    plugins: [loadBundlesAtRunTime],
  }),
  ...splitBundles.map(({ bundle, entry }) =>
    build({ ...common, entryPoints: [entry], outfile: `dist/${bundle}` }),
  ),
]);

const buildId = createHash('sha256')
  .update(readFileSync(`dist/${hitBundle}`))
  .digest('hex')
  .slice(0, 32);
const withBuildId = { ...common.define, __HIT_BUILD_ID__: JSON.stringify(buildId) };
await Promise.all([
  build({
    ...common,
    entryPoints: ['src/loader.ts'],
    outfile: 'dist/kubectl-together_login.cjs',
    define: withBuildId,
    // Nothing of the loader is worth a source map, nor the banner: it names no URL.
    sourcemap: false,
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({
    ...common,
    entryPoints: ['scripts/record-code-cache.mts'],
    outfile: `dist/${recorderBundle}`,
    define: withBuildId,
    sourcemap: false,
  }),
]);
chmodSync('dist/kubectl-together_login.cjs', 0o755);
// The cache of this build, as an install records it (dist/ was emptied above: no cache of another build is left).
execFileSync(process.execPath, [`dist/${recorderBundle}`], { stdio: 'inherit' });
