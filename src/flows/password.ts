/**
 * Resource-owner password credentials grant, for scripts and providers that allow it: --username and --password,
 * asking on the terminal for what is missing (the password without echo).
 */
import type { TokenSet } from '../core/ports.js';
import type { OidcClient } from '../oidc/client.js';
import type { Prompter } from '../platform/prompt.js';
import { explainGrantRefusal, explainPasswordRefusal } from './refusals.js';

export async function loginWithPassword(
  oidc: OidcClient,
  credentials: { username: string | undefined; password: string | undefined; clientId: string },
  prompter: Prompter,
): Promise<TokenSet> {
  const username = credentials.username ?? (await prompter.ask('Username: '));
  const password = credentials.password ?? (await prompter.askHidden('Password: '));
  try {
    return await oidc.passwordGrant(username, password);
  } catch (error) {
    throw explainPasswordRefusal(
      explainGrantRefusal(
        error,
        'password',
        credentials.clientId,
        oidc.snapshot().metadata.grant_types_supported,
      ),
      oidc.sendsClientSecret(),
    );
  }
}
