/**
 * A per-key lock between plugin processes, held from the cache re-read to the cache write. proper-lockfile creates
 * a lock directory atomically and keeps touching it while held, so a long browser login is never taken for a
 * crashed holder, while the lock of a killed process goes stale after `staleMs` (5 s) and is taken over.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { KeyLock, Logger } from '../core/ports.js';
import { AppError, ExitCode } from '../errors.js';
import { ensurePrivateDir } from './disk-store.js';
import { cacheLockFileName } from './key.js';

/** A killed holder's lock is taken over after this; a live holder touches it every staleMs / 2. */
export const staleMs = 5_000;
const pollMs = 100;

/**
 * Whether a failed lock attempt means "someone else holds it": ELOCKED from proper-lockfile, and on Windows EPERM,
 * which mkdir answers while another process's lock directory is being deleted (or a scanner holds it).
 */
export function isLockBusy(code: string | undefined, platform: NodeJS.Platform): boolean {
  return code === 'ELOCKED' || (platform === 'win32' && code === 'EPERM');
}

export function createKeyLock(dir: string, key: string, waitMs: number, logger: Logger): KeyLock {
  const lockPath = join(dir, cacheLockFileName(key));
  return {
    async withLock(work) {
      ensurePrivateDir(dir);
      removeLinkAtLockPath(lockPath, logger);
      const release = await acquire(lockPath, waitMs, logger);
      try {
        return await work();
      } finally {
        await release().catch(() => undefined);
      }
    },
  };
}

async function acquire(lockPath: string, waitMs: number, logger: Logger): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      return await lockfile.lock(lockPath, {
        realpath: false,
        lockfilePath: lockPath,
        stale: staleMs,
        retries: 0,
        onCompromised: (error) =>
          logger.warn(`the token cache lock ${lockPath} was taken over: ${error.message}`),
      });
    } catch (error) {
      if (!isLockBusy((error as NodeJS.ErrnoException).code, process.platform)) {
        throw new AppError('cache.lock', `cannot lock the token cache: ${(error as Error).message}`, {
          exitCode: ExitCode.cache,
          hint: 'make the cache directory writable, or choose another one with --token-cache-dir',
          cause: error,
        });
      }
    }
    if (!told) {
      logger.info('Waiting for another kubectl-together_login process to finish logging in…');
      told = true;
    }
    if (Date.now() >= deadline) {
      throw new AppError('cache.lock-timeout', `gave up waiting for the token cache lock ${lockPath}`, {
        exitCode: ExitCode.cache,
        hint: 'finish or cancel the other login in progress, then retry',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs + Math.floor(Math.random() * pollMs)));
  }
}

/**
 * A lock is a directory this plugin creates; a symbolic link at its path (dangling or not) is never a live holder's
 * lock, yet proper-lockfile would wait on it until the bound. Treated as stale: removed, with a note.
 */
function removeLinkAtLockPath(lockPath: string, logger: Logger): void {
  try {
    if (!lstatSync(lockPath).isSymbolicLink()) return;
    unlinkSync(lockPath);
    logger.warn(`removed a symbolic link at the token cache lock ${lockPath}: a lock is never a link`);
  } catch {
    // No such path (the usual case), or it vanished meanwhile.
  }
}
