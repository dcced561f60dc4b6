/**
 * Loads the second bundle (src/app/full.ts). From sources (tests, scripts) this is a dynamic import; the entry
 * bundle replaces this module with a synchronous `require()` of dist/kubectl-together_login-full.cjs
 * (scripts/build.mjs), because import() starts Node's ESM loader: +24 ms on every cache miss.
 */
export const loadFull = (): Promise<typeof import('./full.js')> => import('./full.js');
