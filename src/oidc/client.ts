/**
 * The only module that knows openid-client: discovery, the authorization request, the code exchange and the
 * refresh, each returning validated tokens. ID tokens are checked on receipt: signature against the provider's JWKS
 * (openid-client's non-repudiation checks), iss, aud, exp, and nonce for logins.
 */
import * as client from 'openid-client';
import type { Logger, TokenSet } from '../core/ports.js';
import { type OidcStep, toAppError } from './errors.js';

export interface OidcClientOptions {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly extraScopes: readonly string[];
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly logger: Logger;
}

export interface AuthorizationRequest {
  readonly url: URL;
  /** The `state` the callback must carry; anything else is not our login. */
  readonly state: string;
  /** Exchanges the code of the callback URL (whose query the browser brought) for validated tokens. */
  complete(callbackUrl: URL): Promise<TokenSet>;
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
    private readonly redirectOverride: { value: string | undefined },
  ) {}

  static async discover(options: OidcClientOptions): Promise<OidcClient> {
    const redirectOverride: { value: string | undefined } = { value: undefined };
    const issuer = new URL(options.issuerUrl);
    const execute = [client.enableNonRepudiationChecks];
    if (issuer.protocol === 'http:') {
      if (!['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname)) {
        options.logger.warn(`the issuer ${options.issuerUrl} uses plain http; tokens travel unencrypted`);
      }
      execute.push(client.allowInsecureRequests);
    }
    options.logger.debug(1, `discovering the identity provider at ${options.issuerUrl}`);
    try {
      const config = await client.discovery(
        issuer,
        options.clientId,
        undefined,
        clientAuthentication(options.clientSecret),
        {
          execute,
          [client.customFetch]: providerFetch(options, redirectOverride),
        },
      );
      return new OidcClient(config, options, redirectOverride);
    } catch (error) {
      throw toAppError(error, 'discovery', options.issuerUrl);
    }
  }

  get issuer(): string {
    return this.config.serverMetadata().issuer;
  }

  supportsPkceS256(): boolean {
    return this.config.serverMetadata().code_challenge_methods_supported?.includes('S256') ?? false;
  }

  async startAuthorization(options: AuthorizationOptions): Promise<AuthorizationRequest> {
    const state = client.randomState();
    const nonce = client.randomNonce();
    const usePkce = options.pkce === 'S256' || (options.pkce === 'auto' && this.supportsPkceS256());
    const verifier = usePkce ? client.randomPKCECodeVerifier() : undefined;
    const params: Record<string, string> = {
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
          this.redirectOverride.value = options.redirectUri;
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

  async refresh(refreshToken: string): Promise<TokenSet> {
    return this.call('refresh', async () =>
      toTokenSet(await client.refreshTokenGrant(this.config, refreshToken)),
    );
  }

  private scope(): string {
    return [...new Set(['openid', ...this.options.extraScopes])].join(' ');
  }

  private async call<T>(step: OidcStep, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toAppError(error, step, this.options.issuerUrl);
    }
  }
}

function clientAuthentication(secret: string | undefined): client.ClientAuth {
  if (!secret) return client.None();
  // Per the discovery spec, client_secret_basic is the default; use post only when the provider offers nothing else.
  return (as, c, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const usePost =
      methods !== undefined &&
      !methods.includes('client_secret_basic') &&
      methods.includes('client_secret_post');
    return (usePost ? client.ClientSecretPost(secret) : client.ClientSecretBasic(secret))(
      as,
      c,
      body,
      headers,
    );
  };
}

/** fetch for every provider request: extra headers, and the exact redirect_uri in the code exchange. */
function providerFetch(
  options: OidcClientOptions,
  redirectOverride: { value: string | undefined },
): client.CustomFetch {
  return (url, init) => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(options.requestHeaders)) headers.set(name, value);
    let body = init.body;
    if (redirectOverride.value && body instanceof URLSearchParams && body.has('redirect_uri')) {
      body = new URLSearchParams(body);
      body.set('redirect_uri', redirectOverride.value);
    }
    options.logger.debug(2, `${init.method} ${redactQuery(url)}`);
    return fetch(url, { ...init, headers, body } as RequestInit);
  };
}

function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?…`;
}

type TokenResponse = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

function toTokenSet(response: TokenResponse): TokenSet {
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
