/**
 * The OS keyring token store (@napi-rs/keyring): macOS Keychain, Windows Credential Manager, and on Linux the
 * Secret Service (GNOME Keyring, KWallet), pinned so that it never falls back silently to the kernel keyring, which
 * forgets everything at logout. Items live under our own service name, one account per cache key.
 *
 * An entry is stored deflated and base64-encoded, split into items of at most 1200 characters (Windows allows 2560
 * bytes of UTF-16 per credential; tokens with many groups exceed that). The first item, `<key>`, holds
 * `v1:<write id>:<count>:<chunk>`, the others, `<key>#<i>`, hold `<write id>:<chunk>`: a reader that meets a set
 * written halfway (ids differ) sees a miss, never a wrong entry.
 */
import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Logger, TokenStore } from '../core/ports.js';
import { AppError, ExitCode } from '../errors.js';
import { requireNative } from '../platform/native-require.js';
import { type CacheEntry, CacheEntryError, parseCacheEntry } from './entry.js';

export const keyringService = 'kubectl-together_login';
const chunkSize = 1200;

type KeyringModule = typeof import('@napi-rs/keyring');
interface Item {
  getPassword(): string | null;
  setPassword(value: string): void;
  deleteCredential(): boolean;
}

/** Opens the keyring, or fails with exit code 6 and the alternatives when none is reachable. */
export function openKeyring(): { item(account: string): Item; accounts(): string[] } {
  let keyring: KeyringModule;
  try {
    keyring = requireNative('@napi-rs/keyring') as KeyringModule;
  } catch (cause) {
    throw keyringError('the keyring support could not be loaded', cause);
  }
  const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;
  const item = (account: string): Item => {
    try {
      return new keyring.Entry(keyringService, account, options);
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
        return keyring.findCredentials(keyringService).map((credential) => credential.account);
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
  };
}

function readChunks(keyring: ReturnType<typeof openKeyring>, key: string): CacheEntry | undefined {
  const head = keyring.item(key).getPassword();
  if (head === null) return undefined;
  const match = /^v1:([\w-]+):(\d+):(.*)$/s.exec(head);
  if (!match) throw new CacheEntryError('not written by this version');
  const [, id, countText, first] = match as unknown as [string, string, string, string];
  const parts = [first];
  for (let i = 1; i < Number(countText); i++) {
    const part = keyring.item(`${key}#${i}`).getPassword();
    if (part === null || !part.startsWith(`${id}:`))
      throw new CacheEntryError('written halfway by another process');
    parts.push(part.slice(id.length + 1));
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
  const id = randomUUID();
  // The continuation items first and the head last: until the head is replaced, readers see the old entry whole
  // or (ids differ) a miss.
  for (let i = 1; i < chunks.length; i++) keyring.item(`${key}#${i}`).setPassword(`${id}:${chunks[i]}`);
  keyring.item(key).setPassword(`v1:${id}:${chunks.length}:${chunks[0] ?? ''}`);
}

/** Removes the items of one cache key; true if there was anything. */
export function deleteKeyringEntry(keyring: ReturnType<typeof openKeyring>, key: string): boolean {
  const head = keyring.item(key).getPassword();
  const count = Number(/^v1:[\w-]+:(\d+):/.exec(head ?? '')?.[1] ?? 1);
  let removed = keyring.item(key).deleteCredential();
  for (let i = 1; i < count; i++) removed = keyring.item(`${key}#${i}`).deleteCredential() || removed;
  return removed;
}

export function readKeyringEntry(
  keyring: ReturnType<typeof openKeyring>,
  key: string,
): CacheEntry | undefined {
  return readChunks(keyring, key);
}

function keyringError(message: string, cause: unknown): AppError {
  return new AppError('cache.keyring', `${message}: ${(cause as Error)?.message ?? String(cause)}`, {
    exitCode: ExitCode.cache,
    hint:
      'unlock or start your keyring (on Linux: a D-Bus session with GNOME Keyring or KWallet), ' +
      'or choose --token-cache-storage=disk, encrypted or none',
    cause,
  });
}
