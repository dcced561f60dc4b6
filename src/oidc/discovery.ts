/**
 * Where the provider's configuration comes from: its discovery document (the issuer checked as kube-apiserver checks
 * it), or the copy cached with its keys (src/cache/provider-metadata-store.ts) for one-round-trip refreshes; and
 * what of it to cache. ID tokens are always checked against the provider's JWKS (openid-client's non-repudiation
 * checks).
 */
import * as client from 'openid-client';
import { cutForMessage, rememberSecrets } from '../app-error.js';
import type { CachedProviderMetadata } from '../cache/provider-metadata-store.js';
import { type ClientAuthState, clientAuthentication, newClientAuthState } from './client-auth.js';
import { issuerMismatch } from './issuer-mismatch.js';
import type { ConfiguredProvider, OidcClientOptions } from './provider.js';
import { type FetchTweaks, noFetchTweaks, providerFetch } from './provider-fetch.js';
import { toAppError } from './translate-error.js';

export async function discoverProvider(options: OidcClientOptions): Promise<ConfiguredProvider> {
  const tweaks = noFetchTweaks();
  const authState = newClientAuthState(options.clientSecret, options.clientSecretIfAsked);
  options.logger.debug(1, `discovering the identity provider at ${cutForMessage(options.issuerUrl)}`);
  try {
    const config = await client.discovery(
      new URL(options.issuerUrl),
      options.clientId,
      undefined,
      clientAuthentication(authState),
      {
        execute: securityOptions(options),
        [client.customFetch]: providerFetch(options, tweaks),
        timeout: options.timeoutSec,
      },
    );
    // openid-client compares issuers as URLs (`https://idp` and `https://idp/` pass); kube-apiserver does not.
    const discovered = config.serverMetadata().issuer;
    if (discovered !== options.issuerUrl) throw issuerMismatch(discovered, options.issuerUrl);
    return configuredProvider(config, options, tweaks, Date.now(), authState);
  } catch (error) {
    // openid-client's own issuer check (it fires first for issuers with a path): the same message as ours.
    const refused = refusedIssuer(error);
    throw refused === undefined
      ? toAppError(error, 'discovery', options.issuerUrl)
      : issuerMismatch(refused, options.issuerUrl);
  }
}

/** From a cached discovery document and JWKS: no request at all. */
export function cachedProvider(
  options: OidcClientOptions,
  cached: CachedProviderMetadata,
): ConfiguredProvider {
  const tweaks = noFetchTweaks();
  const authState = newClientAuthState(options.clientSecret, options.clientSecretIfAsked);
  const config = new client.Configuration(
    cached.metadata as client.ServerMetadata,
    options.clientId,
    undefined,
    clientAuthentication(authState),
  );
  for (const apply of securityOptions(options)) apply(config);
  config[client.customFetch] = providerFetch(options, tweaks);
  config.timeout = options.timeoutSec;
  if (cached.jwks) client.setJwksCache(config, cached.jwks as client.ExportedJWKSCache);
  options.logger.debug(1, `using the cached discovery document of ${options.issuerUrl}`);
  return configuredProvider(config, options, tweaks, cached.fetchedAt, authState);
}

/** What to cache for the next refresh: the document as discovered (with its age) and the keys fetched so far. */
export function providerSnapshot(provider: ConfiguredProvider): CachedProviderMetadata {
  const jwks = client.getJwksCache(provider.config);
  return {
    fetchedAt: provider.fetchedAt,
    metadata: provider.config.serverMetadata() as CachedProviderMetadata['metadata'],
    // openid-client refetches the keys when a token names an unknown kid, but only if its copy is at least 60 s
    // old. Saved as at least that old, a cached copy never blocks following a key rotation; keys are still
    // refetched when 5 minutes old, as openid-client does.
    jwks: jwks && { ...jwks, uat: Math.min(jwks.uat, Math.floor(Date.now() / 1000) - 60) },
  };
}

function configuredProvider(
  config: client.Configuration,
  options: OidcClientOptions,
  tweaks: FetchTweaks,
  fetchedAt: number,
  authState: ClientAuthState,
): ConfiguredProvider {
  rememberSecrets(options.clientSecret, options.clientSecretIfAsked);
  const deviceEndpoint = config.serverMetadata().device_authorization_endpoint;
  tweaks.deviceAuthorizationEndpoint = deviceEndpoint ? new URL(deviceEndpoint).href : undefined;
  return { config, options, tweaks, fetchedAt, authState };
}

/** The issuer of a discovery document openid-client refused because it differs from the one asked for. */
function refusedIssuer(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    const cause = current.cause as { attribute?: unknown; body?: { issuer?: unknown } } | undefined;
    if (current.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' && cause?.attribute === 'issuer') {
      return typeof cause.body?.issuer === 'string' ? cause.body.issuer : undefined;
    }
    current = current.cause as typeof current;
  }
  return undefined;
}

/** Signature checks of ID tokens always; plain http only when the issuer is http (with a warning off loopback). */
function securityOptions(options: OidcClientOptions): ((config: client.Configuration) => void)[] {
  const execute = [client.enableNonRepudiationChecks];
  const issuer = new URL(options.issuerUrl);
  if (issuer.protocol === 'http:') {
    if (!['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname)) {
      options.logger.warn(
        `the issuer ${cutForMessage(options.issuerUrl)} uses plain http; tokens travel unencrypted`,
      );
    }
    execute.push(client.allowInsecureRequests);
  }
  return execute;
}
