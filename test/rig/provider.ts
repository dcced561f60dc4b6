/**
 * A real OpenID Provider (the `oidc-provider` package) on 127.0.0.1 with a random port, for tests and the demo.
 * It counts requests per endpoint and grants per type, so tests can assert "no network on a cache hit" and
 * "exactly one login".
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import Provider, {
  type AdapterPayload,
  type Configuration,
  errors,
  type TokenEndpointGrantContext,
} from 'oidc-provider';

export interface RigUser {
  readonly id: string;
  readonly email: string;
  readonly groups: readonly string[];
  readonly name?: string;
  /** The user's password for the password grant (default rigPassword). */
  readonly password?: string;
}

/** The password of every rig user for the password grant (the browser forms accept any password). */
export const rigPassword = 'correct horse battery staple';

export const defaultUsers: readonly RigUser[] = [
  { id: 'alice', email: 'alice@example.com', groups: ['developers', 'oncall'], name: 'Alice Example' },
  { id: 'bob', email: 'bob@example.com', groups: ['viewers'], name: 'Bob Example' },
];

/** A public native client, as kubelogin users register them: PKCE, loopback redirect URIs, no secret. */
export const publicClientId = 'kubectl-public';
/** A machine client for the client-credentials grant; its access tokens are JWTs for `robotAudience`. */
export const robotClientId = 'kubectl-robot';
export const robotClientSecret = 'rig-robot-secret-0123456789';
export const robotAudience = 'urn:rig:kubernetes';
/** A public client allowed only the browser flow (no device code, no password): what many registrations look like. */
export const authcodeOnlyClientId = 'kubectl-authcode-only';
/**
 * A public client with one registered redirect URI, which the provider uses when a request names none (the keyboard
 * flow without --oidc-redirect-url, as int128 v1.36 sends it).
 */
export const oneRedirectClientId = 'kubectl-one-redirect';
export const oneRedirectUri = 'http://localhost:8000/callback';
/** A confidential client with a secret. */
export const confidentialClientId = 'kubectl-confidential';
export const confidentialClientSecret = 'rig-confidential-secret-0123456789';
/** A confidential client whose id and secret hold every character that encodings of Basic credentials disagree on. */
export const oddClientId = 'odd.client_id~1';
export const oddClientSecret = "s p+a/c:e!*'()-_.~%"; // oidc-provider takes printable ASCII only
export const loopbackRedirectUris = [
  'http://localhost:8000',
  'http://localhost:18000',
  // For --oidc-redirect-url with a path.
  'http://localhost:8000/callback',
  // An explicit IPv4 loopback redirect (--oidc-redirect-url=http://127.0.0.1:PORT).
  'http://127.0.0.1:8000',
  // An IPv6 one: where a hostile cluster entry tried to send the code (test/integration/cluster-entry-attacks.test.ts).
  'http://[::1]:8000',
];
/**
 * A public client with an HTTPS loopback redirect URI, for --local-server-cert/--local-server-key. oidc-provider
 * refuses `https://localhost` for native clients (claimed HTTPS URIs), so it is registered as a web client.
 */
/** How long the `token-slow` fault holds a token request: far beyond any timeout a test sets. */
export const slowTokenDelayMs = 10_000;
export const httpsCallbackClientId = 'kubectl-https-callback';

