/**
 * The encrypted disk store (--token-cache-storage=encrypted): the disk store's private files, with the tokens
 * encrypted at rest by AES-256-GCM (node:crypto). The 32-byte key comes from KUBECTL_TOGETHER_LOGIN_CACHE_KEY
 * (base64; for headless machines) or, without it, from the OS keyring, where one is generated on first use.
 *
 * File `together-login-v1-<key>.enc`: JSON with the format, the issuer, client id and login time in clear (so
 * `status` and `clean` can work without the key), and `iv`, `tag`, `ciphertext` in base64. The additional
 * authenticated data is the format and the cache key, so a file copied under another key's name does not decrypt.
 * See docs/token-cache.md.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../app-error.js';
import {
  type CacheEntry,
  CacheEntryError,
  parseCacheEntry,
  serializeCacheEntry,
} from '../core/cache-entry.js';
import { cacheEncryptedFileName } from '../core/cache-key.js';
import type { Logger, TokenStore } from '../core/ports.js';
import { readPrivateFile, writePrivateFile } from './disk-store.js';

export const encryptionKeyEnv = 'KUBECTL_TOGETHER_LOGIN_CACHE_KEY';
/** The keyring account that holds the generated key (service kubectl-together_login). */
export const encryptionKeyAccount = 'encryption-key';
export const encryptedFormat = 'together-login/token-cache-encrypted/v1';

export interface EncryptedFile {
  readonly format: typeof encryptedFormat;
  readonly issuer: string;
  readonly clientId: string;
  readonly obtainedAt: number;
  readonly keySource: 'env' | 'keyring';
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

type KeySource = { key: Buffer; source: 'env' | 'keyring' };

export function createEncryptedStore(
  dir: string,
  key: string,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): TokenStore {
  const path = join(dir, cacheEncryptedFileName(key));
  // Checked now, before any request: found only when writing, a bad key failed after the login, and kubectl's
  // retries each repeated that login.
  const fromEnv = env[encryptionKeyEnv];
  if (fromEnv) keyFromEnvironment(fromEnv);
  return {
    async read() {
      const text = readPrivateFile(path, logger);
      if (text === undefined) {
        // A login comes next, and its token could not be kept without a key: every kubectl call would log in
        // again. Said now, before the login, with exit code 6, as the keyring storage does.
        if (!env[encryptionKeyEnv]) await keyringOfTheKey();
        return undefined;
      }
      try {
        return await openEncryptedFile(parseEncryptedFile(text), key, env);
      } catch (error) {
        if (!(error instanceof CacheEntryError)) throw error;
        logger.warn(`ignoring the token cache entry ${path}: ${error.message}`);
        return undefined;
      }
    },
    async write(entry) {
      const secret = (await encryptionKey(env, true)) as KeySource;
      writePrivateFile(dir, path, `${JSON.stringify(encryptEntry(entry, key, secret))}\n`);
      logger.debug(2, `wrote the encrypted token cache entry ${path} (key from ${secret.source})`);
    },
    async discard() {
      rmSync(path, { force: true });
    },
  };
}

/** The entry of a parsed file, decrypted with the key it was written with; CacheEntryError when there is none. */
export async function openEncryptedFile(
  file: EncryptedFile,
  cacheKey: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CacheEntry> {
  const secret = await encryptionKey(env, false);
  if (!secret) throw new CacheEntryError('no encryption key in the keyring (it was removed?)');
  return decryptEntry(file, cacheKey, secret.key);
}

export function encryptEntry(entry: CacheEntry, cacheKey: string, secret: KeySource): EncryptedFile {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret.key, iv);
  cipher.setAAD(additionalData(cacheKey));
  const ciphertext = Buffer.concat([cipher.update(serializeCacheEntry(entry), 'utf8'), cipher.final()]);
  return {
    format: encryptedFormat,
    issuer: entry.issuer,
    clientId: entry.clientId,
    obtainedAt: entry.obtainedAt,
    keySource: secret.source,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

export function decryptEntry(file: EncryptedFile, cacheKey: string, key: Buffer): CacheEntry {
  let plaintext: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.iv, 'base64'));
    decipher.setAAD(additionalData(cacheKey));
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
    plaintext = Buffer.concat([
      decipher.update(Buffer.from(file.ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new CacheEntryError(
      `it does not decrypt with the key from ${file.keySource === 'env' ? encryptionKeyEnv : 'the keyring'} (was the key changed?)`,
    );
  }
  return parseCacheEntry(plaintext);
}

export function parseEncryptedFile(text: string): EncryptedFile {
  let doc: Partial<EncryptedFile>;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new CacheEntryError('it is corrupt (not valid JSON)');
  }
  if (doc?.format !== encryptedFormat) throw new CacheEntryError('it is corrupt (unknown format)');
  for (const field of ['issuer', 'clientId', 'iv', 'tag', 'ciphertext'] as const) {
    if (typeof doc[field] !== 'string')
      throw new CacheEntryError(`it is corrupt (field ${field} is missing)`);
  }
  return doc as EncryptedFile;
}

function additionalData(cacheKey: string): Buffer {
  return Buffer.from(`${encryptedFormat}:${cacheKey}`, 'utf8');
}

/** The key from the environment, else from the keyring (created there when `create` and absent). */
async function encryptionKey(
  env: Readonly<Record<string, string | undefined>>,
  create: boolean,
): Promise<KeySource | undefined> {
  const fromEnv = env[encryptionKeyEnv];
  if (fromEnv) return { key: keyFromEnvironment(fromEnv), source: 'env' };
  const keyring = await keyringOfTheKey();
  const item = keyring.item(encryptionKeyAccount);
  const stored = item.getPassword();
  if (stored) return { key: Buffer.from(stored, 'base64'), source: 'keyring' };
  if (!create) return undefined;
  const key = randomBytes(32);
  item.setPassword(key.toString('base64'));
  return { key, source: 'keyring' };
}

/**
 * The key of KUBECTL_TOGETHER_LOGIN_CACHE_KEY: 32 bytes in base64 (`openssl rand -base64 32`; the URL-safe
 * alphabet and missing padding are accepted, surrounding white space ignored). Anything else is exit code 2:
 * Node's base64 decoder would silently skip characters that are not base64.
 */
export function keyFromEnvironment(value: string): Buffer {
  const text = value.trim();
  const isBase64 = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text);
  const key = Buffer.from(text, 'base64');
  if (isBase64 && key.length === 32) return key;
  throw new AppError(
    'usage.cache-key',
    `${encryptionKeyEnv} must be 32 bytes in base64, not ${isBase64 ? `${key.length} bytes` : 'text that is not base64'}`,
    { hint: 'make one with: openssl rand -base64 32' },
  );
}

/** The OS keyring that keeps the generated key; exit code 6 naming the other ways when none is reachable. */
async function keyringOfTheKey(): Promise<ReturnType<OpenKeyring>> {
  const { openKeyring } = await import('./keyring-store.js');
  try {
    return openKeyring();
  } catch (error) {
    throw new AppError(
      'cache.encryption-key',
      `the encrypted token cache needs a key: ${encryptionKeyEnv} is not set, and no OS keyring is reachable to keep one`,
      {
        hint: `set ${encryptionKeyEnv} to a key made with: openssl rand -base64 32; or choose --token-cache-storage=disk (files only you can read) or none`,
        cause: error,
      },
    );
  }
}

type OpenKeyring = typeof import('./keyring-store.js').openKeyring;
