/**
 * The Node package's command (dist/kubectl-together_login.cjs, npm's `bin`): runs the hit bundle beside it, from its
 * V8 code cache when the install recorded one for this build and this Node (src/core/code-cache.ts), else by a plain
 * require(). With the cache V8 neither parses the bundle nor compiles, on first call, the functions a hit runs: about
 * half of what a hit adds to Node's start-up (docs/performance.md).
 *
 * Only the install writes the cache (scripts/record-code-cache.mts, npm's postinstall); nothing here writes one, and
 * no flag or environment variable changes where it is looked for.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  codeCacheFileName,
  currentRuntime,
  hitBundle,
  runHitBundle,
  trustedCodeCache,
} from './core/code-cache.js';

/** A hash of the hit bundle's bytes, fixed by scripts/build.mjs; from sources there is no cache to find. */
declare const __HIT_BUILD_ID__: string | undefined;

const bundlePath = join(__dirname, hitBundle);

/** The cache's bytes when a trusted file is there; undefined (and no node:vm loaded) otherwise. */
function readCodeCache(): Buffer | undefined {
  if (typeof __HIT_BUILD_ID__ !== 'string') return undefined;
  const windows = process.platform === 'win32';
  let fd: number;
  try {
    const path = join(
      __dirname,
      codeCacheFileName(
        __HIT_BUILD_ID__,
        currentRuntime(process, (p) => statSync(p).size),
      ),
    );
    // Windows has no O_NOFOLLOW: a link under the name is refused before it is opened.
    if (windows && lstatSync(path).isSymbolicLink()) return undefined;
    // O_NONBLOCK: a FIFO under the name must not hang the open; fstat below refuses it.
    fd = openSync(
      path,
      windows ? constants.O_RDONLY : constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch {
    return undefined; // none recorded (the usual case without an install), or a link: compile from the source
  }
  try {
    const file = fstatSync(fd);
    const facts = {
      isFile: file.isFile(),
      size: file.size,
      mode: file.mode,
      uid: file.uid,
      directoryUid: windows ? 0 : statSync(__dirname).uid,
      windows,
    };
    if (!trustedCodeCache(facts)) return undefined;
    const bytes = Buffer.allocUnsafe(file.size);
    return readSync(fd, bytes, 0, bytes.length, 0) === bytes.length ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const cachedData = readCodeCache();
if (cachedData === undefined) {
  require(bundlePath);
} else {
  // A cache V8 rejects (another V8 flag, a damaged file) costs a compilation from the source: the hit still runs.
  // This module's own require, module and exports: it sits in the bundle's directory, so the bundle's require() of
  // the other bundles and of packages resolves as from the bundle (module.createRequire would cost ~5 M instructions).
  runHitBundle(
    (require('node:vm') as typeof import('node:vm')).Script,
    readFileSync(bundlePath, 'utf8'),
    cachedData,
    { exports, require, module, filename: bundlePath, dirname: __dirname },
  );
}
