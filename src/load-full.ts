/**
 * Loads the second bundle's entry (./full.ts) for every command but get-token. From sources this is a dynamic import;
 * the entry bundle replaces this module with a synchronous `require()` of dist/kubectl-together_login-full.cjs
 * (scripts/build.mjs).
 */
export const loadFull = (): Promise<typeof import('./full.js')> => import('./full.js');
