/**
 * Loads the login machinery (./login-machinery.ts). From sources (tests, scripts) this is a dynamic import; the entry
 * bundle replaces this module with a synchronous `require()` of the second bundle, dist/kubectl-together_login-full.cjs
 * (scripts/build.mjs), because import() starts Node's ESM loader: +24 ms on every cache miss.
 */
export const loadLoginMachinery = (): Promise<typeof import('./login-machinery.js')> =>
  import('./login-machinery.js');
