/**
 * The login record of one cache key (`together-login-v1-<key>.login`, 0600, beside the lock, for every
 * storage): who holds the lock, the device code being polled, how the last login failed. See
 * src/core/login-coordination.ts for what it is used for. It holds no token; the device code in it is good only for the
 * login its user approves, and only until it expires.
 *
 * Best effort: a record that cannot be read is no record, one that cannot be written is a debug line. Only the lock
 * holder writes it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheFilePrefix, keyVersion } from '../core/cache-key.js';
import {
  emptyLoginRecord,
  type LoginIdentity,
  type LoginRecord,
  loginRecordFormat,
} from '../core/login-coordination.js';
import type { Logger, LoginRecordStore } from '../core/ports.js';
import { readPrivateFile, writePrivateFile } from './disk-store.js';

export function loginRecordFileName(key: string): string {
  return `${cacheFilePrefix}-v${keyVersion}-${key}.login`;
}

/** A record file's contents, or undefined when it is missing, unreadable or of another format. */
export function readLoginRecord(path: string, logger: Logger): LoginRecord | undefined {
  const text = readPrivateFile(path, logger);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<LoginRecord>;
    if (parsed.format !== loginRecordFormat) return undefined;
    return { ...emptyLoginRecord, ...parsed };
  } catch {
    logger.debug(1, `ignoring the unreadable login record ${path}`);
    return undefined;
  }
}

/**
 * `identity` (issuer and client, no secret) is written into the record so that `clean --oidc-issuer-url` can find
 * the records of one issuer: the key alone cannot be traced back to it.
 */
export function createLoginRecordStore(
  dir: string,
  key: string,
  logger: Logger,
  identity?: LoginIdentity,
): LoginRecordStore {
  const path = join(dir, loginRecordFileName(key));
  const read = () => readLoginRecord(path, logger);
  return {
    read,
    update(change) {
      const changed = change(read() ?? emptyLoginRecord);
      const next = identity ? { ...changed, identity } : changed;
      try {
        if (!next.holder && !next.device && !next.failure) rmSync(path, { force: true });
        else writePrivateFile(dir, path, JSON.stringify(next));
      } catch (error) {
        logger.debug(1, `could not update the login record ${path}: ${(error as Error).message}`);
      }
    },
  };
}
