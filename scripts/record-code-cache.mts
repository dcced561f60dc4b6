/**
 * Records the V8 code cache of the Node package's hit bundle, beside it in dist/
 * (dist/kubectl-together_login-record-cache.cjs; src/core/code-cache.ts says what the cache is and
 * src/loader.ts how the command uses it). npm's postinstall runs it, and scripts/build.mjs after each build: only what
 * may write the code writes its cache, under a name the loader finds for this build and this Node only.
 *
 * It runs one real cache hit of the bundle (a private temporary cache directory holding a valid entry, written with
 * the plugin's own key code: scripts/hit-fixture.mts) in a child of its own, whose output goes nowhere, then asks V8
 * for the cache: recorded after the hit, it holds the functions the hit compiled on first call as well (with a cache
 * taken right after compiling a hit counted 106.7 M instructions, 110.4 M without one, 99.8 M with one taken after a
 * hit: docs/performance.md).
 *
 * It never fails an install: no bundle yet (a git checkout before `prepare`), a read-only directory, a Node whose
 * V8 cannot make a cache: it exits 0 and the command compiles the bundle from its source, as without a cache.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import {
  codeCacheFileName,
  codeCachePrefix,
  codeCacheSuffix,
  currentRuntime,
  hitBundle,
  runHitBundle,
} from '../src/core/code-cache.js';
import { replaceFileSync } from '../src/platform/replace-file.js';
import { execInfo, writeExchangedHitFixture, writeHitFixture } from './hit-fixture.mjs';

/** The hit bundle's build id, fixed by scripts/build.mjs in the recorder and the loader alike. */
declare const __HIT_BUILD_ID__: string | undefined;

/** The recorder's own child: run one hit with these arguments and record the cache as it exits. */
const childMode = '--record-after-one-hit';
const bundlePath = join(__dirname, hitBundle);

function recordThroughAChild(buildId: string): void {
  // The recorder and the bundle of one build, or no cache: it would name bytecode of other source.
  const bytes = readFileSync(bundlePath);
  if (createHash('sha256').update(bytes).digest('hex').slice(0, 32) !== buildId) return;
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-together_login-record-'));
  try {
    // The hit of a token exchanged for a cluster's audience: it runs nearly every function a login token's hit runs,
    // and its own. Recorded after it, a login token's hit counts 99.9 M instructions against 99.8 M recorded after
    // its own, and an exchanged token's hit 100.4 M against 101.2 M (docs/performance.md).
    const args = writeExchangedHitFixture(writeHitFixture(dir));
    // No NODE_OPTIONS: V8 rejects a cache made under other V8 flags than the command runs with.
    const env: NodeJS.ProcessEnv = { HOME: dir, KUBERNETES_EXEC_INFO: execInfo };
    if (process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
    spawnSync(process.execPath, [__filename, childMode, ...args], {
      stdio: 'ignore',
      env,
      timeout: 60_000,
      windowsHide: true,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The caches of other builds or other Nodes beside the bundles (one per Node upgrade followed by `npm rebuild`, ~70 KB
 * each): none of them can be used by this build, and an install writes them only here.
 */
function removeOtherCaches(kept: string): void {
  for (const name of readdirSync(__dirname)) {
    if (name === kept || !name.startsWith(codeCachePrefix) || !name.endsWith(codeCacheSuffix)) continue;
    try {
      unlinkSync(join(__dirname, name));
    } catch {
      // Another user's file in a shared directory, or gone already: it costs a few KB, not a call.
    }
  }
}

/** In the child: compile the bundle as the loader does, run the hit, and write the cache when it exits well. */
function runHitAndRecord(buildId: string, hitArgs: readonly string[]): void {
  let script: Script | undefined;
  process.argv = [process.execPath, bundlePath, ...hitArgs];
  process.on('exit', (code) => {
    // Not the hit it was meant to be: no cache rather than one of another path.
    if (code !== 0 || !script) return;
    const name = codeCacheFileName(
      buildId,
      currentRuntime(process, (p) => statSync(p).size),
    );
    const path = join(__dirname, name);
    const temp = `${path}.${process.pid}.tmp`;
    try {
      // 0644 (less under the umask): the loader runs only a cache no one but its owner may change. On disk before
      // it is renamed: V8 checks a cache's header, not its bytecode (docs/performance.md), so no half-written file
      // may ever carry the name.
      const fd = openSync(temp, 'wx', 0o644);
      try {
        const data = script.createCachedData();
        if (writeSync(fd, data) !== data.length) throw new Error('short write');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      replaceFileSync(temp, path);
      removeOtherCaches(name);
    } catch {
      try {
        unlinkSync(temp);
      } catch {}
    }
  });
  // The hit's asynchronous part ends in process.exit, after this returns.
  script = runHitBundle(Script, readFileSync(bundlePath, 'utf8'), undefined, {
    exports,
    require,
    module,
    filename: bundlePath,
    dirname: __dirname,
  });
}

if (typeof __HIT_BUILD_ID__ === 'string') {
  if (process.argv[2] === childMode) runHitAndRecord(__HIT_BUILD_ID__, process.argv.slice(3));
  else {
    try {
      recordThroughAChild(__HIT_BUILD_ID__);
    } catch {
      // Never fail an install: without a cache the command compiles its bundle from the source.
    }
  }
}
