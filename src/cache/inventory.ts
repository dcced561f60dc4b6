/**
 * What this plugin has cached, across storages, for `status` and `clean`. Only our own items are ever listed or
 * removed: files named `together-login-*` in the cache directory (never int128/kubelogin's or together-kubelogin's
 * entries beside them) and keyring items of our service whose account is a cache key.
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAppError } from '../app-error.js';
import { CacheEntryError, parseCacheEntry } from '../core/cache-entry.js';
import { cacheFilePrefix } from '../core/cache-key.js';
import type { LoginRecord } from '../core/login-coordination.js';
import type { CachedItem, Logger } from '../core/ports.js';
import { readPrivateFile } from './disk-store.js';
import { readLoginRecord } from './login-record-store.js';

const ourFile = new RegExp(`^${cacheFilePrefix}-v\\d+-([0-9a-f]{64})\\.(json|enc)$`);
const ourLoginRecord = new RegExp(`^${cacheFilePrefix}-v\\d+-([0-9a-f]{64})\\.login$`);
// Temporary files and locks of killed processes, login records and browser slots (login-record-store.ts, lock.ts), and
// the cached provider metadata (provider-metadata-store.ts).
const ourLeftover = new RegExp(
  `^${cacheFilePrefix}-v\\d+-((((provider|browser)-)?[0-9a-f]{64}\\.(json|enc|login)\\.\\d+\\.\\d+\\.tmp)|(browser-)?[0-9a-f]{64}\\.(lock|login)|provider-[0-9a-f]{64}\\.json)$`,
);

export async function listFiles(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<CachedItem[]> {
  const names = namesIn(dir);
  const items: CachedItem[] = [];
  for (const name of names.sort()) {
    const match = ourFile.exec(name);
    if (!match) continue;
    const [, key, kind] = match as unknown as [string, string, 'json' | 'enc'];
    const location = join(dir, name);
    let text: string | undefined;
    try {
      text = readPrivateFile(location, logger);
    } catch (error) {
      // A link, a FIFO, another user's file: listed (and removable by clean) but never read.
      if (!isAppError(error)) throw error;
      items.push(
        unidentified({ storage: kind === 'json' ? 'disk' : 'encrypted', key, location }, error.message),
      );
      continue;
    }
    items.push(
      kind === 'json' ? plainItem(key, location, text) : await encryptedItem(key, location, text, env),
    );
  }
  return items;
}

function plainItem(key: string, location: string, text: string | undefined): CachedItem {
  const base = { storage: 'disk' as const, key, location };
  if (text === undefined) return unidentified(base, 'unreadable');
  try {
    const entry = parseCacheEntry(text);
    return { ...base, issuer: entry.issuer, clientId: entry.clientId, entry, problem: undefined };
  } catch (error) {
    return unidentified(base, `corrupt (${(error as Error).message})`);
  }
}

async function encryptedItem(
  key: string,
  location: string,
  text: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CachedItem> {
  const base = { storage: 'encrypted' as const, key, location };
  if (text === undefined) return unidentified(base, 'unreadable');
  const { parseEncryptedFile, openEncryptedFile } = await import('./encrypted-store.js');
  let file: ReturnType<typeof parseEncryptedFile>;
  try {
    file = parseEncryptedFile(text);
  } catch (error) {
    return unidentified(base, (error as Error).message);
  }
  // Issuer and client are in clear; the tokens need the key (from the environment or the keyring).
  const identified = { ...base, issuer: file.issuer, clientId: file.clientId };
  try {
    return { ...identified, entry: await openEncryptedFile(file, key, env), problem: undefined };
  } catch (error) {
    return {
      ...identified,
      entry: undefined,
      problem: `encrypted, no usable key (${(error as Error).message})`,
    };
  }
}

/** An item whose file could not be read or parsed: nothing is known of whom it is for. */
function unidentified(base: Pick<CachedItem, 'storage' | 'key' | 'location'>, problem: string): CachedItem {
  return { ...base, issuer: undefined, clientId: undefined, entry: undefined, problem };
}

/** The names in a directory; none when it does not exist (yet) or cannot be read. */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A cache key's login record (src/cache/login-record-store.ts): a login in progress, its device code, a recent failure. */
export interface LoginRecordItem {
  readonly key: string;
  readonly location: string;
  readonly record: LoginRecord;
}

/** The login records in the cache directory that hold something (they hold no token, whatever the storage). */
export function listLoginRecords(dir: string, logger: Logger): LoginRecordItem[] {
  const items: LoginRecordItem[] = [];
  for (const name of namesIn(dir).sort()) {
    const key = ourLoginRecord.exec(name)?.[1];
    if (key === undefined) continue;
    const location = join(dir, name);
    let record: LoginRecord | undefined;
    try {
      record = readLoginRecord(location, logger);
    } catch {
      // Another user's file or a link: not ours to read; the leftovers of clean do not touch it either.
      continue;
    }
    if (record) items.push({ key, location, record });
  }
  return items;
}

/** Our keyring items; throws the keyring's AppError (exit code 6) when none is reachable. */
export async function listKeyring(): Promise<CachedItem[]> {
  const { openKeyring, readKeyringEntry, keyringService } = await import('./keyring-store.js');
  const keyring = openKeyring();
  const keys = keyring.accounts().filter((account) => /^[0-9a-f]{64}$/.test(account));
  return keys.sort().map((key) => {
    const location = `keyring:${keyringService}/${key}`;
    try {
      const entry = readKeyringEntry(keyring, key);
      return {
        storage: 'keyring',
        key,
        location,
        issuer: entry?.issuer,
        clientId: entry?.clientId,
        entry,
        problem: entry ? undefined : 'empty',
      };
    } catch (error) {
      const problem = error instanceof CacheEntryError ? error.message : 'unreadable';
      return {
        storage: 'keyring',
        key,
        location,
        issuer: undefined,
        clientId: undefined,
        entry: undefined,
        problem,
      };
    }
  });
}

export async function removeItem(item: CachedItem): Promise<void> {
  if (item.storage === 'keyring') {
    const { openKeyring, deleteKeyringEntry } = await import('./keyring-store.js');
    deleteKeyringEntry(openKeyring(), item.key);
    return;
  }
  rmSync(item.location, { force: true });
}

/**
 * Our temporary files and lock directories left by processes that were killed. A lock younger than `staleMs` may
 * belong to a running login and is kept, as is every path in `keep` (the record of a login in progress).
 */
export function removeLeftovers(
  dir: string,
  staleMs: number,
  now: number,
  keep: ReadonlySet<string> = new Set(),
): string[] {
  const names = namesIn(dir);
  const removed: string[] = [];
  for (const name of names) {
    if (!ourLeftover.test(name)) continue;
    const path = join(dir, name);
    if (keep.has(path)) continue;
    try {
      // A young lock or temporary file may belong to a running process; cached provider metadata never does. Nor
      // does a symbolic link (a lock is a directory): a dangling one must not outlive clean. lstat, never following.
      const stat = lstatSync(path);
      if (!stat.isSymbolicLink() && (!name.includes('-provider-') || name.endsWith('.tmp'))) {
        if (now - stat.mtimeMs < staleMs) continue;
      }
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}
