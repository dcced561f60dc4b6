/**
 * The get-token use case: cached token if fresh, else refresh, else log in; all under a per-key lock so that
 * parallel kubectl calls share one login and refresh-token rotation never races.
 */

import { AppError, isAppError } from '../app-error.js';
import { ExitCode } from '../error-codes.js';
import { type CacheEntry, entryHead } from './cache-entry.js';
import { freshCredential, type IssuedCredential } from './freshness.js';
import { readJwtClaims } from './jwt-claims.js';
import {
  type Authenticator,
  type Clock,
  isRefreshRejected,
  type KeyLock,
  type LockLease,
  type Logger,
  type TokenSet,
  type TokenStore,
} from './ports.js';

export interface GetTokenRequest {
  /** The cache key: an entry is served only to the key it was written under. */
  readonly key: string;
  /** How tokens are obtained for this key (user login, password, client credentials, CI token), for status. */
  readonly grant?: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly useAccessToken: boolean;
  readonly forceRefresh: boolean;
  readonly marginMs: number;
}

export interface GetTokenDeps {
  readonly store: TokenStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Loads the heavy parts (lock, OIDC client, flows) only when the cache cannot answer. */
  openSession(): Promise<{ lock: KeyLock; authenticator: Authenticator }>;
}

export async function getToken(request: GetTokenRequest, deps: GetTokenDeps): Promise<IssuedCredential> {
  const fresh = (entry: CacheEntry | undefined) =>
    freshCredential(entry, {
      useAccessToken: request.useAccessToken,
      marginMs: request.marginMs,
      now: deps.clock.now(),
    });

  // An entry recorded for another key is not ours, whatever file name it sits under (a swapped or copied file):
  // never serve its token, nor send its refresh token to our provider. One string comparison on the hit path.
  const read = async () => {
    const entry = await deps.store.read();
    if (!entry) return entry;
    if (entry.issuer !== request.issuer || entry.clientId !== request.clientId) {
      deps.logger.warn(
        `ignoring the cached entry: it was recorded for issuer ${JSON.stringify(entry.issuer)} and client ${JSON.stringify(entry.clientId)}, not this one`,
      );
      return undefined;
    }
    if (entry.key === request.key) return entry;
    if (entry.key === undefined) {
      deps.logger.debug(1, 'ignoring the cached entry: an older version wrote it without its cache key');
    } else {
      deps.logger.warn(
        'ignoring the cached entry: it was written for other settings (user name, cache hint, scopes, CA, headers …) and copied or renamed to this file',
      );
    }
    return undefined;
  };

  if (!request.forceRefresh) {
    const hit = fresh(await read());
    if (hit) {
      deps.logger.debug(1, 'using the cached token');
      return hit;
    }
  }

  const { lock, authenticator } = await deps.openSession();
  return lock.withLock(async (lease) => {
    // Another process may have logged in or refreshed while we waited for the lock.
    const entry = await read();
    if (!request.forceRefresh) {
      const hit = fresh(entry);
      if (hit) {
        deps.logger.debug(1, 'another process refreshed the token; using it');
        return hit;
      }
    }
    let tokens = await tryRefresh(entry, authenticator, request, deps);
    if (!tokens) {
      const theirs = await tokenOfNewHolder(lease, read, deps, fresh);
      if (theirs) return theirs;
      tokens = await authenticator.login();
      warnIfAnotherSubject(entry, tokens, deps);
    }
    const next = toEntry(request, tokens, deps.clock.now(), deps);
    const credential = fresh(next);
    if (!credential) throw unusableTokens(request, tokens);
    // A holder that lost its lock meanwhile keeps what the new holder wrote rather than writing a second token.
    const theirs = await tokenOfNewHolder(lease, read, deps, fresh);
    if (theirs) return theirs;
    // The old refresh token was used (rotated away, or refused): an entry still holding it must not outlive a
    // failed write.
    await save(next, deps, entry?.refreshToken !== undefined && entry.refreshToken !== next.refreshToken);
    return credential;
  });
}

/**
 * When this process lost its lock (it was stopped, and another took over), what that other process cached is the
 * answer: re-read instead of logging in or writing over it.
 */
async function tokenOfNewHolder(
  lease: LockLease,
  /** The store's read with the issuer and client check of getToken. */
  read: () => Promise<CacheEntry | undefined>,
  deps: GetTokenDeps,
  fresh: (entry: CacheEntry | undefined) => IssuedCredential | undefined,
): Promise<IssuedCredential | undefined> {
  if (!lease.lost()) return undefined;
  const hit = fresh(await read());
  if (hit) deps.logger.info('Another process logged in while this one was stopped; using its token.');
  return hit;
}