export interface ProviderOptions {
  /** Seconds an ID token (and access token) is valid; short values drive expiry tests. */
  readonly idTokenTtlSec?: number;
  readonly users?: readonly RigUser[];
  /** Extra path after the origin, e.g. `/realms/test` (issuer with a path). */
  readonly issuerPath?: string;
  /** The host name in the issuer (default 127.0.0.1; the server listens on 127.0.0.1 either way). */
  readonly issuerHost?: string;
  /** An issuer ending in `/`, as Auth0's do (the discovery document stays at /.well-known/…). */
  readonly issuerTrailingSlash?: boolean;
  /** Seconds between device-code polls the provider asks for (oidc-provider says nothing, meaning 5). */
  readonly deviceInterval?: number;
  /** Seconds a device code stays valid (default 600). */
  readonly deviceCodeTtlSec?: number;
  /** Answer the device authorization with Google's `verification_url` instead of `verification_uri`. */
  readonly deviceVerificationUrlQuirk?: boolean;
  /** Answer the device authorization without `verification_uri_complete` (optional in RFC 8628): the user types. */
  readonly deviceNoCompleteUri?: boolean;
  /**
   * Name the user code's parameter of `verification_uri_complete` `code` (`…/device?code=ABCD-EFGH`) instead of
   * oidc-provider's `user_code`, as one provider does; the device page takes it under that name.
   */
  readonly deviceUserCodeAsCode?: boolean;
  /**
   * Answer `/.well-known/openid-configuration` with 301 to the same path plus `/`, where the document is served (a
   * common Django deployment): on the issuer's origin, or on another one (`localhost` for `127.0.0.1`).
   */
  readonly discoveryRedirect?: 'same-origin' | 'other-origin';
  /** Answer the first pending device-code poll with `slow_down`, as a provider does to a client polling too fast. */
  readonly deviceSlowDownOnce?: boolean;
  /** Serve over HTTPS with this certificate (test/rig/tls.ts) instead of plain HTTP. */
  readonly tls?: { cert: string; key: string };
  /** Leave code_challenge_methods_supported out of the discovery document (PKCE still works). */
  readonly noPkceAdvertised?: boolean;
  /**
   * Issue refresh tokens only when the offline_access scope was granted, as most providers do. oidc-provider
   * grants offline_access only to requests that carry prompt=consent (as Google and others do): with this switch,
   * `offline_access` alone gives no refresh token; with `--oidc-auth-request-extra-params=prompt=consent` it does.
   */
  readonly refreshOnlyWithOfflineAccess?: boolean;
  /** A provider without the device flow: discovery has no device_authorization_endpoint. */
  readonly noDeviceAuthorizationEndpoint?: boolean;
  /**
   * Grants this provider does not offer, e.g. `password`, `client_credentials`: left out of
   * grant_types_supported, and the token endpoint answers `unsupported_grant_type`.
   */
  readonly unsupportedGrants?: readonly string[];
  /** ID tokens carry `aud` as an array (`["client"]`), as several providers issue them. */
  readonly audienceArray?: boolean;
  /**
   * Each login lists the user's groups in a different order (rotated by one), as directory-backed providers do, and
   * a refresh in another order than its login.
   */
  readonly rotateGroups?: boolean;
  /**
   * What the consent page's Cancel sends back to the client: oidc-provider's own `access_denied` (default), or
   * `consent_required` as some providers answer a declined consent.
   */
  readonly declinedConsentError?: 'access_denied' | 'consent_required';
  /**
   * Take HTTP Basic client credentials literally, without percent-decoding them (as some providers do): an id or
   * secret escaped beyond what Go's url.QueryEscape escapes (`-` as `%2D`) is then a different, unknown one.
   */
  readonly basicCredentialsNotDecoded?: boolean;
  /** Answer any HTTP Basic client authentication with 401 invalid_client (a provider accepting only client_secret_post). */
  readonly basicAuthRefused?: boolean;
  /**
   * Require PKCE for the device grant, as Keycloak can: a device authorization without code_challenge is refused
   * (400 invalid_request), and the token request must carry the matching code_verifier (else 400 invalid_grant).
   * oidc-provider itself ignores PKCE in the device flow.
   */
  readonly devicePkceRequired?: boolean;
  /**
   * A token request of a client registered with a secret that carries none is answered as Google answers it:
   * 400 `invalid_request`, "client_secret is missing." (oidc-provider's own answer is 401 `invalid_client`). As at
   * Google, the failed client authentication consumes nothing: the code stays good for a request with the secret
   * (RigProvider.tokenRequests shows which code each request carried).
   */
  readonly secretMissingAsGoogle?: boolean;
  /** token_endpoint_auth_methods_supported as the discovery document advertises it (oidc-provider's list otherwise). */
  readonly tokenEndpointAuthMethods?: readonly string[];
  /**
   * Audiences the token exchange (RFC 8693) refuses with `invalid_target`, as a provider does for an audience the
   * client may not ask for.
   */
  readonly tokenExchangeRefusedAudiences?: readonly string[];
  /**
   * The token exchange ignores the requested audience and issues a token for the client itself, as a provider
   * whose exchange is not configured for audiences does.
   */
  readonly tokenExchangeIgnoresAudience?: boolean;
  /** Seconds an exchanged token is valid (default: the ID token's lifetime). */
  readonly tokenExchangeTtlSec?: number;
  /** Listen on this port (to restart a provider in place); a free one when absent. */
  readonly port?: number;
  /** The kid of the signing key generated for this instance (default rig-key-1). */
  readonly keyId?: string;
  /**
   * Grants, sessions and tokens live here instead of in the instance, so a provider restarted on the same port
   * (with a new signing key: a key rotation) still knows the refresh tokens it issued.
   */
  readonly storage?: RigStorage;
}

/** Shared state for restarted providers (ProviderOptions.storage). */
export type RigStorage = Map<string, { payload: AdapterPayload; expiresAt: number | undefined }>;

export function newRigStorage(): RigStorage {
  return new Map();
}

/** oidc-provider's storage interface over a Map that outlives a provider instance. */
function mapAdapter(storage: RigStorage) {
  return class MapAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    private live(key: string): AdapterPayload | undefined {
      const item = storage.get(key);
      if (!item) return undefined;
      if (item.expiresAt !== undefined && item.expiresAt < Date.now()) {
        storage.delete(key);
        return undefined;
      }
      return item.payload;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number) {
      storage.set(this.key(id), {
        payload,
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined,
      });
    }
    async find(id: string) {
      return this.live(this.key(id));
    }
    async findByUserCode(userCode: string) {
      return this.findBy((payload) => payload.userCode === userCode);
    }
    async findByUid(uid: string) {
      return this.findBy((payload) => payload.uid === uid);
    }
    async consume(id: string) {
      const payload = this.live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      storage.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, item] of storage) if (item.payload.grantId === grantId) storage.delete(key);
    }
    private findBy(match: (payload: AdapterPayload) => boolean) {
      for (const [key] of storage) {
        if (!key.startsWith(`${this.model}:`)) continue;
        const payload = this.live(key);
        if (payload && match(payload)) return payload;
      }
      return undefined;
    }
  };
}

const deviceCodeGrant = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8693 token exchange: oidc-provider has none; the rig registers its own (tokenExchangeGrant below). */
export const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
const tokenTypes = {
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
};

/**
 * Resource-owner password grant for the rig: checks the user's password and issues a signed ID token and an access
 * token itself (oidc-provider has no built-in password grant). No refresh token: that needs the provider's grant
 * bookkeeping, and the plugin then simply logs in again with the password.
 */
