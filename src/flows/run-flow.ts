/**
 * Runs one step of the login plan (core/select-flow.ts): each flow builds its own options from the flags and the
 * run, next to itself.
 */
import type { GetTokenInput } from '../core/get-token-input.js';
import type { TokenSet } from '../core/ports.js';
import type { OidcClient } from '../oidc/client.js';
import { authcodeOptions, loginWithBrowser } from './authcode.js';
import { loginWithClientCredentials } from './client-credentials.js';
import { deviceCodeOptions, loginWithDeviceCode } from './device-code.js';
import type { FlowRun } from './flow-run.js';
import { keyboardOptions, keyboardPrompter, loginWithKeyboard } from './keyboard.js';
import { loginWithPassword, passwordCredentials, passwordPrompter } from './password.js';

export function runFlow(client: OidcClient, input: GetTokenInput, run: FlowRun): Promise<TokenSet> {
  switch (run.step.flow) {
    case 'authcode':
      return loginWithBrowser(client, authcodeOptions(input, run), run.logger);
    case 'device-code':
      return loginWithDeviceCode(client, deviceCodeOptions(input, run), run.logger);
    case 'authcode-keyboard':
      return loginWithKeyboard(client, keyboardOptions(input), keyboardPrompter(run.interactive), run.logger);
    case 'password':
      return loginWithPassword(client, passwordCredentials(input), passwordPrompter(input, run.interactive));
    case 'client-credentials':
      return loginWithClientCredentials(client, input);
  }
}
