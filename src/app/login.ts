/**
 * The heavy half of get-token, loaded only when the cache cannot answer: OIDC discovery, choice of the login flow
 * and the flows themselves.
 */

import { createProviderMetadataStore } from '../cache/provider-metadata-store.js';
import type { GetTokenInput } from '../cli/get-token-options.js';
import type { Authenticator, Logger, TokenSet } from '../core/ports.js';
import { type LoginFlow, selectFlow, whyNoBrowser } from '../core/select-flow.js';
import { AppError, ExitCode, isAppError } from '../errors.js';
import { loginWithBrowser } from '../flows/authcode.js';
import { loginWithDeviceCode } from '../flows/device-code.js';
import { loginWithKeyboard, outOfBandRedirectUri } from '../flows/keyboard.js';
import { loginWithPassword } from '../flows/password.js';
import { explainGrantRefusal, isDeviceCodeUnavailable } from '../flows/refusals.js';
import { OidcClient, type OidcClientOptions } from '../oidc/client.js';
import { createTransport } from '../oidc/transport.js';
import { readCertificateAuthorities } from '../platform/certificate-authorities.js';
import { probeFlowEnvironment } from '../platform/environment.js';
import { createStdinPrompter } from '../platform/prompt.js';

export interface LoginContext {
  /** From KUBERNETES_EXEC_INFO: false when kubectl has no terminal for us, undefined on a manual run. */
  readonly interactive: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** How to reach and talk to the provider, from the get-token flags (also used by setup). */
export function oidcClientOptions(
  input: GetTokenInput,
  logger: Logger,
  env: Readonly<Record<string, string | undefined>>,
): OidcClientOptions {
  return {
    issuerUrl: input.issuerUrl,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    extraScopes: input.extraScopes,
    requestHeaders: input.requestHeaders,
    timeoutSec: input.providerRequestTimeoutSec,
    transport: createTransport(
      {
        certificateAuthorities: readCertificateAuthorities(
          input.certificateAuthorityFiles,
          input.certificateAuthorityData,
        ),
        insecureSkipTlsVerify: input.insecureSkipTlsVerify,
        env,
      },
      logger,
    ),
    logger,
  };
}

export function createAuthenticator(
  input: GetTokenInput,
  logger: Logger,
  context: LoginContext,
): Authenticator {
  const options = oidcClientOptions(input, logger, context.env);
  // Nothing is written for --token-cache-storage=none.
  const metadataCache =
    input.tokenCacheStorage === 'none'
      ? undefined
      : createProviderMetadataStore(input.tokenCacheDir, input.issuerUrl, logger);
  let discovered: Promise<OidcClient> | undefined;
  const discover = () => {
    discovered ??= OidcClient.discover(options);
    return discovered;
  };
  const remember = (oidc: OidcClient) => metadataCache?.write(oidc.snapshot());

  return {
    // A refresh trusts the cached discovery document and keys: one round trip instead of three. If the cached
    // endpoints cannot be reached at all, the document may be stale: discover again and retry once (no response
    // came back, so the refresh token was not used up).
    refresh: async (refreshToken) => {
      const cached = metadataCache?.read(Date.now());
      if (cached) {
        const oidc = OidcClient.fromCache(options, cached);
        try {
          const tokens = await oidc.refresh(refreshToken);
          remember(oidc);
          return tokens;
        } catch (error) {
          if (!(isAppError(error) && error.code === 'provider.unreachable')) throw error;
          logger.debug(1, 'the cached endpoints are unreachable; discovering the provider again');
        }
      }
      const oidc = await discover();
      const tokens = await oidc.refresh(refreshToken);
      remember(oidc);
      return tokens;
    },
    // A login always discovers afresh: it is interactive and slow anyway, and the browser must go to the right place.
    login: async () => {
      const client = await discover();
      const environment = probeFlowEnvironment(context.env);
      const noBrowser = whyNoBrowser(environment);
      const choice = selectFlow(input, environment, client.supportsDeviceCode());
      logger.debug(1, `login flow: ${choice.flow} (${choice.reason})`);
      const auto = input.grantType === 'auto';
      if (auto && choice.flow === 'device-code') {
        logger.info(`No browser can be opened here (${noBrowser}): using a device code instead.`);
      }
      if (auto && choice.flow === 'authcode' && !client.supportsDeviceCode() && noBrowser !== undefined) {
        logger.info(`${capitalized(choice.reason)}: using the browser flow. ${browserFlowFromAfar}`);
      }
      // auto ends in the browser flow on a headless machine only as a fallback: the URL is printed, and nothing is
      // launched (here a launcher finds no browser, or worse, a text browser that takes the terminal).
      const flowInput =
        auto && noBrowser !== undefined && !input.browserCommand
          ? { ...input, skipOpenBrowser: true }
          : input;
      const run = (flow: LoginFlow) =>
        runFlow(flow, client, flowInput, logger, context, noBrowser === undefined);
      const tokens = await run(choice.flow).catch((error: unknown) => {
        // auto chose the device code for a headless machine, and the provider or the client refuses it: the
        // browser flow still works for SSH users who forward the callback port, or who paste the URL back.
        if (!(auto && choice.flow === 'device-code' && isDeviceCodeUnavailable(error))) throw error;
        logger.info(`${capitalized(error.message)}: using the browser flow instead. ${browserFlowFromAfar}`);
        return run('authcode');
      });
      remember(client);
      return tokens;
    },
  };
}

/** What a user without a local browser does with the browser flow's URL. */
const browserFlowFromAfar =
  "Open the URL below in a browser that can reach this machine's callback port (over SSH: ssh -L 8000:localhost:8000).";

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function runFlow(
  flow: LoginFlow,
  client: OidcClient,
  input: GetTokenInput,
  logger: Logger,
  context: LoginContext,
  browserAvailable: boolean,
): Promise<TokenSet> {
  switch (flow) {
    case 'authcode':
      return loginWithBrowser(
        client,
        {
          listenAddresses: input.listenAddresses,
          redirectUrl: input.redirectUrl,
          redirectUrlHostname: input.redirectUrlHostname,
          localServerTls:
            input.localServerCert && input.localServerKey
              ? { cert: input.localServerCert, key: input.localServerKey }
              : undefined,
          pkce: input.pkceMethod,
          authRequestExtraParams: input.authRequestExtraParams,
          skipOpenBrowser: input.skipOpenBrowser,
          browserCommand: input.browserCommand,
          openUrlAfterAuthentication: input.openUrlAfterAuthentication,
          timeoutSec: input.authenticationTimeoutSec,
          verbosity: input.verbosity,
          // Only with a person at a terminal: kubectl said so, or a manual run in a terminal.
          pasteFallback:
            context.interactive === true || (context.interactive === undefined && process.stdin.isTTY)
              ? createStdinPrompter(context.interactive, { what: 'pasting the URL', hint: '' })
              : undefined,
        },
        logger,
      );
    case 'device-code':
      return loginWithDeviceCode(
        client,
        {
          openBrowser: !input.skipOpenBrowser && (browserAvailable || input.browserCommand !== undefined),
          browserCommand: input.browserCommand,
          extraParams: input.authRequestExtraParams,
          pkce: input.pkceMethod,
          verbosity: input.verbosity,
          clientId: input.clientId,
        },
        logger,
      );
    case 'authcode-keyboard':
      return loginWithKeyboard(
        client,
        {
          redirectUri: input.redirectUrl ?? input.redirectUrlAuthcodeKeyboard ?? outOfBandRedirectUri,
          pkce: input.pkceMethod,
          extraParams: input.authRequestExtraParams,
        },
        createStdinPrompter(context.interactive, {
          what: 'the keyboard login reads the code from the terminal',
          hint: 'set interactiveMode: IfAvailable in the kubeconfig, or use --grant-type=device-code, which needs no terminal',
        }),
        logger,
      );
    case 'password':
      return loginWithPassword(
        client,
        { username: input.username, password: input.password, clientId: input.clientId },
        createStdinPrompter(context.interactive, {
          what: `the password login needs ${input.username ? 'a password' : 'a username and password'}`,
          hint: 'give --username and --password (the password is better kept out of the kubeconfig: use another flow if you can)',
        }),
      );
    case 'client-credentials': {
      if (!input.clientSecret) {
        return Promise.reject(
          new AppError('usage.client-secret', 'the client credentials grant needs a client secret', {
            exitCode: ExitCode.usage,
            hint: 'set OIDC_CLIENT_SECRET (or --oidc-client-secret) for the client',
          }),
        );
      }
      return client
        .clientCredentials(input.authRequestExtraParams)
        .catch((error: unknown) =>
          Promise.reject(
            explainGrantRefusal(
              error,
              'client_credentials',
              input.clientId,
              client.snapshot().metadata.grant_types_supported,
            ),
          ),
        );
    }
  }
}