interface FaultContext {
  status: number;
  body: unknown;
  type: string;
  oidc?: { params?: Record<string, unknown> };
  headers?: Record<string, string | undefined>;
  remove(header: string): void;
  set(header: string, value: string): void;
}

/** Rewrites a response after oidc-provider produced it. Tampered ID tokens are re-signed with the real key. */
async function applyFault(
  fault: RigFault,
  path: string,
  ctx: FaultContext,
  rig: { issuer: string; privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'] },
): Promise<void> {
  const body = ctx.body as Record<string, unknown> | undefined;
  const grantType = ctx.oidc?.params?.grant_type;
  if (fault === 'clock-15-min-behind')
    ctx.set('Date', new Date(Date.now() - clockBehindSec * 1000).toUTCString());
  if (path === '/auth' && fault === 'authorization-refused-as-unauthorized_client') {
    const params = ctx.oidc?.params ?? {};
    const callback = new URL(String(params.redirect_uri));
    callback.searchParams.set('error', 'unauthorized_client');
    callback.searchParams.set('error_description', 'the client may not use this flow');
    callback.searchParams.set('state', String(params.state));
    callback.searchParams.set('iss', rig.issuer);
    ctx.status = 303;
    ctx.set('Location', callback.href);
    ctx.body = '';
    return;
  }
  if (path === '/device/auth' && fault === 'device-auth-invalid-client') {
    ctx.status = 401;
    ctx.body = { error: 'invalid_client', error_description: 'Invalid client type.' };
    return;
  }
  if (path === '/token' || path === '/device/auth') {
    const status = ctx.status;
    const refused = status >= 400 && status < 500 && typeof body?.error === 'string';
    if (refused && (fault === 'token-errors-html' || fault === 'token-errors-empty')) {
      // No OAuth information anywhere: not in the body, not in a WWW-Authenticate challenge.
      ctx.remove('WWW-Authenticate');
      if (fault === 'token-errors-html') {
        ctx.type = 'text/html';
        ctx.body = `<html><body><h1>${status} Bad Request</h1></body></html>`;
      } else {
        ctx.body = '';
      }
      ctx.status = status;
      return;
    }
    if (
      refused &&
      fault === 'grant-not-allowed-as-unauthorized_client' &&
      /not allowed for this client/.test(String(body?.error_description))
    ) {
      body.error = 'unauthorized_client';
      return;
    }
    const refusal = /^refresh-refused-as-(.+)$/.exec(fault ?? '')?.[1];
    if (refusal && refused && grantType === 'refresh_token') {
      const bare = /^bare-(\d+)$/.exec(refusal)?.[1];
      if (bare) {
        ctx.status = Number(bare);
        ctx.type = 'text/plain';
        ctx.body = 'Bad Request';
      } else {
        ctx.status = 400;
        ctx.body = { error: refusal, error_description: 'session not active' };
      }
      return;
    }
  }
  if (path === '/token' && fault === 'token-error-echo') {
    // A provider that echoes the request in its error: every parameter (code, code_verifier, password, refresh
    // token) and the client's Authorization header, decorated with terminal escape sequences, and line breaks
    // followed by forged `error:` / `hint:` lines.
    const params = Object.entries(ctx.oidc?.params ?? {}).filter(([, value]) => typeof value === 'string');
    const basic = /^Basic (.+)$/.exec(ctx.headers?.authorization ?? '')?.[1];
    ctx.status = 400;
    ctx.body = {
      error: 'invalid_request',
      error_description: `\u001b]0;owned\u0007\u001b[2J\rcannot parse ${new URLSearchParams(params as [string, string][])} values ${params.map(([, value]) => value).join(' ')} auth ${basic ? Buffer.from(basic, 'base64').toString() : ''}\nerror: forged by the provider\r\nhint: forged by the provider`,
    };
    return;
  }
  if (path === '/token') {
    if (fault === 'token-slow') await new Promise((resolve) => setTimeout(resolve, slowTokenDelayMs));
    if (fault === 'token-500') {
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'rig fault' };
      return;
    }
    if (fault === 'refresh-refused' && grantType === 'refresh_token') {
      ctx.status = 400;
      ctx.body = {
        error: 'invalid_grant',
        error_description: 'refresh tokens are not allowed for this client',
      };
      return;
    }
    if (fault === 'refresh-without-id-token' && grantType === 'refresh_token' && body) {
      delete body.id_token;
      return;
    }
    const accessToken = typeof body?.access_token === 'string' ? body.access_token : undefined;
    if (fault === 'access-token-wrong-iss' && body && accessToken?.split('.').length === 3) {
      body.access_token = await new SignJWT({ ...decodeJwt(accessToken), iss: 'https://impostor.example' })
        .setProtectedHeader(decodeProtectedHeader(accessToken) as { alg: string })
        .sign(rig.privateKey);
      return;
    }
    // The ID token of a login or refresh; the issued token of a token exchange (RFC 8693 puts it in access_token).
    const field = grantType === tokenExchangeGrant ? 'access_token' : 'id_token';
    if (fault === 'exchanged-token-opaque' && field === 'access_token' && body) {
      body.access_token = 'opaque-rig-token-0123456789';
      return;
    }
    const idToken = typeof body?.[field] === 'string' ? (body[field] as string) : undefined;
    if (!idToken || !body) return;
    const claims = decodeJwt(idToken);
    const now = Math.floor(Date.now() / 1000);
    const resign = (changed: Record<string, unknown>) =>
      new SignJWT({ ...claims, ...changed })
        .setProtectedHeader(decodeProtectedHeader(idToken) as { alg: string })
        .sign(rig.privateKey);
    if (fault === 'id-token-bad-signature')
      body[field] = `${idToken.slice(0, -6)}${idToken.slice(-6).split('').reverse().join('')}`;
    if (fault === 'id-token-wrong-aud') body[field] = await resign({ aud: 'some-other-client' });
    if (fault === 'id-token-wrong-iss') body[field] = await resign({ iss: 'https://impostor.example' });
    if (fault === 'id-token-expired') body[field] = await resign({ iat: now - 7200, exp: now - 3600 });
    if (fault === 'clock-15-min-behind')
      body[field] = await resign({
        iat: Number(claims.iat) - clockBehindSec,
        exp: Number(claims.exp) - clockBehindSec,
        ...(typeof claims.auth_time === 'number' ? { auth_time: claims.auth_time - clockBehindSec } : {}),
      });
    if (fault === 'id-token-wrong-nonce' && grantType === 'authorization_code')
      body[field] = await resign({ nonce: 'forged-nonce' });
    if (fault === 'id-token-exp-far') body[field] = await resign({ exp: 1e13 });
    if (fault === 'expires-in-far') body.expires_in = 1e13;
    if (fault === 'refresh-other-sub' && grantType === 'refresh_token')
      body[field] = await resign({ sub: 'mallory' });
    if (fault === 'token-huge') body.padding = 'x'.repeat(hugeBytes);
    return;
  }
  if (path === '/device/auth' && ctx.status === 200 && body) {
    if (fault === 'verification-uri-complete-switch') body.verification_uri_complete = hostileSwitch;
    if (fault === 'verification-uri-file') {
      body.verification_uri = 'file:///etc/passwd';
      delete body.verification_uri_complete;
    }
  }
  if (path === '/jwks' && fault === 'jwks-empty') ctx.body = { keys: [] };
  if (path === '/jwks' && fault === 'jwks-huge' && body) body.padding = 'x'.repeat(hugeBytes);
  if (path === '/.well-known/openid-configuration') {
    if (fault === 'discovery-no-authorization-endpoint' && body) delete body.authorization_endpoint;
    if (fault === 'authorization-endpoint-javascript' && body)
      body.authorization_endpoint = 'javascript:alert(document.cookie)//';
    if (fault === 'discovery-huge' && body) ctx.body = { ...body, padding: 'x'.repeat(hugeBytes) };
    if (fault === 'discovery-malformed') {
      ctx.type = 'application/json';
      ctx.body = '{"issuer": "';
    }
    if (fault === 'discovery-issuer-mismatch' && body) ctx.body = { ...body, issuer: `${rig.issuer}/` };
  }
}

