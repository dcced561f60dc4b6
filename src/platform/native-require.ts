/**
 * `require` for native packages that cannot be bundled (the keyring's .node binary). A synchronous require costs a
 * few ms where a dynamic import() of the same package costs ~40 ms on Node 20 (ESM loader start-up), and this runs
 * on the cache-hit path of keyring users. The build defines import.meta.url for the CommonJS bundle
 * (scripts/build.mjs), so packages resolve from the installed plugin's own node_modules.
 */
import { createRequire } from 'node:module';

export const requireNative = createRequire(import.meta.url);
