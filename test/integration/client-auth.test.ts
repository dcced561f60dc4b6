/**
 * Client authentication with a secret against providers that differ in what they accept (issue 11, item 12): the
 * client id and secret arrive as int128/kubelogin sends them, the method follows the discovery document, and a
 * refused HTTP Basic is retried once with client_secret_post.
 */
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loginArgs, parseCredential, runPlugin, tempDir } from '../rig/plugin.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  oddClientId,
  oddClientSecret,
  type ProviderOptions,
  type RigProvider,
  startProvider,
} from '../rig/provider.js';

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
