/**
 * Resource-owner password credentials grant, for scripts and providers that allow it: --username and --password,
 * asking on the terminal for what is missing (the password without echo).
 */
import type { GetTokenInput } from '../core/get-token-input.js';
import type { TokenSet } from '../core/ports.js';
import type { OidcClient } from '../oidc/client.js';
import { createStdinPrompter, type Prompter } from '../platform/prompt.js';
import { explainGrantRefusal, explainPasswordRefusal } from './refusals.js';

export interface PasswordCredentials {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly clientId: string;
}

export function passwordCredentials(
  input: Pick<GetTokenInput, 'username' | 'password' | 'clientId'>,
): PasswordCredentials {
  return { username: input.username, password: input.password, clientId: input.clientId };
}

/** The terminal that asks for what the flags left out; without one, the login fails at once (exit 5). */
export function passwordPrompter(
  input: Pick<GetTokenInput, 'username'>,
  interactive: boolean | undefined,
): Prompter {
  return createStdinPrompter(interactive, {
    what: `the password login needs ${input.username ? 'a password' : 'a username and password'}`,
    hint: 'give --username and --password (the password is better kept out of the kubeconfig: use another flow if you can)',
  });
}

export async function loginWithPassword(
  oidc: OidcClient,
  credentials: PasswordCredentials,
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
