/** `status` and `clean`: what is cached, and removing it, across the storages (src/cache/inventory.ts). */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '../app-error.js';
import { listFiles, listKeyring, listLoginRecords, removeItem, removeLeftovers } from '../cache/inventory.js';
import {
  type KubeloginKeyringResult,
  kubeloginKeyringService,
  removeKubeloginCache,
  removeKubeloginKeyringItems,
} from '../cache/kubelogin-cache.js';
import { holderKeepsLock, loginRecordSummary } from '../core/login-coordination.js';
import type { CachedItem, Logger } from '../core/ports.js';
import {
  audienceRow,
  isExchangedToken,
  matchesFilter,
  type PendingLoginRow,
  renderStatus,
  statusRow,
} from '../core/status-view.js';
import { observeProcess } from '../platform/process-start.js';

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
  const now = Date.now();
  // Login records hold no token, whatever the storage: the disk's records belong to every storage's entries.
  const records = new Map(
    listLoginRecords(options.tokenCacheDir, options.logger)
      .map((item) => [item.key, { ...item, summary: loginRecordSummary(item.record, now) }] as const)
      .filter(([, item]) => item.summary.length > 0),
  );
  const items = await inventory(options);
  // Tokens exchanged for clusters' audiences are shown under the login they came from, not as identities.
  const exchanged = items.filter(isExchangedToken);
  const exchangedFrom = (login: CachedItem) =>
    exchanged
      .filter((item) => item.storage === login.storage && item.entry?.loginKey === login.key)
      .map((item) => audienceRow(item, now))
      // By name, not by the order of the files (hashes): status reads the same from one run to the next.
      .sort((x, y) => (x.audience < y.audience ? -1 : x.audience > y.audience ? 1 : 0));
  const logins = items.filter((item) => !isExchangedToken(item));
  const loginKeys = new Set(logins.map((item) => `${item.storage} ${item.key}`));
  const rows = [
    ...logins.map((item) => statusRow(item, now, records.get(item.key)?.summary, exchangedFrom(item))),
    ...exchanged
      .filter((item) => !loginKeys.has(`${item.storage} ${item.entry?.loginKey}`))
      .map((item) => statusRow(item, now)),
  ];
  const cached = new Set(items.map((item) => item.key));
  const pending: PendingLoginRow[] = [...records.values()]
    .filter((item) => !cached.has(item.key))
    .map((item) => ({
      issuer: item.record.identity?.issuer ?? null,
      clientId: item.record.identity?.clientId ?? null,
      login: item.summary,
      location: item.location,
    }));
  return options.output === 'json'
    ? `${JSON.stringify({ identities: rows, logins: pending }, null, 2)}\n`
    : renderStatus(rows, now, pending);
}

/**
 * `clean --kubelogin-cache`: int128/kubelogin's and together-kubelogin's token cache files in the cache directory,
 * and int128's keyring items (service `kubelogin`; src/cache/kubelogin-cache.ts), instead of this plugin's entries,
 * which stay. As for status, --token-cache-storage chooses: disk (files), keyring (items), all (both). int128 keeps
 * its tokens on disk by default, so under `all` an unreachable keyring is a note, not a failure.
 */
export async function runCleanKubeloginCache(
  options: Pick<CacheCommandOptions, 'tokenCacheDir' | 'storage'>,
): Promise<string> {
  const files = options.storage === 'keyring' ? [] : removeKubeloginCache(options.tokenCacheDir);
  const lines = files.map((name) => `removed int128/kubelogin file: ${join(options.tokenCacheDir, name)}`);
  const keyring = await cleanKubeloginKeyring(options.storage);
  const items = keyring.searched ? keyring.removed : [];
  lines.push(
    ...items.map((account) => `removed int128/kubelogin keyring item: ${kubeloginKeyringService}/${account}`),
  );
  const counts = [
    ...(options.storage === 'keyring'
      ? []
      : [`${files.length} int128/kubelogin file(s) in ${options.tokenCacheDir}`]),
    ...(keyring.searched
      ? [`${items.length} int128/kubelogin keyring item(s) (service ${kubeloginKeyringService})`]
      : []),
  ];
  lines.push(
    files.length + items.length === 0
      ? `Nothing removed${counts.length > 0 ? `: ${counts.join(' and ')}` : ''}.`
      : `Removed ${counts.join(' and ')}; this plugin's entries are untouched.`,
  );
  if (!keyring.searched && keyring.reason !== undefined) lines.push(`Note: ${keyring.reason}.`);
  return `${lines.join('\n')}\n`;
}

