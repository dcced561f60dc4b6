/**
 * The only module that knows openid-client: discovery, the authorization request, the code exchange and the
 * refresh, each returning validated tokens. ID tokens are checked on receipt: signature against the provider's JWKS
 * (openid-client's non-repudiation checks), iss, aud, exp, and nonce for logins.
 */
import * as client from 'openid-client';
import type { CachedProviderMetadata } from '../cache/provider-metadata-store.js';
import type { SavedDeviceCode } from '../core/login-attempt.js';
import type { Logger, TokenSet } from '../core/ports.js';
import { AppError, ExitCode, rememberSecrets } from '../errors.js';
import {
  type ClientAuthState,
  clientAuthentication,
  newClientAuthState,
  retryWithPost,
} from './client-auth.js';
import { type OidcStep, toAppError } from './errors.js';
import { issuerMismatch } from './issuer-mismatch.js';
import { capResponse } from './response-cap.js';
import type { Fetch } from './transport.js';

export interface OidcClientOptions {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly extraScopes: readonly string[];
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** A fetch for proxies and custom CAs (./transport.ts); Node's fetch when undefined. */
  readonly transport: Fetch | undefined;
  /** Each request to the provider is abandoned after this many seconds. */
  readonly timeoutSec: number;
  readonly logger: Logger;
}

export interface AuthorizationRequest {
  readonly url: URL;
  /** The `state` the callback must carry; anything else is not our login. */
  readonly state: string;
  /** Exchanges the code of the callback URL (whose query the browser brought) for validated tokens. */
  complete(callbackUrl: URL): Promise<TokenSet>;
}

export interface DeviceAuthorization {
  readonly verificationUri: string;
  readonly verificationUriComplete: string | undefined;
  /** Shown to the user, who types or confirms it at the provider. Not a secret like the device code. */
  readonly userCode: string;
  readonly expiresInSec: number;
  /** What a later run needs to show the same code and poll it (src/cache/login-record.ts keeps it). */
  readonly saved: SavedDeviceCode;
  /** Polls the token endpoint at the provider's interval (+5 s on slow_down) until the user has logged in. */
  poll(signal: AbortSignal): Promise<TokenSet>;
}

export interface AuthorizationOptions {
  readonly redirectUri: string;
  readonly pkce: 'auto' | 'no' | 'S256';
  readonly extraParams: Readonly<Record<string, string>>;
}

export class OidcClient {
  private constructor(
    private readonly config: client.Configuration,
    private readonly options: OidcClientOptions,
    private readonly tweaks: FetchTweaks,
    /** When the discovery document was fetched from the provider. */
    private readonly fetchedAt: number,
    private readonly authState: ClientAuthState,
  ) {
    rememberSecrets(options.clientSecret);
    const deviceEndpoint = config.serverMetadata().device_authorization_endpoint;
    tweaks.deviceAuthorizationEndpoint = deviceEndpoint ? new URL(deviceEndpoint).href : undefined;
  }

  static async discover(options: OidcClientOptions): Promise<OidcClient> {
    const tweaks: FetchTweaks = { exactRedirectUri: undefined, deviceAuthorizationEndpoint: undefined };
    const authState = newClientAuthState();
    options.logger.debug(1, `discovering the identity provider at ${options.issuerUrl}`);
    try {
      const config = await client.discovery(
        new URL(options.issuerUrl),
        options.clientId,
        undefined,
        clientAuthentication(options.clientSecret, authState),
        {
          execute: securityOptions(options),
          [client.customFetch]: providerFetch(options, tweaks),
          timeout: options.timeoutSec,
        },
      );
      // openid-client compares issuers as URLs (`https://idp` and `https://idp/` pass); kube-apiserver does not.
      const discovered = config.serverMetadata().issuer;
      if (discovered !== options.issuerUrl) throw issuerMismatch(discovered, options.issuerUrl);
      return new OidcClient(config, options, tweaks, Date.now(), authState);
    } catch (error) {
      // openid-client's own issuer check (it fires first for issuers with a path): the same message as ours.
      const refused = refusedIssuer(error);
      throw refused === undefined
        ? toAppError(error, 'discovery', options.issuerUrl)
        : issuerMismatch(refused, options.issuerUrl);
    }
  }