/** Re-signs the ID token of a token response with `aud` as a one-element array. */
async function audienceAsArray(
  ctx: FaultContext,
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'],
): Promise<void> {
  const body = ctx.body as Record<string, unknown> | undefined;
  if (typeof body?.id_token !== 'string') return;
  const claims = decodeJwt(body.id_token);
  if (Array.isArray(claims.aud)) return;
  body.id_token = await new SignJWT({ ...claims, aud: [claims.aud as string] })
    .setProtectedHeader(decodeProtectedHeader(body.id_token) as { alg: string })
    .sign(privateKey);
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function passwordGrant(users: Map<string, RigUser>, ttlSec: () => number) {
  return async (ctx: TokenEndpointGrantContext) => {
    const params = ctx.oidc.params as { username?: string; password?: string; scope?: string };
    const user = params.username ? users.get(params.username) : undefined;
    if (!user || params.password !== (user.password ?? rigPassword))
      throw new errors.InvalidGrant('wrong username or password');
    const client = ctx.oidc.client as NonNullable<typeof ctx.oidc.client>;
    const { AccessToken, Grant, IdToken } = ctx.oidc.provider;
    const grant = new Grant({ accountId: user.id, clientId: client.clientId });
    grant.addOIDCScope('openid email groups profile');
    const grantId = await grant.save();
    const accessToken = await new AccessToken({
      accountId: user.id,
      client,
      grantId,
      gty: 'password',
      scope: params.scope ?? 'openid',
    }).save();
    const idToken = new IdToken(
      {
        sub: user.id,
        email: user.email,
        email_verified: true,
        groups: [...user.groups],
        preferred_username: user.id,
      },
      { ctx },
    );
    (idToken as unknown as { scope: string }).scope = 'openid email groups profile';
    ctx.body = {
      access_token: accessToken,
      id_token: await idToken.issue({ use: 'idtoken' }),
      token_type: 'Bearer',
      expires_in: ttlSec(),
      scope: params.scope ?? 'openid',
    };
  };
}

type RigPrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/**
 * RFC 8693 token exchange as Keycloak's standard token exchange or Pinniped's supervisor serve it: the subject token
 * (an ID token of this issuer, or an access token it issued) becomes a JWT signed with the provider's key whose `aud`
 * is the requested audience, in `access_token` with `issued_token_type` and `token_type: N_A`.
 */
function tokenExchange(
  rig: {
    issuer: string;
    privateKey: RigPrivateKey;
    publicKey: Awaited<ReturnType<typeof generateKeyPair>>['publicKey'];
    kid: string;
    users: Map<string, RigUser>;
    ttlSec: () => number;
  },
  options: ProviderOptions,
) {
  return async (ctx: TokenEndpointGrantContext) => {
    const params = ctx.oidc.params as Record<string, string | undefined>;
    const client = ctx.oidc.client as NonNullable<typeof ctx.oidc.client>;
    const subjectToken = params.subject_token;
    if (!subjectToken || !params.subject_token_type)
      throw new errors.InvalidRequest('subject_token and subject_token_type are required');
    let subject: string | undefined;
    if (params.subject_token_type === tokenTypes.idToken) {
      try {
        const { payload } = await jwtVerify(subjectToken, rig.publicKey, { issuer: rig.issuer });
        subject = payload.sub;
      } catch {
        throw new errors.InvalidGrant('subject_token is not a valid ID token of this issuer');
      }
    } else if (params.subject_token_type === tokenTypes.accessToken) {
      subject = (await ctx.oidc.provider.AccessToken.find(subjectToken))?.accountId;
    } else {
      throw new errors.InvalidRequest(`unsupported subject_token_type ${params.subject_token_type}`);
    }
    const user = subject ? rig.users.get(subject) : undefined;
    if (!user) throw new errors.InvalidGrant('subject_token is not valid');
    const audience = params.audience;
    if (!audience) throw new errors.InvalidTarget('audience is required');
    if (options.tokenExchangeRefusedAudiences?.includes(audience))
      throw new errors.InvalidTarget(
        `client ${client.clientId} may not exchange tokens for audience ${audience}`,
      );
    const requested = params.requested_token_type ?? tokenTypes.accessToken;
    if (!Object.values(tokenTypes).includes(requested))
      throw new errors.InvalidRequest(`unsupported requested_token_type ${requested}`);
    const ttl = options.tokenExchangeTtlSec ?? rig.ttlSec();
    const token = await new SignJWT({
      sub: user.id,
      email: user.email,
      email_verified: true,
      groups: [...user.groups],
      preferred_username: user.id,
      azp: client.clientId,
    })
      .setProtectedHeader({ alg: 'RS256', kid: rig.kid, typ: 'JWT' })
      .setIssuer(rig.issuer)
      .setAudience(options.tokenExchangeIgnoresAudience ? client.clientId : audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
      .sign(rig.privateKey);
    ctx.body = { access_token: token, issued_token_type: requested, token_type: 'N_A', expires_in: ttl };
  };
}

interface DevicePkceContext {
  status: number;
  body: unknown;
  oidc?: { body?: Record<string, unknown> };
}

/** devicePkceRequired: checked after oidc-provider answered, whose answer is replaced by the refusal. */
function requireDevicePkce(path: string, ctx: DevicePkceContext, challenges: Map<string, string>): void {
  const body = ctx.body as Record<string, unknown> | undefined;
  // The request form as sent (oidc-provider keeps no PKCE parameters for the device flow in ctx.oidc.params).
  const form = ctx.oidc?.body;
  if (path === '/device/auth' && ctx.status === 200 && body) {
    const challenge = form?.code_challenge;
    if (typeof challenge !== 'string' || form?.code_challenge_method !== 'S256') {
      ctx.status = 400;
      ctx.body = {
        error: 'invalid_request',
        error_description: 'PKCE (S256) is required for the device grant',
      };
      return;
    }
    challenges.set(String(body.device_code), challenge);
  }
  if (path === '/token' && form?.grant_type === deviceCodeGrant) {
    const challenge = challenges.get(String(form.device_code));
    const verifier = typeof form.code_verifier === 'string' ? form.code_verifier : '';
    const expected = createHash('sha256').update(verifier).digest('base64url');
    if (challenge !== expected) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: 'PKCE verification failed' };
    }
  }
}

