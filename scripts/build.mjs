// Builds three CommonJS bundles (CJS: it loads measurably faster than an ESM entry on Node 20):
//   dist/kubectl-together_login.cjs         the entry: argv dispatch and the get-token cache hit, nothing heavy
//   dist/kubectl-together_login-full.cjs    openid-client, commander, the lock, the flows (src/full.ts)
//   dist/kubectl-together_login-stores.cjs  the keyring and encrypted stores, the Windows ACL check (src/app/stores.ts)
// Compiling one 190 KB bundle cost ~6 ms at every kubectl call; the entry now compiles a fraction of that, the full
// bundle only on a miss, the stores only for those who chose them. Measured with `npm run bench`, see
// docs/performance.md.
import { chmodSync } from 'node:fs';
import { build } from 'esbuild';
import { buildInfo } from './build-info.mjs';
import { loadBundlesAtRunTime, splitBundles } from './bundle-split.mjs';

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

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/main.ts'],
    outfile: 'dist/kubectl-together_login.cjs',
    plugins: [loadBundlesAtRunTime],
    // npm links the command straight to this file: no launcher hop on the cache-hit path.
    banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
  }),
  ...splitBundles.map(({ bundle, entry }) =>
    build({ ...common, entryPoints: [entry], outfile: `dist/${bundle}` }),
  ),
]);
chmodSync('dist/kubectl-together_login.cjs', 0o755);
