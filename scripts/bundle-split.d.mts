/** Types of scripts/bundle-split.mjs (plain JavaScript: `npm run build` runs it with node, without tsx). */
import type { Plugin } from 'esbuild';

export const hitBundle: string;
export const recorderBundle: string;
export const fullBundle: string;
export const storesBundle: string;
export const splitBundles: readonly { readonly bundle: string; readonly entry: string }[];
export const loadBundlesAtRunTime: Plugin;
