/**
 * The provider as the rest of the plugin sees it: one object per issuer and client, whose methods are the steps of a
 * login or refresh, each returning validated tokens. Only src/oidc/ knows openid-client; each step lives in a module
 * of its own: discovery.ts (or the cached document), authorization-request.ts (browser), device-authorization.ts,
 * token-grants.ts (password, client credentials, refresh), token-exchange.ts (RFC 8693), with provider-fetch.ts under every request and
 * token-response.ts over every answer.
 */
import type { CachedProviderMetadata } from '../cache/provider-metadata-store.js';
import type { SavedDeviceCode } from '../core/login-coordination.js';
import type { ExchangedToken, TokenSet } from '../core/ports.js';
import type { TokenExchangeSettings } from '../core/token-exchange-settings.js';
import {
  type AuthorizationOptions,
  type AuthorizationRequest,
  startAuthorization,
} from './authorization-request.js';
import {
  type DeviceAuthorization,
  resumeDeviceAuthorization,
  startDeviceAuthorization,
} from './device-authorization.js';
import { cachedProvider, discoverProvider, providerSnapshot } from './discovery.js';
import { advertisesPkceS256 } from './pkce.js';
import type { ConfiguredProvider, OidcClientOptions } from './provider.js';
import { tokenExchange } from './token-exchange.js';
import { clientCredentialsGrant, passwordGrant, refreshGrant } from './token-grants.js';

export type { AuthorizationOptions, AuthorizationRequest } from './authorization-request.js';
export type { DeviceAuthorization } from './device-authorization.js';
export type { OidcClientOptions } from './provider.js';

export class OidcClient {
  private constructor(private readonly provider: ConfiguredProvider) {}

  static async discover(options: OidcClientOptions): Promise<OidcClient> {
    return new OidcClient(await discoverProvider(options));
  }

  /** From a cached discovery document and JWKS (src/cache/provider-metadata-store.ts): no request at all. */
  static fromCache(options: OidcClientOptions, cached: CachedProviderMetadata): OidcClient {
    return new OidcClient(cachedProvider(options, cached));
  }

  /** What to cache for the next refresh: the document as discovered (with its age) and the keys fetched so far. */
  snapshot(): CachedProviderMetadata {
    return providerSnapshot(this.provider);
  }

  get issuer(): string {
    return this.provider.config.serverMetadata().issuer;
  }

  supportsDeviceCode(): boolean {
    return Boolean(this.provider.config.serverMetadata().device_authorization_endpoint);
  }

  /** Whether the provider puts `iss` into authorization responses (RFC 9207), which openid-client then requires. */
  sendsIssuerInAuthorizationResponse(): boolean {
    return this.provider.config.serverMetadata().authorization_response_iss_parameter_supported === true;
  }

  /** Whether requests now carry a client secret (given, or held back and asked for: ./client-auth.ts). */
  sendsClientSecret(): boolean {
    return this.provider.authState.secret !== undefined;
  }

  supportsPkceS256(): boolean {
    return advertisesPkceS256(this.provider.config);
  }

  startAuthorization(options: AuthorizationOptions): Promise<AuthorizationRequest> {
    return startAuthorization(this.provider, options);
  }

  startDeviceAuthorization(
    extraParams: Readonly<Record<string, string>>,
    pkce: AuthorizationOptions['pkce'] = 'auto',
  ): Promise<DeviceAuthorization> {
    return startDeviceAuthorization(this.provider, extraParams, pkce);
  }

  /** Polls the device code of an earlier run again (it is still valid: the caller checked). */
  resumeDeviceAuthorization(saved: SavedDeviceCode): DeviceAuthorization {
    return resumeDeviceAuthorization(this.provider, saved);
  }

  passwordGrant(username: string, password: string): Promise<TokenSet> {
    return passwordGrant(this.provider, username, password);
  }

  clientCredentials(extraParams: Readonly<Record<string, string>>): Promise<TokenSet> {
    return clientCredentialsGrant(this.provider, extraParams);
  }

  refresh(refreshToken: string): Promise<TokenSet> {
    return refreshGrant(this.provider, refreshToken);
  }

  /** RFC 8693: the login's token for one whose aud is the settings' audience, checked (./token-exchange.ts). */
  exchange(
    subjectToken: string,
    subjectIsAccessToken: boolean,
    settings: TokenExchangeSettings,
  ): Promise<ExchangedToken> {
    return tokenExchange(this.provider, subjectToken, subjectIsAccessToken, settings);
  }
}