/** A Chromium switch that runs a command (here a harmless `touch` of a file no test creates). */
export const hostileSwitch = '--renderer-cmd-prefix=/bin/sh -c "touch /tmp/kubectl-together-login-pwned"';

/** How far the provider's clock is behind ours under the `clock-15-min-behind` fault. */
const clockBehindSec = 15 * 60;

/** Larger than any sane discovery document, key set or token response (the plugin caps them). */
const hugeBytes = 8 * 1024 * 1024;

/** Ways the provider can misbehave, switched on and off while it runs (RigProvider.setFault). */
export type RigFault =
  /** The token endpoint answers 400 echoing every request parameter and the client's credentials, with escapes. */
  | 'token-error-echo'
  /** ID tokens with `exp` 1e13 s (year 318857), or token responses with `expires_in` 1e13 s. */
  | 'id-token-exp-far'
  | 'expires-in-far'
  /** A refresh answers with an ID token for another subject (`sub` mallory), validly signed. */
  | 'refresh-other-sub'
  /** 8 MB responses: discovery document, JWKS, token response. */
  | 'discovery-huge'
  | 'jwks-huge'
  | 'token-huge'
  /** A discovery document without `authorization_endpoint`. */
  | 'discovery-no-authorization-endpoint'
  /**
   * URLs a browser must never be given, as a hostile provider answers them: a `verification_uri_complete` that is a
   * Chromium switch running a command (`hostileSwitch`), a `file:` verification_uri (and no complete one), an
   * `authorization_endpoint` of `javascript:`.
   */
  | 'verification-uri-complete-switch'
  | 'verification-uri-file'
  | 'authorization-endpoint-javascript'
  | 'token-500'
  | 'id-token-bad-signature'
  | 'id-token-wrong-aud'
  | 'id-token-wrong-iss'
  | 'id-token-expired'
  | 'id-token-wrong-nonce'
  /** The token exchange answers with an opaque token instead of a JWT (the id-token-* faults apply to it too). */
  | 'exchanged-token-opaque'
  | 'jwks-empty'
  | 'discovery-malformed'
  | 'discovery-issuer-mismatch'
  | 'refresh-without-id-token'
  /** A provider that issues refresh tokens but refuses every refresh (invalid_grant), e.g. for this client type. */
  | 'refresh-refused'
  /** The token endpoint answers after 3 s. */
  | 'token-slow'
  /**
   * The next device-code poll meets a connection reset (RST) before any answer, as a poll sent on a pooled keep-alive
   * connection the provider closed while idle does (Bun's fetch reuses one after Node's 5 s keepAliveTimeout).
   */
  | 'device-poll-reset-once'
  /** The next discovery request gets 503, later ones are served. */
  | 'discovery-503-once'
  /**
   * A refused refresh (a revoked or ended session: RigProvider.revokeRefreshTokens) is answered as some providers do
   * instead of RFC 6749's `invalid_grant`: another OAuth error, or a bare status with a non-JSON body.
   */
  | 'refresh-refused-as-invalid_request'
  | 'refresh-refused-as-unauthorized_client'
  | 'refresh-refused-as-invalid_scope'
  | 'refresh-refused-as-bare-400'
  | 'refresh-refused-as-bare-401'
  /**
   * A grant the client is not registered for is refused with RFC 6749's `unauthorized_client` (oidc-provider itself
   * answers `invalid_request: … is not allowed for this client`), at the token and device endpoints.
   */
  | 'grant-not-allowed-as-unauthorized_client'
  /**
   * The authorization endpoint sends the browser straight back to the redirect URI with RFC 6749's
   * `error=unauthorized_client`, as a provider does for a client not registered for the authorization code flow.
   */
  | 'authorization-refused-as-unauthorized_client'
  /**
   * Every 4xx OAuth error of the token and device endpoints comes with an HTML body instead of JSON, and without a
   * WWW-Authenticate challenge.
   */
  | 'token-errors-html'
  /** … or with an empty body. */
  | 'token-errors-empty'
  /**
   * The provider's clock is 15 minutes behind this machine's (as seen from a machine whose clock is 15 minutes
   * ahead): its Date headers, and the iat/exp of its ID tokens, re-signed with the real key.
   */
  | 'clock-15-min-behind'
  /** JWT access tokens (the robot's) re-signed with the real key and another `iss`. */
  | 'access-token-wrong-iss'
  /** The device authorization endpoint answers 401 invalid_client "Invalid client type.", as Google answers any client not of its TV type. */
  | 'device-auth-invalid-client';

