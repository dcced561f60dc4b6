/**
 * A per-key lock between plugin processes, held from the cache re-read to the cache write. proper-lockfile creates
 * a lock directory atomically and keeps touching it while held, so a long browser login is never taken for a
 * crashed holder, while the lock of a killed process goes stale after `staleMs` (5 s) and is taken over.
 *
 * A holder that is stopped (SIGSTOP, a closed laptop lid) touches nothing, yet it is alive and will go on: the holder
 * announces its PID, start time, host and deadline in the key's login record, and a lock whose holder is alive on
 * this machine (that PID, started at that time: PIDs are reused) is not taken over before that deadline
 * (src/core/login-coordination.ts, holderKeepsLock). If a holder loses its lock all the same, its lease says so, and
 * get-token re-reads the cache before logging in or writing.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { AppError } from '../app-error.js';
import { cacheLockFileName } from '../core/cache-key.js';
import { spokenDuration } from '../core/duration.js';
import {
  holderIsAlive,
  holderKeepsLock,
  type LoginRecord,
  lockWaitDeadline,
  staleLockSec,
  waitingMessage,
} from '../core/login-coordination.js';
import type { KeyLock, Logger, LoginRecordStore } from '../core/ports.js';
import type { LoginFlow } from '../core/select-flow.js';
import { observeProcess, processStartTime } from '../platform/process-start.js';
import { ensurePrivateDir } from './disk-store.js';

/** A killed holder's lock is taken over after this; a live holder touches it every staleMs / 2. */
export const staleMs = staleLockSec * 1000;
const pollMs = 100;

/**
 * Whether a failed lock attempt means "someone else holds it": ELOCKED from proper-lockfile, and on Windows EPERM,
 * which mkdir answers while another process's lock directory is being deleted (or a scanner holds it).
 */
export function isLockBusy(code: string | undefined, platform: NodeJS.Platform): boolean {
  return code === 'ELOCKED' || (platform === 'win32' && code === 'EPERM');
}

export interface KeyLockOptions {
  /** The waiter's --authentication-timeout-sec, in ms: the base of its wait bound. */
  readonly timeoutMs: number;
  readonly record: LoginRecordStore;
  /** Past the waiter's timeout (default lockGraceMs); 0 where the wait is part of a login's own timeout. */
  readonly graceMs?: number;
  /** The flow the holder announces at once (the browser slot); otherwise announced when the login starts. */
  readonly flow?: LoginFlow;
}

export function createKeyLock(dir: string, key: string, options: KeyLockOptions, logger: Logger): KeyLock {
  const lockPath = join(dir, cacheLockFileName(key));
  return {
    async withLock(work) {
      ensurePrivateDir(dir);
      removeLinkAtLockPath(lockPath, logger);
      let lost = false;
      const release = await acquire(lockPath, options, logger, () => {
        lost = true;
      });
      const host = hostname();
      options.record.update((record) => ({
        ...record,
        holder: {
          pid: process.pid,
          host,
          flow: options.flow,
          until: Date.now() + options.timeoutMs,
          started: processStartTime(process.pid),
        },
      }));
      // Lost when proper-lockfile saw the lock change hands, or when the record names another holder (or none:
      // `clean` removed it): the record is checked at once, proper-lockfile only every staleMs / 2.
      const isOurs = (record: LoginRecord | undefined) =>
        record?.holder?.pid === process.pid && record.holder.host === host;
      // A record that could not be written (a full disk) proves nothing: only an announcement that was on disk and
      // is gone or names another holder means a takeover.
      const announced = isOurs(options.record.read());
      // Only our own announcement: after a takeover the record may already name the new holder. Also on Ctrl-C,
      // which exits without running `finally` (main.ts).
      const withdraw = () =>
        options.record.update((record) => (isOurs(record) ? { ...record, holder: undefined } : record));
      process.once('exit', withdraw);
      try {
        return await work({ lost: () => lost || (announced && !isOurs(options.record.read())) });
      } finally {
        process.removeListener('exit', withdraw);
        withdraw();
        await release().catch(() => undefined);
      }
    },
  };
}

async function acquire(
  lockPath: string,
  options: KeyLockOptions,
  logger: Logger,
  onLost: () => void,
): Promise<() => Promise<void>> {
  const startedAt = Date.now();
  const host = hostname();
  let told: string | undefined;
  for (;;) {
    const record = options.record.read();
    const now = Date.now();
    const holder = record?.holder;
    const here = { host, now, observe: observeProcess };
    const keptByLiveHolder = holder?.pid !== process.pid && holderKeepsLock(holder, here);
    if (!keptByLiveHolder) {
      try {
        return await lockfile.lock(lockPath, {
          realpath: false,
          lockfilePath: lockPath,
          stale: staleMs,
          retries: 0,
          onCompromised: (error) => {
            onLost();
            logger.warn(`the token cache lock ${lockPath} was taken over: ${error.message}`);
          },
        });
      } catch (error) {
        if (!isLockBusy((error as NodeJS.ErrnoException).code, process.platform)) {
          throw new AppError('cache.lock', `cannot lock the token cache: ${(error as Error).message}`, {
            hint: 'make the cache directory writable, or choose another one with --token-cache-dir',
            cause: error,
          });
        }
      }
    }
    const deadline = lockWaitDeadline(startedAt, options.timeoutMs, record?.holder, options.graceMs);
    // Said again when the holder changes what it does (it chose its flow), or turns out to be gone.
    const alive = keptByLiveHolder || holderIsAlive(holder, here);
    const situation = `${holder?.pid}:${holder?.flow}:${alive}`;
    if (told !== situation) {
      logger.info(waitingMessage(record, now, deadline, alive || holder?.host !== host));
      told = situation;
    }
    if (now >= deadline) throw lockTimeout(lockPath, record, now - startedAt);
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

function lockTimeout(lockPath: string, record: LoginRecord | undefined, waitedMs: number): AppError {
  const holder = record?.holder ? ` (held by pid ${record.holder.pid})` : '';
  return new AppError(
    'cache.lock-timeout',
    `gave up waiting for the token cache lock ${lockPath}${holder} after ${spokenDuration(waitedMs)}`,
    {
      hint: 'finish or cancel the other login in progress, then retry',
    },
  );
}
