/** Replaced at build time (scripts/build.mjs) with the package version; `dev` when running from sources. */
declare const __PACKAGE_VERSION__: string | undefined;
export const version: string = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : 'dev';
