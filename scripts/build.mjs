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

const fullBundle = 'kubectl-together_login-full.cjs';
const storesBundle = 'kubectl-together_login-stores.cjs';

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

/**
 * In the entry bundle, the loaders of the other bundles (src/load-full.ts for the other commands,
 * src/app/load-login-machinery.ts for get-token's cache miss, src/app/load-stores.ts for the non-disk stores) become
 * a synchronous require() of their bundle, loaded at run time instead of inlined (a dynamic import() would start
 * Node's ESM loader: +24 ms per cache miss).
 */
const loaders = [
  { filter: /src[\\/]load-full\.ts$/, name: 'loadFull', bundle: fullBundle },
  { filter: /src[\\/]app[\\/]load-login-machinery\.ts$/, name: 'loadLoginMachinery', bundle: fullBundle },
  { filter: /src[\\/]app[\\/]load-stores\.ts$/, name: 'loadStores', bundle: storesBundle },
];
const loadBundlesAtRunTime = {
  name: 'bundles-external',
  setup(b) {
    for (const loader of loaders) {
      b.onLoad({ filter: loader.filter }, () => ({
        contents: `export const ${loader.name} = () => Promise.resolve(require('./${loader.bundle}'));`,
        loader: 'js',
      }));
    }
    for (const bundle of [fullBundle, storesBundle]) {
      b.onResolve({ filter: new RegExp(`^\\./${bundle.replace(/[.-]/g, '\\$&')}$`) }, (args) => ({
        path: args.path,
        external: true,
      }));
    }
  },
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
  build({ ...common, entryPoints: ['src/full.ts'], outfile: `dist/${fullBundle}` }),
  build({ ...common, entryPoints: ['src/app/stores.ts'], outfile: `dist/${storesBundle}` }),
]);
chmodSync('dist/kubectl-together_login.cjs', 0o755);
