/**
 * The V8 code cache of the Node package's hit bundle: what it is named, what source it is compiled from, and when a
 * file found under its name may be run. Node 20 has no compile cache and its CommonJS loader takes none, so the
 * package's command is a small loader (src/loader.ts) that compiles the hit bundle with `vm.Script` and this cache,
 * recorded at install time beside the bundles by scripts/record-code-cache.mts (docs/performance.md).
 *
 * V8 runs the cache's bytecode without comparing it to the source: it checks only its own version, its flags and the
 * source's LENGTH. So the name carries what V8 does not check: the build (a hash of the hit bundle's bytes, fixed by
 * scripts/build.mjs in the loader and the recorder alike) and the runtime; and a file is run only if what may write
 * the code wrote it.
 */

/** The bundle the loader runs: the cache hit's code (scripts/bundle-split.mjs names the others). */
export const hitBundle = 'kubectl-together_login-hit.cjs';

/** A cache holds the bytecode of a ~50 KB bundle (~70 KB): anything much larger is not one of ours. */
export const maxCodeCacheBytes = 8 << 20;

/** The Node that records or runs a cache: its version, platform and architecture, and its executable's size. */
export interface CodeCacheRuntime {
  readonly version: string;
  readonly platform: string;
  readonly arch: string;
  /**
   * Two builds of one Node version (a distribution's /usr/bin/node and nodejs.org's on PATH) share V8's version,
   * which is all V8 checks; bytecode of a differently configured V8 aborts Node on every call. Their executables'
   * sizes tell them apart for one stat.
   */
  readonly executableSize: number;
}

/** The file name of the code cache for this build of the hit bundle, run by this Node executable. */
export function codeCacheFileName(buildId: string, runtime: CodeCacheRuntime): string {
  return `${codeCachePrefix}${buildId}.node-${runtime.version}-${runtime.platform}-${runtime.arch}-${runtime.executableSize}${codeCacheSuffix}`;
}

/** Every code cache of the hit bundle, of any build or Node, is named `<prefix>…<suffix>`. */
export const codeCachePrefix = 'kubectl-together_login-hit.';
export const codeCacheSuffix = '.v8-cache';

/** The running Node as codeCacheFileName names it. */
export function currentRuntime(
  proc: { version: string; platform: string; arch: string; execPath: string },
  sizeOf: (path: string) => number,
): CodeCacheRuntime {
  return {
    version: proc.version,
    platform: proc.platform,
    arch: proc.arch,
    executableSize: sizeOf(proc.execPath),
  };
}

/**
 * The hit bundle as one function expression, CommonJS's parameters and all, compiled by `vm.Script` in the loader and
 * in the recorder: the cache fits only the exact same text. The wrapper stays on the bundle's first line (the
 * build's banner) so that every other line keeps its number in stack traces and source maps.
 */
export function wrapForCodeCache(bundleSource: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${bundleSource}\n})`;
}

/** What CommonJS hands a module's code, handed to the bundle's wrapper the same way. */
export interface ModuleScope {
  readonly exports: unknown;
  readonly require: NodeJS.Require;
  readonly module: NodeJS.Module;
  readonly filename: string;
  readonly dirname: string;
}

/**
 * Compiles the hit bundle's source as wrapForCodeCache wraps it, with V8's cache when one is given, and runs it as
 * Node runs a module's code. Returns the script: the recorder asks it for the cache once the hit has run. `Script` is
 * node:vm's, passed in so that the loader loads node:vm only when it has a cache.
 */
export function runHitBundle(
  Script: typeof import('node:vm').Script,
  source: string,
  cachedData: Buffer | undefined,
  scope: ModuleScope,
): import('node:vm').Script {
  const script = new Script(wrapForCodeCache(source), {
    filename: scope.filename,
    ...(cachedData ? { cachedData } : {}),
  });
  (script.runInThisContext() as (...args: unknown[]) => void)(
    scope.exports,
    scope.require,
    scope.module,
    scope.filename,
    scope.dirname,
  );
  return script;
}

/** What an fstat of the opened cache file, and a stat of the directory holding the bundles, say. */
export interface CodeCacheFileFacts {
  readonly isFile: boolean;
  readonly size: number;
  readonly mode: number;
  readonly uid: number;
  readonly directoryUid: number;
  /** Windows: owners and mode bits are not what guards the file (the directory's ACL, the code's, is). */
  readonly windows: boolean;
}

/**
 * Whether a file found under the cache's name may be run as the hit's bytecode: a regular file of a plausible size,
 * written by whoever owns the bundles' directory (or root), which no one else may change. Anything else is ignored
 * and the bundle is compiled from its source, as without a cache.
 */
export function trustedCodeCache(facts: CodeCacheFileFacts): boolean {
  if (!facts.isFile || facts.size <= 0 || facts.size > maxCodeCacheBytes) return false;
  if (facts.windows) return true;
  return (facts.uid === facts.directoryUid || facts.uid === 0) && (facts.mode & 0o022) === 0;
}
