/**
 * What `status` shows about a cached identity: who, for which provider and client, where it is kept, until when it
 * is valid, and whether a refresh token is held. Never a token. Pure: items and the time in, rows and text out.
 */
import type { CachedItem, Storage } from '../cache/inventory.js';
import { readJwtClaims } from './jwt-claims.js';

export interface StatusRow {
  readonly storage: Storage;
  readonly issuer: string | null;
  readonly clientId: string | null;
  readonly subject: string | null;
  readonly email: string | null;
  readonly groups: readonly string[];
  /** ISO time the ID token (or else the access token) expires, null when unknown. */
  readonly expires: string | null;
  readonly expired: boolean | null;
  readonly refreshToken: boolean;
  readonly location: string;
  readonly problem: string | null;
}

export function statusRow(item: CachedItem, now: number): StatusRow {
  const entry = item.entry;
  const claims = readJwtClaims(entry?.idToken) ?? readJwtClaims(entry?.accessToken) ?? {};
  const expiresAt = entry?.idTokenExpiresAt ?? entry?.accessTokenExpiresAt;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    storage: item.storage,
    issuer: item.issuer ?? null,
    clientId: item.clientId ?? null,
    subject: text(claims.sub),
    email: text(claims.email),
    // Sorted: providers list groups in no particular order, and status should not change between logins.
    groups: Array.isArray(claims.groups)
      ? claims.groups.filter((group): group is string => typeof group === 'string').sort()
      : [],
    expires: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
    expired: expiresAt === undefined ? null : expiresAt <= now,
    refreshToken: Boolean(entry?.refreshToken),
    location: item.location,
    problem: item.problem ?? null,
  };
}

export function renderStatus(rows: readonly StatusRow[]): string {
  if (rows.length === 0) return 'No cached identities.\n';
  return rows
    .map((row) => {
      const who = row.email ?? row.subject ?? '(unknown)';
      const lines = [
        `${who}  (${row.storage})`,
        `  issuer:   ${row.issuer ?? '(unknown)'}`,
        `  client:   ${row.clientId ?? '(unknown)'}`,
      ];
      if (row.subject && row.email) lines.push(`  subject:  ${row.subject}`);
      if (row.groups.length > 0) lines.push(`  groups:   ${summarise(row.groups)}`);
      if (row.expires) lines.push(`  expires:  ${row.expires}${row.expired ? ' (expired)' : ''}`);
      lines.push(`  refresh:  ${row.refreshToken ? 'yes' : 'no'}`);
      if (row.problem) lines.push(`  problem:  ${row.problem}`);
      lines.push(`  where:    ${row.location}`);
      return lines.join('\n');
    })
    .join('\n\n')
    .concat('\n');
}

function summarise(groups: readonly string[]): string {
  return groups.length <= 8
    ? groups.join(', ')
    : `${groups.slice(0, 8).join(', ')} and ${groups.length - 8} more`;
}

/** Whether an item matches the issuer / client filters of `clean` (an absent filter matches everything). */
export function matchesFilter(
  item: Pick<CachedItem, 'issuer' | 'clientId'>,
  filter: { issuer?: string; clientId?: string },
): boolean {
  return (
    (filter.issuer === undefined || item.issuer === filter.issuer) &&
    (filter.clientId === undefined || item.clientId === filter.clientId)
  );
}
