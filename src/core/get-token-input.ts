/**
 * What one get-token run is asked to do: the typed, validated settings that the flags of a kubeconfig's exec args
 * (and a cluster's settings) come down to. src/flags/parse-get-token.ts builds it; everything below the CLI reads it,
 * never argv.
 */
import type { CiTokenSource } from './ci-token.js';
import type { TokenExchangeSettings } from './token-exchange-settings.js';

export const grantTypes = [
  'auto',
  'authcode',
  'authcode-keyboard',
  'password',
  'device-code',
  'client-credentials',
  'ci-token',
] as const;
export type GrantType = (typeof grantTypes)[number];
export const pkceMethods = ['auto', 'no', 'S256'] as const;
export type PkceMethod = (typeof pkceMethods)[number];
export const cacheStorages = ['disk', 'keyring', 'encrypted', 'none'] as const;
export type CacheStorage = (typeof cacheStorages)[number];

export interface CiTokenOptions {
  readonly source: CiTokenSource | undefined;
  readonly audience: string | undefined;
}

/** Who we are at the provider and what we ask of it: the settings the login and the OIDC client share. */
export interface ProviderClientSettings {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  /**
   * OIDC_CLIENT_SECRET under an explicit PKCE S256 (without the flag): not sent at first, since public PKCE
   * clients refuse a secret, but sent once when the token endpoint answers that the client must authenticate
   * (Google's "Desktop app" clients use PKCE and still require their secret).
   */
  readonly clientSecretIfAsked: string | undefined;
  readonly extraScopes: readonly string[];
  /** --oidc-use-access-token: the access token goes to kubectl, so a JWT one is checked (oidc/access-token-check.ts). */
  readonly useAccessToken: boolean;
}

export interface GetTokenInput extends ProviderClientSettings {
  readonly redirectUrl: string | undefined;
  readonly redirectUrlHostname: string;
  readonly redirectUrlAuthcodeKeyboard: string | undefined;
  readonly authRequestExtraParams: Readonly<Record<string, string>>;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly pkceMethod: PkceMethod;
  readonly grantType: GrantType;
  readonly listenAddresses: readonly string[];
  readonly skipOpenBrowser: boolean;
  readonly skipQrCode: boolean;
  readonly browserCommand: string | undefined;
  readonly authenticationTimeoutSec: number;
  /**
   * Whether --authentication-timeout-sec was given: without it a device-code login waits for the whole lifetime of
   * its code, as int128/kubelogin does; with it, at most that long.
   */
  readonly authenticationTimeoutGiven: boolean;
  readonly localServerCert: string | undefined;
  readonly localServerKey: string | undefined;
  readonly openUrlAfterAuthentication: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly certificateAuthorityFiles: readonly string[];
  readonly certificateAuthorityData: readonly string[];
  /** Who gave the CA settings, for messages: a cluster's exec extension (provideClusterInfo); unset for the args. */
  readonly certificateAuthoritiesFrom?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tokenCacheDir: string;
  readonly tokenCacheStorage: CacheStorage;
  readonly forceRefresh: boolean;
  readonly cacheHint: string | undefined;
  readonly expiryMarginSec: number;
  readonly providerRequestTimeoutSec: number;
  readonly verbosity: number;
  /** --token-exchange-audience (or a cluster's token-exchange-audience) and its token type; unset: no exchange. */
  readonly tokenExchange: TokenExchangeSettings | undefined;
  /** --ci-token-source and --ci-token-audience (src/flags/ci-token-flags.ts). */
  readonly ciToken: CiTokenOptions;
}
