/**
 * RFC 8693 token exchange: the login's token is exchanged at the provider for a token whose `aud` is one
 * cluster's audience, so a token one cluster sees is useless at another. What the settings mean, and the use case
 * that hands kubectl the exchanged token: from its own cache entry when fresh, else exchanged again from the login's
 * token (which get-token refreshes, or logs in for, first). Never the login's own token: an exchange that fails ends
 * the call.
 */

import { AppError, isAppError } from '../app-error.js';
import { ExitCode } from '../error-codes.js';
import { type CacheEntry, entryHead } from './cache-entry.js';
import { cacheReader } from './cached-token.js';
import { clampExpiry, type IssuedCredential } from './freshness.js';
import type { Clock, ExchangedToken, Logger, TokenExchanger, TokenStore } from './ports.js';
import type { TokenExchangeSettings } from './token-exchange-settings.js';

export interface ExchangeRequest {
  /** The exchanged entry's own cache key (./cache-key.ts exchangeCacheKey): the login's key and the audience. */
  readonly key: string;
  /** The login's cache key, recorded in the entry so that status and clean find the audiences of a login. */
  readonly loginKey: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly exchange: TokenExchangeSettings;
  /** Whether the login's token handed over is its access token (--oidc-use-access-token) or its ID token. */
  readonly subjectIsAccessToken: boolean;
  readonly forceRefresh: boolean;
  readonly marginMs: number;
}

export interface ExchangeDeps {
  /** The exchanged token's entry (beside the login's). */
  readonly store: TokenStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The login's token as get-token gives it: cached, refreshed or from a new login. */
  loginToken(): Promise<IssuedCredential>;
  openExchanger(): Promise<TokenExchanger>;
}

export async function getExchangedToken(
  request: ExchangeRequest,
  deps: ExchangeDeps,
): Promise<IssuedCredential> {
  // Served only to the key, issuer and client it was written for (a copied or renamed file is a miss), as a login's
  // entry is; the exchanged token is always the entry's ID token.
  const { read, readNow, fresh } = cacheReader({ ...request, useAccessToken: false }, deps);
  if (!request.forceRefresh) {
    // A store that reads without waiting (the disk store) is read so: no await on a hit (docs/performance.md).
    const hit = fresh(readNow ? readNow() : await read());
    if (hit) {
      deps.logger.debug(1, `using the cached token for audience ${request.exchange.audience}`);
      return hit;
    }
  }
  const subject = await deps.loginToken();
  const exchanger = await deps.openExchanger();
  deps.logger.debug(1, `exchanging the login's token for one with audience ${request.exchange.audience}`);
  const exchanged = await exchanger.exchange(subject.token, request.subjectIsAccessToken, request.exchange);
  const entry = exchangedEntry(request, exchanged, deps.clock.now(), deps.logger);
  const credential = fresh(entry);
  if (!credential)
    throw new AppError(
      'provider.token-expired',
      `the identity provider's exchanged token for audience ${request.exchange.audience} is already expired`,
      {
        hint: "check this machine's clock, and the lifetime of exchanged tokens configured at the provider",
      },
    );
  try {
    await deps.store.write(entry);
  } catch (error) {
    // The token is good: kubectl gets it, and the next call exchanges again.
    if (!isAppError(error) || error.exitCode !== ExitCode.cache) throw error;
    deps.logger.warn(`the exchanged token was not cached (${(error as Error).message})`);
  }
  return credential;
}

/** The cache entry of an exchanged token, as get-token writes it (setup caches its exchange with it too). */
export function exchangedEntry(
  request: Pick<ExchangeRequest, 'key' | 'loginKey' | 'issuer' | 'clientId' | 'exchange'>,
  exchanged: ExchangedToken,
  now: number,
  logger: Logger,
): CacheEntry {
  return {
    ...entryHead(request),
    loginKey: request.loginKey,
    audience: request.exchange.audience,
    obtainedAt: now,
    idToken: exchanged.token,
    idTokenExpiresAt: clampExpiry(exchanged.expiresAt, now, 'exchanged token', logger),
  };
}
