/**
 * The get-token use case's miss: under the per-key lock, the token another process may have cached meanwhile, else a
 * refresh, else a login, and the entry written. Part of the login machinery's bundle (app/login-machinery.ts): a
 * cache hit (./cached-token.ts) never compiles it.
 */

import { AppError, isAppError } from '../app-error.js';
import { ExitCode } from '../error-codes.js';
import { type CacheEntry, entryHead } from './cache-entry.js';
import { cacheReader, type GetTokenDeps, type GetTokenRequest } from './cached-token.js';
import { clampExpiry, type IssuedCredential } from './freshness.js';
import { readJwtClaims } from './jwt-claims.js';
import { type Authenticator, isRefreshRejected, type LockLease, type TokenSet } from './ports.js';

/** What getToken does when the cache did not answer before the lock (or with --force-refresh). */
export async function renewToken(request: GetTokenRequest, deps: GetTokenDeps): Promise<IssuedCredential> {
  const { read, fresh } = cacheReader(request, deps);
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