export interface RigTokenRequest {
  readonly grantType: string;
  readonly clientAuthentication: 'none' | 'basic' | 'post';
  readonly code: string | undefined;
  readonly status: number;
}

export interface RigProvider {
  readonly issuer: string;
  readonly port: number;
  /** Requests per path, e.g. `/token`, `/.well-known/openid-configuration`. */
  readonly requests: Map<string, number>;
  /** Successful token grants per grant_type, e.g. `authorization_code`, `refresh_token`. */
  readonly grants: Map<string, number>;
  /** Grant errors seen at the token endpoint, e.g. `invalid_grant`. */
  readonly grantErrors: string[];
  /** When each device-code poll reached the token endpoint (ms since the epoch). */
  readonly devicePollTimes: number[];
  /** Every token request: its grant, how the client authenticated, the code it carried, the status answered. */
  readonly tokenRequests: RigTokenRequest[];
  /** The request headers of every request, with its path. */
  readonly requestHeaders: { path: string; headers: Record<string, string | string[] | undefined> }[];
  totalRequests(): number;
  resetCounts(): void;
  /** Makes the provider misbehave in one way until called with undefined. */
  setFault(fault: RigFault | undefined): void;
  /** Ends every session, as an admin's revocation or an overnight purge does: no refresh token issued so far works. */
  revokeRefreshTokens(): Promise<void>;
  /** The lifetime of ID and access tokens issued from now on (a test that needs the next token to stay fresh). */
  setIdTokenTtl(seconds: number): void;
  close(): Promise<void>;
}

