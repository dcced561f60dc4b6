import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createDiskStore } from '../../src/cache/disk-store.js';
import { type CacheEntry, entryFormat } from '../../src/core/cache-entry.js';
import { cacheEntryFileName } from '../../src/core/cache-key.js';
import { tempDir } from '../rig/plugin.js';
import { MemoryLogger } from './fakes.js';

const entry: CacheEntry = {
  format: entryFormat,
  issuer: 'https://idp',
  clientId: 'kube',
  obtainedAt: 1,
  idToken: 'id',
  idTokenExpiresAt: 2,
};
const key = 'a'.repeat(64);

describe('disk token store', () => {
  it('writes a 0600 file in a 0700 directory and reads it back', async () => {
    const dir = join(tempDir('store'), 'nested', 'cache');
    const store = createDiskStore(dir, key, new MemoryLogger());
    await store.write(entry);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, cacheEntryFileName(key))).mode & 0o777).toBe(0o600);
    expect(await store.read()).toEqual(entry);
    expect(readdirSync(dir)).toEqual([cacheEntryFileName(key)]);
  });

  it('treats a missing entry as a miss, silently', async () => {
    const logger = new MemoryLogger();
    expect(await createDiskStore(tempDir('store'), key, logger).read()).toBeUndefined();
    expect(logger.lines).toEqual([]);
  });

  it.each([
    ['corrupt JSON', '{"format":', 'it is corrupt (not valid JSON)'],
    ['a foreign format', '{"id_token":"x"}', 'it is corrupt (unknown format undefined)'],
    [
      'a wrong field type',
      JSON.stringify({ ...entry, obtainedAt: 'yesterday' }),
      'field obtainedAt is missing',
    ],
  ])('reports %s and treats it as a miss', async (_what, content, message) => {
    const dir = tempDir('store');
    writeFileSync(join(dir, cacheEntryFileName(key)), content, { mode: 0o600 });
    const logger = new MemoryLogger();
    expect(await createDiskStore(dir, key, logger).read()).toBeUndefined();
    expect(logger.lines.join('\n')).toContain(message);
  });

  it('refuses an entry readable by other users', async () => {
    const dir = tempDir('store');
    const store = createDiskStore(dir, key, new MemoryLogger());
    await store.write(entry);
    chmodSync(join(dir, cacheEntryFileName(key)), 0o644);
    const logger = new MemoryLogger();
    expect(await createDiskStore(dir, key, logger).read()).toBeUndefined();
    expect(logger.lines.join('\n')).toContain('readable by other users (mode 644)');
  });

  it('keeps the previous entry when a write fails', async () => {
    const dir = tempDir('store');
    const store = createDiskStore(dir, key, new MemoryLogger());
    await store.write(entry);
    // A directory where the temporary file must go makes the write fail, even for root (chmod would not).
    vi.spyOn(Date, 'now').mockReturnValue(123);
    const blocker = `${join(dir, cacheEntryFileName(key))}.${process.pid}.123.tmp`;
    mkdirSync(blocker);
    try {
      await expect(store.write({ ...entry, idToken: 'new' })).rejects.toMatchObject({ exitCode: 6 });
    } finally {
      vi.restoreAllMocks();
    }
    expect((await store.read())?.idToken).toBe('id');
    expect(readdirSync(dir).sort()).toEqual([cacheEntryFileName(key), blocker.split('/').pop()].sort());
  });

  it('fails with exit code 6 when the cache path is not a directory', async () => {
    const file = join(tempDir('store'), 'file');
    writeFileSync(file, 'x');
    await expect(createDiskStore(file, key, new MemoryLogger()).write(entry)).rejects.toMatchObject({
      exitCode: 6,
    });
  });
});
