/**
 * The token cache that int128/kubelogin and together-kubelogin keep in the same directory, for
 * `clean --kubelogin-cache` only (never read, never removed otherwise): a file named by a bare SHA-256 in hex, holding
 * JSON with nothing but `id_token` and `refresh_token`, and `<hash>.lock` beside it. A file is removed only when it
 * is all of that, a regular file (not a link) and the user's own; a lock only with its entry, or when it has none.
 * And int128's keyring items (its --token-cache-storage=keyring, or auto where a keyring answers).
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

/**
 * int128/kubelogin stores a keyring item through zalando/go-keyring under the service `kubelogin`, its account
 * `kubelogin/tokencache/` and the same SHA-256 as its file name (pkg/tokencache/repository). Only items of exactly
 * that service and that account shape are removed: another tool's item under `kubelogin` stays.
 */
export const kubeloginKeyringService = 'kubelogin';
const kubeloginAccount = /^kubelogin\/tokencache\/[0-9a-f]{64}$/;

export type KubeloginKeyringResult =
  | { readonly searched: true; readonly removed: readonly string[] }
  | { readonly searched: false; readonly reason: string };

/**
 * Removes int128's keyring items. Throws our keyring error (exit code 6) when the keyring cannot be opened or
 * written; the caller decides whether that is a failure. On Windows go-keyring names its credentials
 * `kubelogin:<account>`, which our keyring library does not look up: not searched there, and said so.
 */
export async function removeKubeloginKeyringItems(
  platform: NodeJS.Platform,
): Promise<KubeloginKeyringResult> {
  if (platform === 'win32')
    return {
      searched: false,
      reason: "int128/kubelogin's Windows Credential Manager items are not searched",
    };
  const { openKeyring, keyringError } = await import('./keyring-store.js');
  const keyring = openKeyring(kubeloginKeyringService);
  const removed: string[] = [];
  for (const account of keyring
    .accounts()
    .filter((name) => kubeloginAccount.test(name))
    .sort()) {
    try {
      if (keyring.item(account).deleteCredential()) removed.push(account);
    } catch (cause) {
      throw keyringError('the OS keyring cannot be written', cause);
    }
  }
  return { searched: true, removed };
}