  /** From a cached discovery document and JWKS (src/cache/provider-metadata-store.ts): no request at all. */
  static fromCache(options: OidcClientOptions, cached: CachedProviderMetadata): OidcClient {
    const tweaks: FetchTweaks = { exactRedirectUri: undefined, deviceAuthorizationEndpoint: undefined };
    const authState = newClientAuthState();
    const config = new client.Configuration(
      cached.metadata as client.ServerMetadata,
      options.clientId,
      undefined,
      clientAuthentication(options.clientSecret, authState),
    );
    for (const apply of securityOptions(options)) apply(config);
    config[client.customFetch] = providerFetch(options, tweaks);
    config.timeout = options.timeoutSec;
    if (cached.jwks) client.setJwksCache(config, cached.jwks as client.ExportedJWKSCache);
    options.logger.debug(1, `using the cached discovery document of ${options.issuerUrl}`);
    return new OidcClient(config, options, tweaks, cached.fetchedAt, authState);
  }

  /** What to cache for the next refresh: the document as discovered (with its age) and the keys fetched so far. */
  snapshot(): CachedProviderMetadata {
    const jwks = client.getJwksCache(this.config);
    return {
      fetchedAt: this.fetchedAt,
      metadata: this.config.serverMetadata() as CachedProviderMetadata['metadata'],
      // openid-client refetches the keys when a token names an unknown kid, but only if its copy is at least 60 s
      // old. Saved as at least that old, a cached copy never blocks following a key rotation; keys are still
      // refetched when 5 minutes old, as openid-client does.
      jwks: jwks && { ...jwks, uat: Math.min(jwks.uat, Math.floor(Date.now() / 1000) - 60) },
    };
  }

  get issuer(): string {
    return this.config.serverMetadata().issuer;
  }

  supportsDeviceCode(): boolean {
    return Boolean(this.config.serverMetadata().device_authorization_endpoint);
  }

  /** Whether the provider puts `iss` into authorization responses (RFC 9207), which openid-client then requires. */
  sendsIssuerInAuthorizationResponse(): boolean {
    return this.config.serverMetadata().authorization_response_iss_parameter_supported === true;
  }

  supportsPkceS256(): boolean {
    return this.config.serverMetadata().code_challenge_methods_supported?.includes('S256') ?? false;
  }

  async startAuthorization(options: AuthorizationOptions): Promise<AuthorizationRequest> {
    if (!this.config.serverMetadata().authorization_endpoint) {
      throw new AppError(
        'provider.no-authorization-endpoint',
        `the discovery document of ${this.options.issuerUrl} has no authorization_endpoint: a browser login is impossible`,
        {
          exitCode: ExitCode.provider,
          hint: 'check --oidc-issuer-url, or use a flow without the browser: --grant-type=device-code, password or client-credentials',
        },
      );
    }
    const state = client.randomState();
    const nonce = client.randomNonce();
    const usePkce = options.pkce === 'S256' || (options.pkce === 'auto' && this.supportsPkceS256());
    const verifier = usePkce ? client.randomPKCECodeVerifier() : undefined;
    rememberSecrets(verifier);
    const params: Record<string, string> = {
      // As int128/kubelogin always sends it: Google issues refresh tokens only then. Extra params may override it.
      access_type: 'offline',
      ...options.extraParams,
      redirect_uri: options.redirectUri,
      scope: this.scope(),
      response_type: 'code',
      state,
      nonce,
    };
    if (verifier) {
      params.code_challenge = await client.calculatePKCECodeChallenge(verifier);
      params.code_challenge_method = 'S256';
    }
    this.options.logger.debug(
      1,
      `authorization request: PKCE ${usePkce ? 'S256' : 'off'}, scope "${params.scope}"`,
    );
    const url = client.buildAuthorizationUrl(this.config, params);
    return {
      url,
      state,
      complete: (callbackUrl) =>
        this.call('login', async () => {
          // openid-client derives redirect_uri from the callback URL, normalising `http://localhost:8000` to
          // `http://localhost:8000/`; providers compare it byte for byte with the authorization request.
          this.tweaks.exactRedirectUri = options.redirectUri;
          rememberSecrets(callbackUrl.searchParams.get('code') ?? undefined);
          const response = await client.authorizationCodeGrant(this.config, callbackUrl, {
            expectedState: state,
            expectedNonce: nonce,
            pkceCodeVerifier: verifier,
            idTokenExpected: true,
          });
          return toTokenSet(response);
        }),
    };
  }

