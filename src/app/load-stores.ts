/**
 * Loads the stores besides the plain disk one (./stores.ts). From sources (tests, scripts) this is a dynamic import;
 * the entry bundle replaces this module with a synchronous `require()` of dist/kubectl-together_login-stores.cjs
 * (scripts/build.mjs), as it does for the login machinery (./load-login-machinery.ts).
 */
export const loadStores = (): Promise<typeof import('./stores.js')> => import('./stores.js');