/**
 * int128's keyring items, when the chosen storage includes the keyring. With `all`, a keyring that cannot be opened
 * is a note, not a failure: the files were still cleaned.
 */
async function cleanKubeloginKeyring(
  storage: CacheCommandOptions['storage'],
): Promise<KubeloginKeyringResult | { readonly searched: false; readonly reason?: undefined }> {
  if (storage !== 'all' && storage !== 'keyring') return { searched: false };
  try {
    return await removeKubeloginKeyringItems(process.platform);
  } catch (error) {
    if (storage === 'keyring' || !isAppError(error)) throw error;
    return { searched: false, reason: `the keyring was not searched (${error.message})` };
  }
}

export async function runClean(
  options: CacheCommandOptions & { issuer?: string; clientId?: string },
): Promise<string> {
  const filtered = options.issuer !== undefined || options.clientId !== undefined;
  const chosen = (await inventory(options)).filter((item) => matchesFilter(item, options));
  for (const item of chosen) await removeItem(item);
  const records = cleanLoginRecords(options, new Set(chosen.map((item) => item.key)));
  // Leftovers of killed processes carry no identity: removed only by an unfiltered clean of the disk storages.
  const leftovers =
    filtered || options.storage === 'keyring'
      ? []
      : removeLeftovers(options.tokenCacheDir, 60_000, Date.now(), records.kept);
  const lines = chosen.map(
    (item) =>
      `removed ${item.storage} entry: ${identityText(item.issuer, item.clientId)}${isExchangedToken(item) ? ` (token exchanged for audience ${item.entry?.audience})` : ''}`,
  );
  const identities = chosen.filter((item) => !isExchangedToken(item)).length;
  const exchangedTokens = chosen.length - identities;
  lines.push(...records.lines);
  if (leftovers.length > 0) lines.push(`removed ${leftovers.length} leftover temporary or lock file(s)`);
  const removed = [
    ...(identities > 0 ? [`${identities} cached identit${identities === 1 ? 'y' : 'ies'}`] : []),
    ...(exchangedTokens > 0 ? [`${exchangedTokens} exchanged token${exchangedTokens === 1 ? '' : 's'}`] : []),
    ...(records.removed > 0
      ? [
          `${records.removed} login record${records.removed === 1 ? '' : 's'} (the next run starts a new login)`,
        ]
      : []),
  ];
  lines.push(
    removed.length === 0 ? 'Nothing cached matched; nothing removed.' : `Removed ${removed.join(' and ')}.`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * The login records (a failed login that later runs replay, a device code they show again) of the identities clean
 * was asked to remove: after clean, the next run starts over. A record of a login still running is kept: its
 * process and the ones waiting for it read it.
 */
function cleanLoginRecords(
  options: CacheCommandOptions & { issuer?: string; clientId?: string },
  removedKeys: ReadonlySet<string>,
): { lines: string[]; removed: number; kept: Set<string> } {
  const filtered = options.issuer !== undefined || options.clientId !== undefined;
  const now = Date.now();
  const here = { host: hostname(), now, observe: observeProcess };
  const result = { lines: [] as string[], removed: 0, kept: new Set<string>() };
  for (const { key, location, record } of listLoginRecords(options.tokenCacheDir, options.logger)) {
    // Records written before they named their identity are matched through the entries removed with them.
    const matches = record.identity
      ? matchesFilter(record.identity, options)
      : !filtered || removedKeys.has(key);
    if (!matches) continue;
    const who = identityText(record.identity?.issuer, record.identity?.clientId);
    const what = loginRecordSummary(record, now).join('; ') || 'nothing current';
    if (holderKeepsLock(record.holder, here)) {
      result.kept.add(location);
      result.lines.push(`kept login record: ${who} (${what})`);
      continue;
    }
    rmSync(location, { force: true });
    result.removed += 1;
    result.lines.push(`removed login record: ${who} (${what})`);
  }
  return result;
}

function identityText(issuer: string | undefined, clientId: string | undefined): string {
  return `${issuer ?? '(unknown issuer)'} / ${clientId ?? '(unknown client)'}`;
}
