/**
 * The OS keyring token store (@napi-rs/keyring): macOS Keychain, Windows Credential Manager, and on Linux the
 * Secret Service (GNOME Keyring, KWallet), pinned so that it never falls back silently to the kernel keyring, which
 * forgets everything at logout. Items live under our own service name, one account per cache key.
 *
 * An entry is stored deflated and base64-encoded, split into items of at most 1200 characters (Windows allows 2560
 * bytes of UTF-16 per credential; tokens with many groups exceed that). The head item, `<key>`, holds
 * `v1:<write id>:<count>:<chunk>`; the others are named by their write, `<key>#<write id>#<i>`. A write stores the
 * new continuation items beside the old ones, then switches the head, then removes the old items: whenever it
 * stops, the head names a complete set, so a failed write never loses the working entry.
 */
import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AppError } from '../app-error.js';
import { type CacheEntry, CacheEntryError, parseCacheEntry } from '../core/cache-entry.js';
import { AddonLoadError } from '../core/native-addon.js';
import type { Logger, TokenStore } from '../core/ports.js';
import { requireNative } from '../platform/native-require.js';
import { listKeychainAccounts } from './keychain-dump.js';

export const keyringService = 'kubectl-together_login';

/**
 * The longest item we write. Windows keeps at most 2560 bytes of UTF-16 per credential, so entries are split there
 * (and on Linux, where the Secret Service has no such limit, so that the splitting runs under our tests with a real
 * keyring). On macOS each item's read may ask the user after an upgrade (keychain-dump.ts): one item per entry.
 */
export function keyringChunkSize(platform: NodeJS.Platform): number {
  return platform === 'darwin' ? Number.POSITIVE_INFINITY : 1200;
}
const chunkSize = keyringChunkSize(process.platform);

type KeyringModule = typeof import('@napi-rs/keyring');
interface Item {
  getPassword(): string | null;
  setPassword(value: string): void;
  deleteCredential(): boolean;
}

/**
 * Opens the keyring, or fails with exit code 6 and the alternatives when none is reachable. Our service unless told
 * (`clean --kubelogin-cache` opens int128/kubelogin's, src/cache/kubelogin-cache.ts).
 */
export function openKeyring(service = keyringService): { item(account: string): Item; accounts(): string[] } {
  let keyring: KeyringModule;
  try {
    keyring = requireNative('@napi-rs/keyring') as KeyringModule;
  } catch (cause) {
    throw keyringError('the keyring support could not be loaded', cause);
  }
  const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  const item = (account: string): Item => {
    try {
      return new keyring.Entry(service, account, options);
    } catch (cause) {
      throw keyringError('no OS keyring is reachable', cause);
    }
  };
  // Probe once, so an unreachable keyring fails here with a clear message rather than inside a read.
  item('probe');
  return {
    item,
    accounts: () => {
      try {
        // Names only. On macOS by their attributes: findCredentials reads every item's secret there, and each read
        // may ask the user. Elsewhere reading does not ask (Windows never; the Secret Service once to unlock).
        if (process.platform === 'darwin') return listKeychainAccounts(service);
        return keyring.findCredentials(service).map((credential) => credential.account);
      } catch (cause) {
        throw keyringError('the OS keyring cannot be searched', cause);
      }
    },
  };
}

export function createKeyringStore(key: string, logger: Logger): TokenStore {
  const keyring = openKeyring();
  return {
    async read() {
      try {
        return readChunks(keyring, key);
      } catch (error) {
        if (error instanceof CacheEntryError) {
          logger.warn(`ignoring the keyring item ${keyringService}/${key}: ${error.message}`);
          return undefined;
        }
        throw keyringError('the OS keyring cannot be read', error);
      }
    },
    async write(entry) {
      try {
        writeChunks(keyring, key, entry);
        logger.debug(2, `wrote the keyring item ${keyringService}/${key}`);
      } catch (error) {
        throw keyringError('the OS keyring cannot be written', error);
      }
    },
    async discard() {
      try {
        deleteKeyringEntry(keyring, key);
      } catch (error) {
        throw keyringError('the OS keyring cannot be written', error);
      }
    },
  };
}

