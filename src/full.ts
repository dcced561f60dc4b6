/**
 * Entry of the second bundle (dist/kubectl-together_login-full.cjs): everything a cache hit never needs. The
 * fast-path bundle loads it only on a miss, for help and for the other commands, so that its compilation (openid-client,
 * commander, the lock library, the flows) is not paid on every kubectl call. See docs/performance.md.
 *
 * It sits beside main.ts, above cli/ and app/, so that the imports keep pointing one way: main → cli → app → the rest.
 */
export * from './app/login-machinery.js';
export { runProgram } from './cli/program.js';
