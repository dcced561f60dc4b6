/**
 * The provider's discovery document and signing keys, kept beside the token cache so that a refresh is one round
 * trip to the token endpoint instead of three (discovery, token, JWKS). Not secret; written 0600 like everything in
 * the directory. File: `together-login-v1-provider-<token cache key>.json`: the document is bound to everything the
 * key holds (issuer, CA material, --insecure-skip-tls-verify, request headers …), so a run that trusted more (an
 * extra CA, which a man in the middle may hold) never writes what a run that checks more reads, and steers no
 * refresh token elsewhere. Runs with --insecure-skip-tls-verify neither read nor write it (src/app/authenticator.ts).
 */
import { join } from 'node:path';
import { cacheFilePrefix, keyVersion } from '../core/cache-key.js';
import type { Logger } from '../core/ports.js';
import { readPrivateFile, writePrivateFile } from './disk-store.js';

export const providerMetadataFormat = 'together-login/provider-metadata/v1';
/** How long a cached discovery document is used for refreshes before it is fetched again. */
export const providerMetadataTtlMs = 3_600_000;

export interface CachedProviderMetadata {
  readonly fetchedAt: number;
  /** The discovery document as the provider served it. */
  readonly metadata: Record<string, unknown> & { issuer: string };
  /** openid-client's exported JWKS cache ({ jwks, uat }), when keys were fetched. */
  readonly jwks: { jwks: { keys: unknown[] }; uat: number } | undefined;
}

export interface ProviderMetadataStore {
  /** The cached document if it is younger than the TTL, else undefined. */
  read(now: number): CachedProviderMetadata | undefined;
  write(value: CachedProviderMetadata): void;
}

export function providerMetadataFileName(cacheKey: string): string {
  return `${cacheFilePrefix}-v${keyVersion}-provider-${cacheKey}.json`;
}

export function createProviderMetadataStore(
  dir: string,
  issuer: string,
  cacheKey: string,
  logger: Logger,
): ProviderMetadataStore {
  const path = join(dir, providerMetadataFileName(cacheKey));
  const quiet: Logger = { ...logger, warn: (message) => logger.debug(1, message) };
  return {
    read(now) {
      let text: string | undefined;
      try {
        text = readPrivateFile(path, quiet);
      } catch (error) {
        // Not ours to trust (./trust.ts): discover afresh rather than send a refresh token where it points.
        logger.debug(1, `not using the cached discovery document: ${(error as Error).message}`);
        return undefined;
      }
      if (text === undefined) return undefined;
      try {
        const doc = JSON.parse(text) as {
          format?: unknown;
          issuer?: unknown;
          key?: unknown;
        } & Partial<CachedProviderMetadata>;
        const fresh =
          typeof doc.fetchedAt === 'number' &&
          now - doc.fetchedAt < providerMetadataTtlMs &&
          doc.fetchedAt <= now;
        if (
          doc.format !== providerMetadataFormat ||
          doc.issuer !== issuer ||
          // A file copied or renamed from another key's name was fetched under another trust.
          doc.key !== cacheKey ||
          !fresh ||
          doc.metadata?.issuer !== issuer
        ) {
          return undefined;
        }
        return { fetchedAt: doc.fetchedAt as number, metadata: doc.metadata, jwks: doc.jwks };
      } catch {
        return undefined;
      }
    },
    write(value) {
      try {
        writePrivateFile(
          dir,
          path,
          `${JSON.stringify({ format: providerMetadataFormat, issuer, key: cacheKey, ...value })}\n`,
        );
      } catch (error) {
        // Only an optimisation: the next refresh discovers again.
        logger.debug(1, `could not cache the discovery document: ${(error as Error).message}`);
      }
    },
  };
}
