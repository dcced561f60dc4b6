/**
 * Loads a native addon embedded in the standalone executable (only the release build uses this module:
 * scripts/release/standalone.mts). Bun's own `require` of the embedded file unpacks it into $TMPDIR; when that fails
 * (a noexec /tmp on a hardened server), the addon is unpacked once more into the user's cache directory
 * (src/core/native-addon.ts) and loaded from there. When that fails too, the error says which mount is noexec.
 * The first, usual path costs nothing extra: the fallback runs only after a failure.
 */
import { lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AddonAttempt,
  AddonLoadError,
  addonCacheDir,
  addonLoadFailure,
  noexecMountOf,
} from '../core/native-addon.js';

interface EmbeddedFile {
  readonly name: string;
}

/** Where a compiled Bun program sees its embedded files (Bun's `$bunfs`). */
const embeddedRoot = process.platform === 'win32' ? 'B:\\~BUN\\root\\' : '/$bunfs/root/';

export function loadEmbeddedAddon<T>(defaultLoad: () => T, namePrefix: string): T {
  try {
    return defaultLoad();
  } catch (first) {
    const attempts: AddonAttempt[] = [attemptOf(tmpdir(), first)];
    const dir = addonCacheDir(process.platform, process.env, homedir());
    try {
      return loadFromPrivateCopy(namePrefix, dir);
    } catch (second) {
      attempts.push(attemptOf(dir, second));
    }
    const failure = addonLoadFailure(attempts);
    throw new AddonLoadError(failure.message, failure.hint);
  }
}

function attemptOf(dir: string, error: unknown): AddonAttempt {
  return { dir, noexecMount: noexecMount(dir), error: (error as Error)?.message ?? String(error) };
}

function noexecMount(dir: string): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return noexecMountOf(realpathSync(dir), readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return undefined;
  }
}

function loadFromPrivateCopy<T>(namePrefix: string, dir: string): T {
  const embedded = (
    globalThis as { Bun?: { embeddedFiles: readonly EmbeddedFile[] } }
  ).Bun?.embeddedFiles.find((file) => file.name.startsWith(namePrefix) && file.name.endsWith('.node'));
  if (!embedded) throw new Error(`no embedded ${namePrefix} addon`);
  const bytes = readFileSync(embeddedRoot + embedded.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Code we are about to run: only from a directory nobody else may write to.
  const info = lstatSync(dir);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && (info.uid !== uid || (info.mode & 0o022) !== 0)))
    throw new Error(`${dir} is not a private directory of this user`);
  // Bun names an embedded file by its content hash: a copy of another version has another name.
  const file = join(dir, embedded.name);
  if (!sameBytes(file, bytes)) {
    const partial = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(partial, bytes, { mode: 0o600, flag: 'wx' });
      renameSync(partial, file);
    } finally {
      rmSync(partial, { force: true });
    }
  }
  const module = { exports: {} as T };
  process.dlopen(module, file);
  return module.exports;
}

function sameBytes(file: string, bytes: Buffer): boolean {
  try {
    return readFileSync(file).equals(bytes);
  } catch {
    return false;
  }
}