function parseHead(head: string): { id: string; count: number; first: string } {
  const match = /^v1:([\w-]+):(\d+):(.*)$/s.exec(head);
  if (!match) throw new CacheEntryError('not written by this version');
  return { id: match[1] as string, count: Number(match[2]), first: match[3] as string };
}

const continuation = (key: string, id: string, index: number) => `${key}#${id}#${index}`;

function readChunks(keyring: ReturnType<typeof openKeyring>, key: string): CacheEntry | undefined {
  const head = keyring.item(key).getPassword();
  if (head === null) return undefined;
  const { id, count, first } = parseHead(head);
  const parts = [first];
  for (let i = 1; i < count; i++) {
    const part = keyring.item(continuation(key, id, i)).getPassword();
    if (part === null) throw new CacheEntryError('an item of the entry is missing');
    parts.push(part);
  }
  let text: string;
  try {
    text = inflateRawSync(Buffer.from(parts.join(''), 'base64')).toString('utf8');
  } catch {
    throw new CacheEntryError('not readable');
  }
  return parseCacheEntry(text);
}

function writeChunks(keyring: ReturnType<typeof openKeyring>, key: string, entry: CacheEntry): void {
  const data = deflateRawSync(JSON.stringify(entry)).toString('base64');
  const chunks: string[] = [];
  for (let at = 0; at < data.length; at += chunkSize) chunks.push(data.slice(at, at + chunkSize));
  const previous = keyring.item(key).getPassword();
  const id = randomUUID();
  for (let i = 1; i < chunks.length; i++)
    keyring.item(continuation(key, id, i)).setPassword(chunks[i] as string);
  keyring.item(key).setPassword(`v1:${id}:${chunks.length}:${chunks[0] ?? ''}`);
  if (previous !== null) removeContinuations(keyring, key, previous);
}

function removeContinuations(keyring: ReturnType<typeof openKeyring>, key: string, head: string): boolean {
  let removed = false;
  try {
    const { id, count } = parseHead(head);
    for (let i = 1; i < count; i++)
      removed = keyring.item(continuation(key, id, i)).deleteCredential() || removed;
  } catch {
    // a head of another version: it has no continuation items we know of
  }
  return removed;
}

/** The items of one cache key among listed accounts: its head `<key>` and every `<key>#<write id>#<i>`. */
export function itemsOfEntry(accounts: readonly string[], key: string): string[] {
  return accounts.filter((account) => account === key || account.startsWith(`${key}#`));
}

/**
 * Removes the items of one cache key, found by name without reading any of them (continuations of a write that
 * was interrupted included); the head first, so that a removal cut short never leaves a head without its items.
 */
export function deleteKeyringEntry(keyring: ReturnType<typeof openKeyring>, key: string): boolean {
  const items = itemsOfEntry(keyring.accounts(), key).sort((a, b) => a.length - b.length);
  let removed = false;
  for (const account of items) removed = keyring.item(account).deleteCredential() || removed;
  return removed;
}

export function readKeyringEntry(
  keyring: ReturnType<typeof openKeyring>,
  key: string,
): CacheEntry | undefined {
  return readChunks(keyring, key);
}

export function keyringError(message: string, cause: unknown): AppError {
  return new AppError('cache.keyring', `${message}: ${(cause as Error)?.message ?? String(cause)}`, {
    // The standalone executable's addon on a noexec mount has its own hint (src/core/native-addon.ts).
    hint:
      (cause instanceof AddonLoadError && cause.hint) ||
      'unlock or start your keyring (on Linux: a D-Bus session with GNOME Keyring or KWallet), ' +
        'or choose --token-cache-storage=disk, encrypted or none',
    cause,
  });
}
