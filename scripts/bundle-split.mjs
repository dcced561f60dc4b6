// How the code is split into bundles, shared by the Node package (scripts/build.mjs) and the standalone executable
// (scripts/release/standalone.mts): the entry holds the cache hit; the login machinery and the CLI (src/full.ts) and
// the non-disk stores (src/app/stores.ts) live in bundles of their own, loaded by a synchronous require() only when
// needed. Compiling (Node) or loading (Bun) everything at every kubectl call is what the split saves:
// docs/performance.md.

/** The entry of the Node package, which npm's command (src/loader.ts) runs: the cache hit. */
export const hitBundle = 'kubectl-together_login-hit.cjs';
/** What the install runs to record the entry's V8 code cache (scripts/record-code-cache.mts). */
export const recorderBundle = 'kubectl-together_login-record-cache.cjs';
export const fullBundle = 'kubectl-together_login-full.cjs';
export const storesBundle = 'kubectl-together_login-stores.cjs';

/** The bundles besides the entry, and their entry sources. */
export const splitBundles = [
  { bundle: fullBundle, entry: 'src/full.ts' },
  { bundle: storesBundle, entry: 'src/app/stores.ts' },
];

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

/** @type {import('esbuild').Plugin} */
export const loadBundlesAtRunTime = {
  name: 'bundles-external',
  setup(b) {
    for (const loader of loaders) {
      b.onLoad({ filter: loader.filter }, () => ({
        contents: `export const ${loader.name} = () => Promise.resolve(require('./${loader.bundle}'));`,
        loader: 'js',
      }));
    }
    for (const { bundle } of splitBundles) {
      b.onResolve({ filter: new RegExp(`^\\./${bundle.replace(/[.-]/g, '\\$&')}$`) }, (args) => ({
        path: args.path,
        external: true,
      }));
    }
  },
};
