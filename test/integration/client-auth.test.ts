/**
 * Client authentication with a secret against providers that differ in what they accept: the
 * client id and secret arrive as int128/kubelogin sends them, the method follows the discovery document, and a
 * refused HTTP Basic is retried once with client_secret_post.
 */
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { expectOneError } from '../rig/one-error.js';
import { loginArgs, parseCredential, runPlugin, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  oddClientId,
  oddClientSecret,
  type ProviderOptions,
  publicClientId,
  type RigProvider,
  startProvider,
} from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('client secret authentication', () => {
  let provider: RigProvider | undefined;
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });

  async function loginAndRefresh(options: ProviderOptions, clientId: string, secret: string) {
    provider = await startProvider(options);
    const args = loginArgs(provider.issuer, clientId, join(tempDir('cache'), 'oidc-login'));
    const env = { OIDC_CLIENT_SECRET: secret };
    const login = await runPlugin(args, env);
    const tokenRequestsOfLogin = provider.requests.get('/token');
    const refresh = await runPlugin([...args, '--force-refresh'], env);
    return { login, refresh, tokenRequestsOfLogin };
  }

  it('sends an id and secret with every special character so that a decoding provider reads them back', async () => {
    const { login, refresh } = await loginAndRefresh({}, oddClientId, oddClientSecret);
    expect(login.code, login.stderr).toBe(0);
    expect(decodeJwt(parseCredential(login.stdout).token).aud).toBe(oddClientId);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(provider?.grants.get('refresh_token')).toBe(1);
  });

  it('escapes - _ . ~ no more than Go does, for providers that take Basic credentials literally', async () => {
    const { login, refresh } = await loginAndRefresh(
      { basicCredentialsNotDecoded: true },
      confidentialClientId,
      confidentialClientSecret,
    );
    expect(login.code, login.stderr).toBe(0);
    expect(refresh.code, refresh.stderr).toBe(0);
    const basic = provider?.requestHeaders.find((request) => request.path === '/token')?.headers
      .authorization;
    expect(Buffer.from(String(basic).slice(6), 'base64').toString()).toBe(
      `${confidentialClientId}:${confidentialClientSecret}`,
    );
  });

  it('retries once with client_secret_post when HTTP Basic is refused with invalid_client', async () => {
    const { login, refresh, tokenRequestsOfLogin } = await loginAndRefresh(
      { basicAuthRefused: true },
      confidentialClientId,
      confidentialClientSecret,
    );
    expect(login.code, login.stderr).toBe(0);
    expect(tokenRequestsOfLogin).toBe(2);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(provider?.grants.get('refresh_token')).toBe(1);
  });

  it('uses client_secret_post at once when the provider lists only that', async () => {
    const { login, tokenRequestsOfLogin } = await loginAndRefresh(
      { basicAuthRefused: true, tokenEndpointAuthMethods: ['client_secret_post'] },
      confidentialClientId,
      confidentialClientSecret,
    );
    expect(login.code, login.stderr).toBe(0);
    expect(tokenRequestsOfLogin).toBe(1);
  });

  it('does not retry when the provider lists only client_secret_basic, and says the client was refused', async () => {
    const { login, tokenRequestsOfLogin } = await loginAndRefresh(
      { basicAuthRefused: true, tokenEndpointAuthMethods: ['client_secret_basic'] },
      confidentialClientId,
      confidentialClientSecret,
    );
    expect(login.code).toBe(3);
    expect(login.stderr).toContain('invalid_client');
    expect(login.stderr).not.toContain(confidentialClientSecret);
    expect(tokenRequestsOfLogin).toBe(1);
  });
});

/**
 * OIDC_CLIENT_SECRET under an explicit PKCE S256: Together's install page has users of Google
 * export the secret while the kubeconfig says S256. The secret goes out only once the provider asks for client
 * authentication, on the same request: a failed client authentication leaves the code unused.
 */
describe('OIDC_CLIENT_SECRET under --oidc-pkce-method=S256', () => {
  const google = useRigProvider({ secretMissingAsGoogle: true });
  const s256 = ['--oidc-pkce-method=S256'];

  it('sends the secret after "client_secret is missing", with the same code, and again for the refresh', async () => {
    google.resetCounts();
    const args = loginArgs(google.issuer, confidentialClientId, join(tempDir('cache'), 'c'), s256);
    const env = { OIDC_CLIENT_SECRET: confidentialClientSecret };
    const login = await runPlugin(args, env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toMatch(
      /asks this client to authenticate \(invalid_request: client_secret is missing/,
    );
    expect(login.stderr).not.toContain(confidentialClientSecret);
    const [first, second, ...rest] = google.tokenRequests;
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      grantType: 'authorization_code',
      clientAuthentication: 'none',
      status: 400,
    });
    expect(second).toMatchObject({
      grantType: 'authorization_code',
      clientAuthentication: 'basic',
      status: 200,
    });
    expect(second?.code).toBe(first?.code);
    expect(google.grants.get('authorization_code')).toBe(1);

    const refresh = await runPlugin([...args, '--force-refresh'], env);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(google.grants.get('refresh_token')).toBe(1);
  });

  it('names the missing secret on its own when none is set', async () => {
    const result = await runPlugin(
      loginArgs(google.issuer, confidentialClientId, join(tempDir('cache'), 'c'), s256),
    );
    expect(result.code).toBe(3);
    expectOneError(
      result.stderr,
      /requires a client secret for client kubectl-confidential \(invalid_request: client_secret is missing/,
      /^hint: this client needs a secret: --oidc-client-secret or OIDC_CLIENT_SECRET$/,
    );
  });

  it("retries after oidc-provider's own 401 invalid_client too", async () => {
    const provider = await startProvider();
    try {
      const result = await runPlugin(
        loginArgs(provider.issuer, confidentialClientId, join(tempDir('cache'), 'c'), s256),
        { OIDC_CLIENT_SECRET: confidentialClientSecret },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(provider.tokenRequests.map((request) => request.status)).toEqual([401, 200]);
    } finally {
      await provider.close();
    }
  });

  it('keeps a stale secret away from a public client: never sent, named once at -v=1; a dead refresh token still means a new login', async () => {
    google.resetCounts();
    const args = loginArgs(google.issuer, publicClientId, join(tempDir('cache'), 'c'), s256);
    const env = { OIDC_CLIENT_SECRET: 'a-secret-meant-for-another-client' };
    const login = await runPlugin([...args, '-v=1'], env);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr.match(/OIDC_CLIENT_SECRET is set but was not sent/g)).toHaveLength(1);
    expect(google.tokenRequests.map((request) => request.clientAuthentication)).toEqual(['none']);

    // The session ends and the provider answers the refresh with unauthorized_client: the secret is tried (that
    // answer may mean "authenticate"), refused, and the first answer stands: one new login.
    await google.revokeRefreshTokens();
    google.setFault('refresh-refused-as-unauthorized_client');
    const again = await runPlugin([...args, '--force-refresh'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('refused the refresh token');
    expect(google.grants.get('authorization_code')).toBe(2);
    expect(
      google.tokenRequests.slice(1).map((request) => [request.grantType, request.clientAuthentication]),
    ).toEqual([
      ['refresh_token', 'none'],
      ['refresh_token', 'basic'],
      // invalid_client to Basic, and the provider lists client_secret_post: tried too, refused too.
      ['refresh_token', 'post'],
      ['authorization_code', 'none'],
    ]);
  });
});
