/**
 * The provider's discovery document and signing keys, kept beside the token cache so that a refresh is one round
 * trip to the token endpoint instead of three (discovery, token, JWKS). Not secret; written 0600 like everything in
 * the directory. File: `together-login-v1-provider-<sha256 of the issuer URL>.json`.
 */
import { join } from 'node:path';
import type { Logger } from '../core/ports.js';
import { readPrivateFile, writePrivateFile } from './disk-store.js';
import { cacheFilePrefix, keyVersion } from './key.js';
import { sha256Hex } from './sha256.js';

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

export function providerMetadataFileName(issuer: string): string {
  return `${cacheFilePrefix}-v${keyVersion}-provider-${sha256Hex(issuer)}.json`;
}

export function createProviderMetadataStore(
  dir: string,
  issuer: string,
  logger: Logger,
): ProviderMetadataStore {
  const path = join(dir, providerMetadataFileName(issuer));
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
        } & Partial<CachedProviderMetadata>;
        const fresh =
          typeof doc.fetchedAt === 'number' &&
          now - doc.fetchedAt < providerMetadataTtlMs &&
          doc.fetchedAt <= now;
        if (
          doc.format !== providerMetadataFormat ||
          doc.issuer !== issuer ||
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
          `${JSON.stringify({ format: providerMetadataFormat, issuer, ...value })}\n`,
        );
      } catch (error) {
        // Only an optimisation: the next refresh discovers again.
        logger.debug(1, `could not cache the discovery document: ${(error as Error).message}`);
      }
    },
  };
}