export async function startProvider(options: ProviderOptions = {}): Promise<RigProvider> {
  const users = new Map((options.users ?? defaultUsers).map((user) => [user.id, user]));
  let ttl = options.idTokenTtlSec ?? 300;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  let fault: RigFault | undefined;
  const signingKey = {
    ...(await exportJWK(privateKey)),
    kid: options.keyId ?? 'rig-key-1',
    use: 'sig',
    alg: 'RS256',
  };

  let loginsServed = 0;
  const server: Server = options.tls ? createHttpsServer(options.tls) : createServer();
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `${options.tls ? 'https' : 'http'}://${options.issuerHost ?? '127.0.0.1'}:${port}${options.issuerPath ?? ''}${options.issuerTrailingSlash ? '/' : ''}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: publicClientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: loopbackRedirectUris,
        grant_types: ['authorization_code', 'refresh_token', deviceCodeGrant, 'password', tokenExchangeGrant],
        response_types: ['code'],
      },
      {
        client_id: robotClientId,
        client_secret: robotClientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
      {
        client_id: httpsCallbackClientId,
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        redirect_uris: ['https://localhost:8000'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: authcodeOnlyClientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: loopbackRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: oneRedirectClientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [oneRedirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: oddClientId,
        client_secret: oddClientSecret,
        application_type: 'native',
        redirect_uris: loopbackRedirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: confidentialClientId,
        client_secret: confidentialClientSecret,
        application_type: 'native',
        redirect_uris: loopbackRedirectUris,
        grant_types: ['authorization_code', 'refresh_token', tokenExchangeGrant],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey as never] },
    findAccount: async (ctx, id) => {
      const user = users.get(id);
      if (!user) return undefined;
      // Every login brings a new order, and a refresh another one than the login it continues (whatever the
      // number of refreshes in between, so tests do not depend on how many tokens a command asked for). Logins are
      // counted once per code exchange, however often the provider asks for the claims while serving it.
      const state = ctx.state as { rigGroupOrder?: number };
      if (ctx.oidc?.params?.grant_type === 'authorization_code') state.rigGroupOrder ??= ++loginsServed;
      const order = state.rigGroupOrder ?? loginsServed + 1;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: user.email,
          email_verified: true,
          groups: options.rotateGroups ? rotate(user.groups, order) : [...user.groups],
          name: user.name,
          preferred_username: id,
        }),
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    // Put email and groups into the ID token itself, as the IdPs kube-apiserver users configure do.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      // JWT access tokens for the robot's client-credentials grant only, so an API server can verify them.
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx) =>
          ctx.oidc.params?.grant_type === 'client_credentials' ? robotAudience : undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: '', audience: robotAudience, accessTokenFormat: 'jwt' }),
      },
    },
    // Refresh tokens for every login, without the offline_access/consent dance; rotated on every use.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (!options.refreshOnlyWithOfflineAccess ||
        Boolean((code as { scopes?: Set<string> }).scopes?.has('offline_access'))),
    rotateRefreshToken: true,
    ttl: {
      // Functions, so setIdTokenTtl changes the lifetime of the tokens issued from then on.
      IdToken: () => ttl,
      AccessToken: () => ttl,
      RefreshToken: 3600,
      Grant: 3600,
      Session: 3600,
      Interaction: 600,
      AuthorizationCode: 60,
      DeviceCode: options.deviceCodeTtlSec ?? 600,
    },
    cookies: { keys: ['rig-cookie-key-0123456789abcdef'] },
    ...(options.storage ? { adapter: mapAdapter(options.storage) } : {}),
  };
  const provider = new Provider(issuer, configuration);

  const refreshTokenIds = new Set<string>();
  provider.on('refresh_token.saved', (token: { jti: string }) => refreshTokenIds.add(token.jti));
  const requests = new Map<string, number>();
  const grants = new Map<string, number>();
  const grantErrors: string[] = [];
  const devicePollTimes: number[] = [];
  const requestHeaders: RigProvider['requestHeaders'] = [];
  const tokenRequests: RigTokenRequest[] = [];
  let slowedDown = false;
  /** code_challenge per device_code, for devicePkceRequired. */
  const deviceChallenges = new Map<string, string>();
  provider.use(async (ctx, next) => {
    const path = ctx.path.slice(options.issuerPath?.length ?? 0) || '/';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    requestHeaders.push({ path, headers: { ...ctx.headers } });
    const basic = /^Basic (.+)$/i.exec(ctx.headers.authorization ?? '')?.[1];
    if (basic && options.basicAuthRefused) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_client', error_description: 'client_secret_basic is not supported' };
      return;
    }
    if (basic && options.basicCredentialsNotDecoded) {
      // oidc-provider decodes what it receives; encoding the raw text first makes it see the raw text itself.
      const raw = Buffer.from(basic, 'base64').toString('utf8');
      const at = raw.indexOf(':');
      const literal = [raw.slice(0, at), raw.slice(at + 1)].map(encodeURIComponent).join(':');
      ctx.headers.authorization = `Basic ${Buffer.from(literal).toString('base64')}`;
    }
    if (options.discoveryRedirect && path === '/.well-known/openid-configuration') {
      const origin =
        options.discoveryRedirect === 'same-origin' ? new URL(issuer).origin : `http://localhost:${port}`;
      ctx.status = 301;
      ctx.set('Location', `${origin}${ctx.path}/`);
      return;
    }
    if (options.discoveryRedirect && path === '/.well-known/openid-configuration/')
      ctx.path = ctx.path.slice(0, -1);
    if (options.deviceUserCodeAsCode && path === '/device' && typeof ctx.query.code === 'string')
      ctx.querystring = new URLSearchParams({ user_code: ctx.query.code }).toString();
    if (options.declinedConsentError === 'consent_required' && /^\/interaction\/[^/]+\/abort$/.test(path)) {
      await provider.interactionFinished(
        ctx.req,
        ctx.res,
        { error: 'consent_required', error_description: 'the user did not consent' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    await next();
    if (fault === 'discovery-503-once' && path === '/.well-known/openid-configuration') {
      fault = undefined;
      ctx.status = 503;
      ctx.body = 'temporarily unavailable';
    }
    if (path === '/token') {
      const form = (ctx.oidc?.body ?? {}) as Record<string, unknown>;
      const clientAuthentication = basic ? 'basic' : typeof form.client_secret === 'string' ? 'post' : 'none';
      if (
        options.secretMissingAsGoogle &&
        clientAuthentication === 'none' &&
        (ctx.body as { error?: unknown } | undefined)?.error === 'invalid_client'
      ) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: 'client_secret is missing.' };
      }
      tokenRequests.push({
        grantType: String(form.grant_type),
        clientAuthentication,
        code: typeof form.code === 'string' ? form.code : undefined,
        status: ctx.status,
      });
    }
    const grantType = String(ctx.oidc?.params?.grant_type ?? '');
    if (path === '/token' && options.unsupportedGrants?.includes(grantType)) {
      // Answered as by a provider that has no such grant (the tokens oidc-provider made are thrown away).
      ctx.status = 400;
      ctx.body = { error: 'unsupported_grant_type', error_description: 'unsupported grant_type requested' };
    }
    if (fault) await applyFault(fault, path, ctx as unknown as FaultContext, { issuer, privateKey });
    if (path === '/token' && options.audienceArray)
      await audienceAsArray(ctx as unknown as FaultContext, privateKey);
    if (path === '/.well-known/openid-configuration' && ctx.body && typeof ctx.body === 'object') {
      const document = ctx.body as Record<string, unknown>;
      if (options.noDeviceAuthorizationEndpoint) delete document.device_authorization_endpoint;
      if (options.tokenEndpointAuthMethods)
        document.token_endpoint_auth_methods_supported = [...options.tokenEndpointAuthMethods];
      if (options.unsupportedGrants && Array.isArray(document.grant_types_supported))
        document.grant_types_supported = document.grant_types_supported.filter(
          (grant) => !options.unsupportedGrants?.includes(grant),
        );
    }
    if (
      options.noPkceAdvertised &&
      path === '/.well-known/openid-configuration' &&
      ctx.body &&
      typeof ctx.body === 'object'
    ) {
      delete (ctx.body as Record<string, unknown>).code_challenge_methods_supported;
    }
    if (path === '/token' && ctx.oidc?.params?.grant_type === deviceCodeGrant) {
      devicePollTimes.push(Date.now());
      const body = ctx.body as { error?: string; error_description?: string } | undefined;
      if (options.deviceSlowDownOnce && !slowedDown && body?.error === 'authorization_pending') {
        slowedDown = true;
        body.error = 'slow_down';
        body.error_description = 'polling too fast';
      }
      if (fault === 'device-poll-reset-once') {
        fault = undefined;
        ctx.respond = false;
        ctx.req.socket.resetAndDestroy();
        return;
      }
    }
    if (options.devicePkceRequired)
      requireDevicePkce(path, ctx as unknown as DevicePkceContext, deviceChallenges);
    if (path === '/device/auth' && ctx.body && typeof ctx.body === 'object') {
      const body = ctx.body as Record<string, unknown>;
      body.interval = options.deviceInterval ?? 1;
      if (options.deviceUserCodeAsCode && typeof body.verification_uri_complete === 'string')
        body.verification_uri_complete = body.verification_uri_complete.replace('?user_code=', '?code=');
      if (options.deviceNoCompleteUri) delete body.verification_uri_complete;
      if (options.deviceVerificationUrlQuirk) {
        body.verification_url = body.verification_uri;
        delete body.verification_uri;
      }
    }
  });
  provider.registerGrantType(
    'password',
    passwordGrant(users, () => ttl),
    new Set(['username', 'password', 'scope']),
  );
  provider.registerGrantType(
    tokenExchangeGrant,
    tokenExchange({ issuer, privateKey, publicKey, kid: signingKey.kid, users, ttlSec: () => ttl }, options),
    new Set([
      'subject_token',
      'subject_token_type',
      'audience',
      'requested_token_type',
      'actor_token',
      'actor_token_type',
      'scope',
    ]),
  );
  provider.on('grant.success', (ctx) => {
    const type = String(ctx.oidc.params?.grant_type);
    if (options.unsupportedGrants?.includes(type)) return;
    grants.set(type, (grants.get(type) ?? 0) + 1);
  });
  provider.on('grant.error', (_ctx, error) => {
    grantErrors.push((error as { error?: string }).error ?? String(error));
  });

  const callback = provider.callback();
  if (options.issuerPath) {
    const prefix = options.issuerPath;
    server.on('request', (req, res) => {
      if (req.url?.startsWith(prefix)) {
        // Mounted like express' app.use(prefix, …): oidc-provider finds its mount path from originalUrl.
        (req as typeof req & { originalUrl: string }).originalUrl = req.url;
        req.url = req.url.slice(prefix.length) || '/';
        callback(req, res);
      } else {
        res.writeHead(404).end();
      }
    });
  } else {
    server.on('request', callback);
  }

  return {
    issuer,
    port,
    requests,
    grants,
    grantErrors,
    devicePollTimes,
    requestHeaders,
    tokenRequests,
    setIdTokenTtl: (seconds) => {
      ttl = seconds;
    },
    setFault: (next) => {
      fault = next;
    },
    revokeRefreshTokens: async () => {
      for (const id of refreshTokenIds) await (await provider.RefreshToken.find(id))?.destroy();
      refreshTokenIds.clear();
    },
    totalRequests: () => [...requests.values()].reduce((a, b) => a + b, 0),
    resetCounts: () => {
      requests.clear();
      grants.clear();
      grantErrors.length = 0;
      devicePollTimes.length = 0;
      requestHeaders.length = 0;
      tokenRequests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
