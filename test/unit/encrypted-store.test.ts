import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createEncryptedStore,
  decryptEntry,
  encryptEntry,
  encryptionKeyEnv,
  keyFromEnvironment,
  parseEncryptedFile,
} from '../../src/cache/encrypted-store.js';
import { type CacheEntry, entryFormat } from '../../src/core/cache-entry.js';
import { tempDir } from '../rig/plugin.js';
import { MemoryLogger } from './fakes.js';

const entry: CacheEntry = {
  format: entryFormat,
  issuer: 'https://idp',
  clientId: 'kube',
  obtainedAt: 5,
  idToken: 'eyJ.secret-id-token.sig',
  idTokenExpiresAt: 10,
  refreshToken: 'secret-refresh-token',
};
const cacheKey = 'c'.repeat(64);
const key = randomBytes(32);

describe('encrypted token store', () => {
  it('round-trips an entry and keeps only metadata in clear', () => {
    const file = encryptEntry(entry, cacheKey, { key, source: 'env' });
    const text = JSON.stringify(file);
    expect(text).not.toContain('secret-id-token');
    expect(text).not.toContain('secret-refresh-token');
    expect(file).toMatchObject({ issuer: 'https://idp', clientId: 'kube', obtainedAt: 5, keySource: 'env' });
    expect(decryptEntry(parseEncryptedFile(text), cacheKey, key)).toEqual(entry);
  });

  it.each([
    ['another key', (f: ReturnType<typeof encryptEntry>) => f, randomBytes(32), cacheKey],
    [
      'another cache key (file copied under another name)',
      (f: ReturnType<typeof encryptEntry>) => f,
      key,
      'd'.repeat(64),
    ],
    [
      'a changed ciphertext',
      (f: ReturnType<typeof encryptEntry>) => ({ ...f, ciphertext: Buffer.from('x').toString('base64') }),
      key,
      cacheKey,
    ],
    [
      'a changed tag',
      (f: ReturnType<typeof encryptEntry>) => ({ ...f, tag: randomBytes(16).toString('base64') }),
      key,
      cacheKey,
    ],
  ])('refuses to decrypt with %s', (_what, change, useKey, useCacheKey) => {
    const file = change(encryptEntry(entry, cacheKey, { key, source: 'env' }));
    expect(() => decryptEntry(file, useCacheKey, useKey)).toThrow('does not decrypt');
  });

  it('writes a 0600 file with the env key, reads it back, and reports a wrong key as a miss', async () => {
    const dir = join(tempDir('enc'), 'cache');
    const env = { [encryptionKeyEnv]: key.toString('base64') };
    await createEncryptedStore(dir, cacheKey, env, new MemoryLogger()).write(entry);
    const [name] = readdirSync(dir);
    expect(name).toBe(`together-login-v1-${cacheKey}.enc`);
    expect(statSync(join(dir, name as string)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, name as string), 'utf8')).not.toContain('secret-refresh-token');
    expect(await createEncryptedStore(dir, cacheKey, env, new MemoryLogger()).read()).toEqual(entry);

    const logger = new MemoryLogger();
    const other = { [encryptionKeyEnv]: randomBytes(32).toString('base64') };
    expect(await createEncryptedStore(dir, cacheKey, other, logger).read()).toBeUndefined();
    expect(logger.lines.join('\n')).toContain(`does not decrypt with the key from ${encryptionKeyEnv}`);
  });

  it('rejects a key that is not 32 bytes of base64 with exit code 2 as soon as the store is opened', () => {
    const dir = tempDir('enc');
    for (const [value, what] of [
      ['c2hvcnQ=', '5 bytes'],
      [randomBytes(35).toString('base64'), '35 bytes'],
      [`${'!'.repeat(43)}=`, 'text that is not base64'],
      [
        `${key.toString('base64').slice(0, 20)} ${key.toString('base64').slice(20)}`,
        'text that is not base64',
      ],
    ]) {
      expect(() =>
        createEncryptedStore(dir, cacheKey, { [encryptionKeyEnv]: value as string }, new MemoryLogger()),
      ).toThrow(
        expect.objectContaining({
          exitCode: 2,
          message: `${encryptionKeyEnv} must be 32 bytes in base64, not ${what}`,
        }),
      );
    }
    // openssl's output with its newline, the URL-safe alphabet and a missing padding are fine.
    const base64 = key.toString('base64');
    for (const value of [`${base64}\n`, key.toString('base64url'), base64.replace(/=$/, '')])
      expect(keyFromEnvironment(value)).toEqual(key);
  });

  it('treats a corrupt file as a miss', async () => {
    const dir = tempDir('enc');
    writeFileSync(join(dir, `together-login-v1-${cacheKey}.enc`), '{"format":"x"}', { mode: 0o600 });
    const logger = new MemoryLogger();
    expect(
      await createEncryptedStore(
        dir,
        cacheKey,
        { [encryptionKeyEnv]: key.toString('base64') },
        logger,
      ).read(),
    ).toBeUndefined();
    expect(logger.lines.join('\n')).toContain('it is corrupt (unknown format)');
  });
});
