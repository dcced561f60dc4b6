/** `status` and `clean`: what is cached, and removing it, across the storages (src/cache/inventory.ts). */
import { type CachedItem, listFiles, listKeyring, removeItem, removeLeftovers } from '../cache/inventory.js';
import type { Logger } from '../core/ports.js';
import { matchesFilter, renderStatus, statusRow } from '../core/status-view.js';
import { isAppError } from '../errors.js';

export type StorageChoice = 'all' | 'disk' | 'encrypted' | 'keyring';

export interface CacheCommandOptions {
  readonly tokenCacheDir: string;
  readonly storage: StorageChoice;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
}

/** Everything cached in the chosen storages. An unreachable keyring is an error only when it was asked for. */
async function inventory({
  tokenCacheDir,
  storage,
  env,
  logger,
}: CacheCommandOptions): Promise<CachedItem[]> {
  const items: CachedItem[] = [];
  if (storage !== 'keyring') {
    const files = await listFiles(tokenCacheDir, env, logger);
    items.push(...files.filter((item) => storage === 'all' || item.storage === storage));
  }
  if (storage === 'all' || storage === 'keyring') {
    try {
      items.push(...(await listKeyring()));
    } catch (error) {
      if (storage === 'keyring' || !isAppError(error)) throw error;
      logger.debug(1, `keyring skipped: ${error.message}`);
    }
  }
  return items;
}

export async function runStatus(options: CacheCommandOptions & { output: 'text' | 'json' }): Promise<string> {
  const rows = (await inventory(options)).map((item) => statusRow(item, Date.now()));
  return options.output === 'json'
    ? `${JSON.stringify({ identities: rows }, null, 2)}\n`
    : renderStatus(rows);
}

export async function runClean(
  options: CacheCommandOptions & { issuer?: string; clientId?: string },
): Promise<string> {
  const filtered = options.issuer !== undefined || options.clientId !== undefined;
  const chosen = (await inventory(options)).filter((item) => matchesFilter(item, options));
  for (const item of chosen) await removeItem(item);
  // Leftovers of killed processes carry no identity: removed only by an unfiltered clean of the disk storages.
  const leftovers =
    filtered || options.storage === 'keyring'
      ? []
      : removeLeftovers(options.tokenCacheDir, 60_000, Date.now());
  const lines = chosen.map(
    (item) =>
      `removed ${item.storage} entry: ${item.issuer ?? '(unknown issuer)'} / ${item.clientId ?? '(unknown client)'}`,
  );
  if (leftovers.length > 0) lines.push(`removed ${leftovers.length} leftover temporary or lock file(s)`);
  lines.push(
    chosen.length === 0
      ? 'Nothing cached matched; nothing removed.'
      : `Removed ${chosen.length} cached identit${chosen.length === 1 ? 'y' : 'ies'}.`,
  );
  return `${lines.join('\n')}\n`;
}
