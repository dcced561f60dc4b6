/**
 * Private files in the cache directory (0700), and the disk token store built on them: one JSON file per cache key,
 * 0600, replaced atomically through a temporary file and rename. Synchronous I/O on purpose: the cache hit reads one
 * small file, and the sync calls avoid scheduling overhead on that path.
 */
import {
  chmodSync,
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Logger, TokenStore } from '../core/ports.js';
import { AppError, ExitCode } from '../errors.js';
import { replaceFileSync } from '../platform/replace-file.js';
import { CacheEntryError, parseCacheEntry, serializeCacheEntry } from './entry.js';
import { cacheEntryFileName } from './key.js';

export function createDiskStore(dir: string, key: string, logger: Logger): TokenStore {
  const path = join(dir, cacheEntryFileName(key));
  return {
    async read() {
      const text = readPrivateFile(path, logger);
      if (text === undefined) return undefined;
      try {
        return parseCacheEntry(text);
      } catch (error) {
        if (!(error instanceof CacheEntryError)) throw error;
        logger.warn(`ignoring the token cache entry ${path}: it is corrupt (${error.message})`);
        return undefined;
      }
    },
    async write(entry) {
      writePrivateFile(dir, path, serializeCacheEntry(entry));
      logger.debug(2, `wrote the token cache entry ${path}`);
    },
  };
}

/**
 * The content of a cache file, or undefined: missing (silently), or not a regular file, readable by other users, or
 * unreadable (each reported on stderr). Never throws: a bad cache file is a miss, not a failure.
 */
export function readPrivateFile(path: string, logger: Logger): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn(`ignoring the token cache entry ${path}: ${(error as Error).message}`);
    }
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      logger.warn(`ignoring the token cache entry ${path}: not a regular file`);
      return undefined;
    }
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      logger.warn(
        `ignoring the token cache entry ${path}: it is readable by other users (mode ${(stat.mode & 0o777).toString(8)}); ` +
          'a new login will replace it with a private file',
      );
      return undefined;
    }
    return readFileSync(fd, 'utf8');
  } catch (error) {
    logger.warn(`ignoring the token cache entry ${path}: ${(error as Error).message}`);
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw cacheDirError(dir, error);
  }
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
    exitCode: ExitCode.cache,
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
};