  /**
   * With PKCE when the provider advertises S256 (or --oidc-pkce-method=S256): Keycloak can require it for the
   * device grant (int128/kubelogin #1470). The verifier goes with every poll of the token endpoint.
   */
  async startDeviceAuthorization(
    extraParams: Readonly<Record<string, string>>,
    pkce: AuthorizationOptions['pkce'] = 'auto',
  ): Promise<DeviceAuthorization> {
    const usePkce = pkce === 'S256' || (pkce === 'auto' && this.supportsPkceS256());
    const verifier = usePkce ? client.randomPKCECodeVerifier() : undefined;
    rememberSecrets(verifier);
    const params: Record<string, string> = { ...extraParams, scope: this.scope() };
    if (verifier) {
      params.code_challenge = await client.calculatePKCECodeChallenge(verifier);
      params.code_challenge_method = 'S256';
    }
    const response = await this.call('login', () => client.initiateDeviceAuthorization(this.config, params));
    rememberSecrets(response.device_code);
    this.options.logger.debug(
      1,
      `device authorization: PKCE ${usePkce ? 'S256' : 'off'}, expires in ${response.expires_in} s, interval ${response.interval ?? 5} s`,
    );
    return this.deviceAuthorization(response, {
      deviceCode: response.device_code,
      userCode: response.user_code,
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete,
      intervalSec: response.interval ?? 5,
      expiresAt: Date.now() + response.expires_in * 1000,
      codeVerifier: verifier,
    });
  }

  /** Polls the device code of an earlier run again (it is still valid: the caller checked). */
  resumeDeviceAuthorization(saved: SavedDeviceCode): DeviceAuthorization {
    return this.deviceAuthorization(
      {
        device_code: saved.deviceCode,
        user_code: saved.userCode,
        verification_uri: saved.verificationUri,
        verification_uri_complete: saved.verificationUriComplete,
        interval: saved.intervalSec,
        expires_in: Math.max(1, Math.round((saved.expiresAt - Date.now()) / 1000)),
      },
      saved,
    );
  }

  private deviceAuthorization(
    response: client.DeviceAuthorizationResponse,
    saved: SavedDeviceCode,
  ): DeviceAuthorization {
    return {
      verificationUri: saved.verificationUri,
      verificationUriComplete: saved.verificationUriComplete,
      userCode: saved.userCode,
      expiresInSec: Math.round((saved.expiresAt - Date.now()) / 1000),
      saved,
      poll: (signal) =>
        this.call('login', async () =>
          toTokenSet(
            await client.pollDeviceAuthorizationGrant(
              this.config,
              response,
              saved.codeVerifier ? { code_verifier: saved.codeVerifier } : undefined,
              { signal },
            ),
          ),
        ),
    };
  }

  async passwordGrant(username: string, password: string): Promise<TokenSet> {
    rememberSecrets(password);
    return this.call('login', async () =>
      toTokenSet(
        await client.genericGrantRequest(this.config, 'password', {
          username,
          password,
          scope: this.scope(),
        }),
      ),
    );
  }

  /** Machine identity: no user, so no `openid` scope unless asked for; extra params go into the token request. */
  async clientCredentials(extraParams: Readonly<Record<string, string>>): Promise<TokenSet> {
    const parameters: Record<string, string> = { ...extraParams };
    if (this.options.extraScopes.length > 0) parameters.scope = this.options.extraScopes.join(' ');
    return this.call('login', async () =>
      toTokenSet(await client.clientCredentialsGrant(this.config, parameters)),
    );
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    rememberSecrets(refreshToken);
    return this.call('refresh', async () =>
      toTokenSet(await client.refreshTokenGrant(this.config, refreshToken)),
    );
  }

