/**
 * The grants that are one token request each, with nothing to show the user in between: the password grant, client
 * credentials (a machine's own identity) and the refresh.
 */
import * as client from 'openid-client';
import { rememberSecrets } from '../app-error.js';
import type { TokenSet } from '../core/ports.js';
import { type ConfiguredProvider, loginScope, providerRequest } from './provider.js';
import { tokenSetOf } from './token-response.js';

export async function passwordGrant(
  provider: ConfiguredProvider,
  username: string,
  password: string,
): Promise<TokenSet> {
  rememberSecrets(password);
  return providerRequest(provider, 'login', async () =>
    tokenSetOf(
      provider,
      await client.genericGrantRequest(provider.config, 'password', {
        username,
        password,
        scope: loginScope(provider.options),
      }),
    ),
  );
}

/** Machine identity: no user, so no `openid` scope unless asked for; extra params go into the token request. */
export async function clientCredentialsGrant(
  provider: ConfiguredProvider,
  extraParams: Readonly<Record<string, string>>,
): Promise<TokenSet> {
  const parameters: Record<string, string> = { ...extraParams };
  const { extraScopes } = provider.options;
  if (extraScopes.length > 0) parameters.scope = extraScopes.join(' ');
  return providerRequest(provider, 'login', async () =>
    tokenSetOf(provider, await client.clientCredentialsGrant(provider.config, parameters)),
  );
}

export async function refreshGrant(provider: ConfiguredProvider, refreshToken: string): Promise<TokenSet> {
  rememberSecrets(refreshToken);
  return providerRequest(provider, 'refresh', async () =>
    tokenSetOf(provider, await client.refreshTokenGrant(provider.config, refreshToken)),
  );
}
