/**
 * Private files in the cache directory (0700), and the disk token store built on them: one JSON file per cache key,
 * 0600, replaced atomically through a temporary file and rename. Synchronous I/O on purpose: the cache hit reads one
 * small file, and the sync calls avoid scheduling overhead on that path.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { AppError, isAppError } from '../app-error.js';
import {
  type CacheEntry,
  CacheEntryError,
  parseCacheEntry,
  serializeCacheEntry,
} from '../core/cache-entry.js';
import { cacheEntryFileName } from '../core/cache-key.js';
import type { Logger, TokenStore } from '../core/ports.js';
import { kindOf } from '../platform/file-kind.js';
import { joinPath, parentDir } from '../platform/plain-path.js';
import { replaceFileSync } from '../platform/replace-file.js';
import { openWithoutWaiting } from '../platform/setting-file.js';
import { type FileFacts, posixCacheChecksApply, untrustedDirectory, untrustedEntry } from './trust.js';

export function createDiskStore(dir: string, key: string, logger: Logger): TokenStore {
  const path = joinPath(dir, cacheEntryFileName(key));
  const readNow = (): CacheEntry | undefined => {
    const text = readPrivateFile(path, logger);
    if (text === undefined) return undefined;
    try {
      return parseCacheEntry(text);
    } catch (error) {
      if (!(error instanceof CacheEntryError)) throw error;
      logger.warn(`ignoring the token cache entry ${path}: it is corrupt (${error.message})`);
      return undefined;
    }
  };
  return {
    readNow,
    async read() {
      return readNow();
    },
    async write(entry) {
      writePrivateFile(dir, path, serializeCacheEntry(entry));
      logger.debug(2, `wrote the token cache entry ${path}`);
    },
    async discard() {
      rmSync(path, { force: true });
    },
  };
}

/**
 * The content of a cache file, or undefined: missing (silently), or readable by other users, or unreadable (each
 * reported on stderr): a bad cache file is a miss. Throws the `cache.untrusted` AppError (exit code 6) for what
 * someone else may have put there (./trust.ts): a directory or file another user owns or others may write, a
 * symbolic link (never followed), a FIFO or anything else that is not a regular file.
 */
export function readPrivateFile(path: string, logger: Logger): string | undefined {
  const posix = posixCacheChecksApply();
  const dir = parentDir(path);
  let fd: number;
  try {
    if (posix) refuseUntrusted(untrustedDirectory(dir, factsOf(statSync(dir)), ownUid()));
    // O_NOFOLLOW: a link planted at the entry path is refused, not followed to another identity's entry.
    // Without waiting: opening a FIFO would block get-token, and kubectl, forever.
    fd = openWithoutWaiting(path, constants.O_NOFOLLOW ?? 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') {
      refuseUntrusted(untrustedEntry(path, { uid: -1, mode: 0, kind: 'symlink' }, ownUid()));
    }
    if (isAppError(error) || code === 'ENOENT' || code === 'ENOTDIR') {
      if (isAppError(error)) throw error;
      return undefined;
    }
    // Not even openable (EACCES): another user's file is refused as such, anything else is a reported miss.
    const facts = posix ? lstatFacts(path) : undefined;
    if (facts) refuseUntrusted(untrustedEntry(path, facts, ownUid()));
    logger.warn(`ignoring the token cache entry ${path}: ${(error as Error).message}`);
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    const facts = factsOf(stat);
    if (posix || facts.kind !== 'file') refuseUntrusted(untrustedEntry(path, facts, ownUid()));
    if (posix && (stat.mode & 0o077) !== 0) {
      logger.warn(
        `ignoring the token cache entry ${path}: it is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
          'a new login will replace it with a private file',
      );
      return undefined;
    }
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (isAppError(error)) throw error;
    logger.warn(`ignoring the token cache entry ${path}: ${(error as Error).message}`);
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Creates the cache directory (0700) if needed, and refuses one that another user owns or others may write. */
export function ensurePrivateDir(dir: string): void {
  let facts: FileFacts;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    facts = factsOf(statSync(dir));
  } catch (error) {
    throw cacheDirError(dir, error);
  }
  if (posixCacheChecksApply()) refuseUntrusted(untrustedDirectory(dir, facts, ownUid()));
}

function factsOf(stat: Stats): FileFacts {
  return { uid: stat.uid, mode: stat.mode, kind: kindOf(stat) };
}

function lstatFacts(path: string): FileFacts | undefined {
  try {
    return factsOf(lstatSync(path));
  } catch {
    return undefined;
  }
}

function ownUid(): number {
  return process.getuid?.() ?? -1;
}

function refuseUntrusted(error: AppError | undefined): void {
  if (error) throw error;
}

/** Replaces the file atomically with a 0600 file; on failure the previous file stays as it was. */
export function writePrivateFile(dir: string, path: string, content: string): void {
  ensurePrivateDir(dir);
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  let fd: number | undefined;
  let created = false;
  try {
    fd = openSync(temp, 'wx', 0o600);
    created = true;
    // openSync's mode is filtered by the umask, which can only remove bits; chmod makes 0600 explicit either way.
    chmodSync(temp, 0o600);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    replaceFileSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    // Only what this call created: the previous entry and anything else in the directory stay as they were.
    if (created) rmSync(temp, { force: true });
    throw cacheDirError(dir, error);
  }
}

function cacheDirError(dir: string, cause: unknown): AppError {
  return new AppError('cache.write', `cannot write the token cache in ${dir}: ${(cause as Error).message}`, {
    hint: 'make the directory writable, choose another one with --token-cache-dir, or use --token-cache-storage=none',
    cause,
  });
}

/** For --token-cache-storage=none: nothing is kept between calls. */
export const noTokenStore: TokenStore = {
  async read() {
    return undefined;
  },
  async write() {},
  async discard() {},
};
