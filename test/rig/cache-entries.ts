/** The plugin's disk cache entries as tests see them: find, read, and age an entry (the morning after). */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function entryPath(cacheDir: string): string {
  const file = readdirSync(cacheDir).find((name) => /^together-login-v1-[0-9a-f]{64}\.json$/.test(name));
  if (!file) throw new Error(`no cache entry in ${cacheDir}`);
  return join(cacheDir, file);
}

export function readEntry(cacheDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(entryPath(cacheDir), 'utf8'));
}

/** Moves the entry a day into the past, as if the laptop had been closed overnight: its tokens have expired. */
export function ageEntryOvernight(cacheDir: string): void {
  const entry = readEntry(cacheDir);
  const day = 24 * 3600 * 1000;
  for (const field of ['obtainedAt', 'idTokenExpiresAt', 'accessTokenExpiresAt'])
    if (typeof entry[field] === 'number') entry[field] = (entry[field] as number) - day;
  writeFileSync(entryPath(cacheDir), JSON.stringify(entry), { mode: 0o600 });
}