  private scope(): string {
    return [...new Set(['openid', ...this.options.extraScopes])].join(' ');
  }

  private async call<T>(step: OidcStep, work: () => Promise<T>): Promise<T> {
    try {
      try {
        return await work();
      } catch (error) {
        const advertised = this.config.serverMetadata().token_endpoint_auth_methods_supported;
        if (!retryWithPost(error, advertised, this.authState)) throw error;
        this.options.logger.debug(
          1,
          'the provider refused HTTP Basic client authentication: retrying with client_secret_post',
        );
        return await work();
      }
    } catch (error) {
      throw toAppError(error, step, this.options.issuerUrl);
    }
  }
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
      options.logger.warn(`the issuer ${options.issuerUrl} uses plain http; tokens travel unencrypted`);
    }
    execute.push(client.allowInsecureRequests);
  }
  return execute;
}

/** Request and response adjustments for providers and libraries that do not quite agree. */
interface FetchTweaks {
  /** openid-client normalises the redirect_uri of the code exchange; providers compare it byte for byte. */
  exactRedirectUri: string | undefined;
  /** Google answers `verification_url` where RFC 8628 (and openid-client) expect `verification_uri`. */
  deviceAuthorizationEndpoint: string | undefined;
}

/** fetch for every provider request: extra headers, and the tweaks above. */
function providerFetch(options: OidcClientOptions, tweaks: FetchTweaks): client.CustomFetch {
  return async (url, init) => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(options.requestHeaders)) headers.set(name, value);
    let body = init.body;
    if (tweaks.exactRedirectUri && body instanceof URLSearchParams && body.has('redirect_uri')) {
      body = new URLSearchParams(body);
      body.set('redirect_uri', tweaks.exactRedirectUri);
    }
    options.logger.debug(2, `${init.method} ${redactQuery(url)}`);
    const send = () => (options.transport ?? fetch)(url, { ...init, headers, body } as RequestInit);
    const response = await capResponse(
      init.method === 'GET' ? await withRetries(send, init.signal, options.logger) : await send(),
      url,
    );
    return tweaks.deviceAuthorizationEndpoint && new URL(url).href === tweaks.deviceAuthorizationEndpoint
      ? withVerificationUri(response)
      : response;
  };
}

/**
 * Discovery and JWKS are idempotent GETs: a network error or a 5xx gets two more tries, 250 ms and 750 ms later,
 * within the request's timeout. POSTs (token requests) are never repeated: a refresh token may be used up.
 */
async function withRetries(
  send: () => Promise<Response>,
  signal: AbortSignal | null | undefined,
  logger: Logger,
): Promise<Response> {
  for (const delayMs of [250, 750]) {
    try {
      const response = await send();
      if (response.status < 500) return response;
      logger.debug(1, `the provider answered HTTP ${response.status}; retrying in ${delayMs} ms`);
    } catch (error) {
      if (signal?.aborted) throw error;
      logger.debug(1, `request failed (${(error as Error).message}); retrying in ${delayMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (signal?.aborted) break;
  }
  return send();
}

async function withVerificationUri(response: Response): Promise<Response> {
  if (!response.ok || !response.headers.get('content-type')?.includes('json')) return response;
  const document = (await response.json()) as Record<string, unknown>;
  if (document.verification_uri === undefined && typeof document.verification_url === 'string') {
    document.verification_uri = document.verification_url;
  }
  return new Response(JSON.stringify(document), { status: response.status, headers: response.headers });
}

function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?…`;
}

type TokenResponse = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

function toTokenSet(response: TokenResponse): TokenSet {
  rememberSecrets(response.id_token, response.access_token, response.refresh_token);
  const now = Date.now();
  const claims = response.claims();
  return {
    idToken: response.id_token,
    idTokenExpiresAt: claims ? claims.exp * 1000 : undefined,
    accessToken: response.access_token,
    accessTokenExpiresAt:
      typeof response.expires_in === 'number' ? now + response.expires_in * 1000 : undefined,
    refreshToken: response.refresh_token,
  };
}
