/**
 * What `status` shows about a cached identity: who, for which provider and client, where it is kept, until when it
 * is valid, and whether a refresh token is held. Never a token. Pure: items and the time in, rows and text out.
 */

import { readJwtClaims } from './jwt-claims.js';
import type { CachedItem, Storage } from './ports.js';

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
  /** How the tokens were obtained (user, password, client-credentials, ci-token), null when the entry predates it. */
  readonly grant: string | null;
  /** The key's login record in words: a login in progress, a device code, a recent failure (none: []). */
  readonly login: readonly string[];
  readonly location: string;
  readonly problem: string | null;
  /** The tokens exchanged from this login for clusters' audiences (RFC 8693), each in its own entry. */
  readonly audiences: readonly AudienceRow[];
  /** Set on the entry of an exchanged token whose login is no longer cached: the audience it carries. */
  readonly audience: string | null;
}

export interface AudienceRow {
  readonly audience: string;
  readonly expires: string | null;
  readonly expired: boolean | null;
  readonly location: string;
}

/** Whether an item holds a token exchanged from a login (src/core/token-exchange.ts), not a login of its own. */
export function isExchangedToken(item: CachedItem): boolean {
  return item.entry?.audience !== undefined && item.entry.loginKey !== undefined;
}

/** An exchanged token as a line under its login. */
export function audienceRow(item: CachedItem, now: number): AudienceRow {
  const expiresAt = item.entry?.idTokenExpiresAt;
  return {
    audience: item.entry?.audience ?? '(unknown)',
    expires: expiresAt === undefined ? null : new Date(expiresAt).toISOString(),
    expired: expiresAt === undefined ? null : expiresAt <= now,
    location: item.location,
  };
}

/** A login record of a key with no cached entry (a first login under way, or one that failed): shown too. */
export interface PendingLoginRow {
  readonly issuer: string | null;
  readonly clientId: string | null;
  readonly login: readonly string[];
  readonly location: string;
}

/**
 * An entry get-token will never serve, because the key it records is not the one it is stored under
 * (get-token-use-case.ts reads it the same way): say so, or status shows a valid-looking login that a new login
 * will replace anyway.
 */
function neverServed(item: CachedItem): string | undefined {
  const entry = item.entry;
  if (!entry || entry.key === item.key) return undefined;
  return entry.key === undefined
    ? 'never served: an older version wrote it without its cache key (the next login replaces it)'
    : 'never served: it was written for other settings and copied or renamed to this name (`clean` removes it)';
}

export function statusRow(
  item: CachedItem,
  now: number,
  login: readonly string[] = [],
  audiences: readonly AudienceRow[] = [],
): StatusRow {
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
    grant: entry?.grant ?? null,
    login,
    location: item.location,
    problem: item.problem ?? neverServed(item) ?? null,
    audiences,
    audience: isExchangedToken(item) ? (entry?.audience ?? null) : null,
  };
}

export function renderStatus(
  rows: readonly StatusRow[],
  now: number,
  pending: readonly PendingLoginRow[] = [],
): string {
  if (rows.length === 0 && pending.length === 0) return 'No cached identities.\n';
  const identities = rows.map((row) => {
    const lines = [
      `${who(row)}  (${row.storage})`,
      `  issuer:   ${row.issuer ?? '(unknown)'}`,
      `  client:   ${row.clientId ?? '(unknown)'}`,
    ];
    if (row.subject && row.email) lines.push(`  subject:  ${row.subject}`);
    if (row.groups.length > 0) lines.push(`  groups:   ${summarise(row.groups)}`);
    if (row.expires)
      lines.push(`  expires:  ${row.expires} (${relativeExpiry(Date.parse(row.expires), now)})`);
    if (row.audience)
      lines.push(`  audience: ${row.audience} (an exchanged token; its login is no longer cached)`);
    else lines.push(`  refresh:  ${row.refreshToken ? 'yes' : 'no'}`);
    for (const exchanged of row.audiences) {
      const expiry = exchanged.expires
        ? relativeExpiry(Date.parse(exchanged.expires), now)
        : 'expiry unknown';
      lines.push(`  audience: ${exchanged.audience} (exchanged token, ${expiry})`);
    }
    for (const state of row.login) lines.push(`  login:    ${state}`);
    if (row.problem) lines.push(`  problem:  ${row.problem}`);
    lines.push(`  where:    ${row.location}`);
    return lines.join('\n');
  });
  const logins = pending.map((row) =>
    [
      `(no token yet)  ${row.issuer ?? '(unknown issuer)'} / ${row.clientId ?? '(unknown client)'}`,
      ...row.login.map((state) => `  login:    ${state}`),
      `  where:    ${row.location}`,
    ].join('\n'),
  );
  return [...identities, ...logins].join('\n\n').concat('\n');
}

/** Who an entry is for: the user of its token, else (tokens of a client, not a person) the client and the grant. */
function who(row: StatusRow): string {
  // A client's own tokens (client credentials) carry the client as their subject: named as a client, not a user.
  const user = row.email ?? (row.grant === 'client-credentials' ? null : row.subject);
  if (user) return user;
  const grant = row.grant ? grantNames[row.grant] : undefined;
  if (grant) return `${row.clientId ?? '(unknown client)'} (${grant})`;
  return row.clientId && row.expires ? `${row.clientId} (no user in its token)` : '(unknown)';
}

const grantNames: Readonly<Record<string, string>> = {
  user: 'user login',
  password: 'password grant',
  'client-credentials': 'client credentials',
  'ci-token': 'CI job token',
};

/** "in 9 min", "in 2 h", "expired 3 days ago": what a reader of the ISO time would work out. */
export function relativeExpiry(at: number, now: number): string {
  const span = (ms: number) => {
    const minutes = Math.round(ms / 60_000);
    if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
    if (minutes < 120) return `${minutes} min`;
    const hours = Math.round(ms / 3_600_000);
    return hours < 48 ? `${hours} h` : `${Math.round(ms / 86_400_000)} days`;
  };
  return at > now ? `in ${span(at - now)}` : `expired ${span(now - at)} ago`;
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