async function tryRefresh(
  entry: CacheEntry | undefined,
  authenticator: Authenticator,
  request: GetTokenRequest,
  deps: GetTokenDeps,
): Promise<TokenSet | undefined> {
  if (!entry?.refreshToken) return undefined;
  deps.logger.debug(1, 'the cached token has expired; refreshing it');
  let tokens: TokenSet;
  try {
    tokens = await authenticator.refresh(entry.refreshToken);
  } catch (error) {
    if (!isRefreshRejected(error)) throw error;
    // One line with the provider's own words: "invalid_grant", or what a provider whose session ended sends instead.
    deps.logger.info(`The identity provider refused the refresh token (${error.message}); logging in again.`);
    // The refresh token is dead: forget it now, so that a failed login does not make the next call retry it.
    await save({ ...entry, refreshToken: undefined }, deps, true);
    return undefined;
  }
  const merged: TokenSet = { ...tokens, refreshToken: tokens.refreshToken ?? entry.refreshToken };
  const wanted = request.useAccessToken ? merged.accessToken : merged.idToken;
  if (!wanted) {
    // Some providers (Entra ID) answer a refresh without an id_token. Logging in again gives one.
    deps.logger.info(
      `The identity provider refreshed without ${request.useAccessToken ? 'an access token' : 'an ID token'}; logging in again.`,
    );
    return undefined;
  }
  requireSameSubject(entry, merged);
  deps.logger.debug(1, 'refreshed the token');
  return merged;
}

/**
 * A new login for another subject than the entry it replaces: legitimate (the user chose another account at the
 * provider) or not (another local user completed the login in their browser: login CSRF). Either way the user
 * should know whose identity kubectl now uses. One line, the subjects only.
 */
function warnIfAnotherSubject(entry: CacheEntry | undefined, tokens: TokenSet, deps: GetTokenDeps): void {
  const before = readJwtClaims(entry?.idToken)?.sub;
  const after = readJwtClaims(tokens.idToken)?.sub;
  if (typeof before !== 'string' || typeof after !== 'string' || before === after) return;
  deps.logger.warn(
    `this login is for another identity than the cached one it replaces: subject ${subjectText(after)}, was ${subjectText(before)}; if you did not choose another account, run \`kubectl together-login clean\` and log in again`,
  );
}

/** A subject for one line of stderr: quoted (escapes control characters) and cut. */
function subjectText(sub: string): string {
  return JSON.stringify(sub.length > 80 ? `${sub.slice(0, 79)}…` : sub);
}

/**
 * OpenID Connect Core §12.2: a refreshed ID token must have the `iss` and `sub` of the one it replaces. A provider
 * that answers for someone else is refused; the cached entry stays as it was.
 */
function requireSameSubject(entry: CacheEntry, tokens: TokenSet): void {
  const before = readJwtClaims(entry.idToken);
  const after = readJwtClaims(tokens.idToken);
  if (!before || !after) return;
  for (const claim of ['iss', 'sub'] as const) {
    if (before[claim] === after[claim]) continue;
    throw new AppError(
      'provider.subject-changed',
      `the identity provider refreshed the session with an ID token whose ${claim} is ${JSON.stringify(after[claim])}, not ${JSON.stringify(before[claim])}`,
      {
        hint: 'a refresh must keep the identity (OpenID Connect Core 12.2); tell the identity provider administrator. To log in as someone else, run `kubectl together-login clean` first',
      },
    );
  }
}

/**
 * Writes the entry. A failed write (a full disk, a read-only directory) does not fail the call: the tokens are valid
 * and kubectl gets them, with a warning. When the entry on disk holds a refresh token the provider has made useless,
 * it is removed (which needs no space), so that the next call logs in instead of failing on it.
 */
async function save(entry: CacheEntry, deps: GetTokenDeps, cachedRefreshTokenDead: boolean): Promise<void> {
  try {
    await deps.store.write(entry);
  } catch (error) {
    if (!isAppError(error) || error.exitCode !== ExitCode.cache) throw error;
    let removed = false;
    if (cachedRefreshTokenDead) {
      try {
        await deps.store.discard?.();
        removed = deps.store.discard !== undefined;
      } catch (discardError) {
        deps.logger.debug(1, `could not remove the stale entry either: ${(discardError as Error).message}`);
      }
    }
    deps.logger.warn(
      `the token was not cached (${error.message})${removed ? '; the previous entry, whose refresh token is no longer valid, was removed' : ''}: the next call will refresh or log in again`,
    );
  }
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

function unusableTokens(request: GetTokenRequest, tokens: TokenSet): AppError {
  if (request.useAccessToken ? !tokens.accessToken : !tokens.idToken) {
    const what = request.useAccessToken ? 'an access token' : 'an ID token';
    return new AppError('provider.no-token', `the identity provider answered without ${what}`, {
      hint: request.useAccessToken
        ? 'check the client configuration at the identity provider'
        : 'make sure the client may use the openid scope, or pass --oidc-use-access-token',
    });
  }
  return new AppError(
    'provider.token-expired',
    'the identity provider issued a token that is already expired',
    {
      hint: "check this machine's clock, and the token lifetime configured at the provider",
    },
  );
}

/** The cache entry of freshly obtained tokens, as get-token writes it (setup caches its login with it too). */
export function toEntry(
  request: GetTokenRequest,
  tokens: TokenSet,
  now: number,
  deps: Pick<GetTokenDeps, 'logger'>,
): CacheEntry {
  return {
    ...entryHead(request),
    obtainedAt: now,
    idToken: tokens.idToken,
    idTokenExpiresAt: clampExpiry(tokens.idTokenExpiresAt, now, 'ID token', deps.logger),
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: clampExpiry(tokens.accessTokenExpiresAt, now, 'access token', deps.logger),
    refreshToken: tokens.refreshToken,
    grant: request.grant,
  };
}
