/**
 * Is a cached token good enough to hand to kubectl, and until when should kubectl trust it?
 *
 * A token is reused while more than the margin of its validity remains, and kubectl is told it expires when the
 * margin begins (ExecCredential `expirationTimestamp`), so kubectl re-runs us exactly when we would refresh anyway.
 * For tokens that live shorter than twice the margin, half of their lifetime is used as margin instead, so that a
 * short-lived token is still reused for a while rather than refreshed on every call.
 */
import type { CacheEntry } from './cache-entry.js';
import type { Logger } from './ports.js';

/** Used when the provider says nothing about an access token's lifetime (no expires_in, not a JWT). */
export const unknownLifetimeMs = 60_000;

export interface SelectedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export interface IssuedCredential {
  readonly token: string;
  /** Goes to ExecCredential status.expirationTimestamp: real expiry minus the margin. */
  readonly expirationTimestamp: number;
}

export function selectToken(entry: CacheEntry, useAccessToken: boolean): SelectedToken | undefined {
  const token = useAccessToken ? entry.accessToken : entry.idToken;
  if (!token) return undefined;
  const expiresAt = useAccessToken ? entry.accessTokenExpiresAt : entry.idTokenExpiresAt;
  return { token, expiresAt: expiresAt ?? entry.obtainedAt + unknownLifetimeMs };
}

/**
 * `value` rounded down to a whole multiple of `step`: Math.floor(value / step) * step, written without Math and exact
 * for finite values (a cache entry's times are checked when it is read): the standalone's JavaScriptCore builds the
 * Math object on first use, ~0.1 M instructions of a cache hit (docs/performance.md).
 */
export function floorToMultiple(value: number, step: number): number {
  const rest = value % step;
  return value - rest - (rest < 0 ? step : 0);
}

/** min(margin, floor(lifetime / 2)), lifetime at least 0. */
export function effectiveMarginMs(obtainedAt: number, expiresAt: number, marginMs: number): number {
  const lifetime = expiresAt > obtainedAt ? expiresAt - obtainedAt : 0;
  const wholeHalf = floorToMultiple(lifetime / 2, 1);
  return marginMs < wholeHalf ? marginMs : wholeHalf;
}

/** The credential to print, or undefined when the entry must be refreshed or replaced. */
export function freshCredential(
  entry: CacheEntry | undefined,
  options: { useAccessToken: boolean; marginMs: number; now: number },
): IssuedCredential | undefined {
  if (!entry) return undefined;
  const selected = selectToken(entry, options.useAccessToken);
  if (!selected) return undefined;
  const margin = effectiveMarginMs(entry.obtainedAt, selected.expiresAt, options.marginMs);
  const expirationTimestamp = selected.expiresAt - margin;
  return expirationTimestamp > options.now ? { token: selected.token, expirationTimestamp } : undefined;
}

/**
 * The longest a token is believed to live: a provider that says `exp` or `expires_in` is centuries away (or beyond
 * what a date can hold) is taken to mean "long", not trusted to the letter.
 */
export const maxTokenLifetimeMs = 366 * 24 * 3_600_000;

export function clampExpiry(
  expiresAt: number | undefined,
  now: number,
  what: string,
  logger: Logger,
): number | undefined {
  if (expiresAt === undefined || expiresAt <= now + maxTokenLifetimeMs) return expiresAt;
  logger.warn(
    `the identity provider says the ${what} is valid for ${Number.isFinite(expiresAt) ? `${Math.round((expiresAt - now) / 86_400_000)} days` : 'ever'}; treating it as valid for at most a year`,
  );
  return now + maxTokenLifetimeMs;
}
