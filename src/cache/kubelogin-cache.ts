/**
 * The token cache that int128/kubelogin and together-kubelogin keep in the same directory, for
 * `clean --kubelogin-cache` only (never read, never removed otherwise): a file named by a bare SHA-256 in hex, holding
 * JSON with nothing but `id_token` and `refresh_token`, and `<hash>.lock` beside it. A file is removed only when it
 * is all of that, a regular file (not a link) and the user's own; a lock only with its entry, or when it has none.
 */
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const entryName = /^[0-9a-f]{64}$/;
const lockName = /^([0-9a-f]{64})\.lock$/;

export function removeKubeloginCache(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const entries = names.filter((name) => entryName.test(name));
  const removed = entries.filter((name) => isKubeloginEntry(join(dir, name)));
  const gone = new Set(removed);
  const locks = names.filter((name) => {
    const hash = lockName.exec(name)?.[1];
    return hash !== undefined && (gone.has(hash) || !entries.includes(hash)) && isOwnFile(join(dir, name));
  });
  for (const name of [...removed, ...locks]) rmSync(join(dir, name), { force: true });
  return [...removed, ...locks].sort();
}

function isKubeloginEntry(path: string): boolean {
  if (!isOwnFile(path)) return false;
  try {
    const document: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof document !== 'object' || document === null || Array.isArray(document)) return false;
    const keys = Object.keys(document);
    return keys.length > 0 && keys.every((key) => key === 'id_token' || key === 'refresh_token');
  } catch {
    return false;
  }
}

/** A regular file (links are never followed) of this user (where the platform has owners). */
function isOwnFile(path: string): boolean {
  try {
    const stats = lstatSync(path);
    return stats.isFile() && (process.getuid === undefined || stats.uid === process.getuid());
  } catch {
    return false;
  }
}
