/**
 * The heavy half of get-token, loaded only when the cache cannot answer: the Authenticator that refreshes with the
 * provider, or logs in: fail fast after a recent failure (./recent-failure.ts), discover, choose the flow and run it
 * (./run-flow.ts), falling back to the browser when a headless machine cannot have the device code.
 */

import { isAppError } from '../app-error.js';
import { createProviderMetadataStore } from '../cache/provider-metadata-store.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import type { Authenticator, Logger, TokenExchanger, TokenSet } from '../core/ports.js';
import { type LoginFlow, selectFlow, whyNoBrowser } from '../core/select-flow.js';
import { checkCallbackSettings } from '../flows/callback-server.js';
import { isDeviceCodeUnavailable } from '../flows/refusals.js';
import { OidcClient } from '../oidc/client.js';
import { probeFlowEnvironment } from '../platform/environment.js';
import type { LoginContext } from './login-context.js';
import { oidcClientOptions } from './oidc-client-options.js';
import { failFastAfterRecentFailure, rememberFailure } from './recent-failure.js';
import { localServerTls, runFlow } from './run-flow.js';

export function createAuthenticator(
  input: GetTokenInput,
  logger: Logger,
  context: LoginContext,
): Authenticator & TokenExchanger {
  const options = oidcClientOptions(input, logger, context.env);
  // Nothing is written for --token-cache-storage=none. A run that does not check the provider's certificate may be
  // talking to anyone: it neither trusts a cached document nor leaves one behind (docs/token-cache.md).
  const metadataCache =
    input.tokenCacheStorage === 'none' || input.insecureSkipTlsVerify || context.cacheKey === undefined
      ? undefined
      : createProviderMetadataStore(input.tokenCacheDir, input.issuerUrl, context.cacheKey, logger);
  let discovered: Promise<OidcClient> | undefined;
  const discover = () => {
    discovered ??= OidcClient.discover(options);
    return discovered;
  };
  const remember = (oidc: OidcClient) => metadataCache?.write(oidc.snapshot());

  // A refresh or a token exchange trusts the cached discovery document and keys: one round trip instead of three.
  // If the cached endpoints cannot be reached at all, the document may be stale: discover again and retry once (no
  // response came back, so the refresh token was not used up).
  const oneRequest = async <T>(request: (oidc: OidcClient) => Promise<T>): Promise<T> => {
    const cached = metadataCache?.read(Date.now());
    if (cached) {
      const oidc = OidcClient.fromCache(options, cached);
      try {
        const result = await request(oidc);
        remember(oidc);
        return result;
      } catch (error) {
        if (!(isAppError(error) && error.code === 'provider.unreachable')) throw error;
        logger.debug(1, 'the cached endpoints are unreachable; discovering the provider again');
      }
    }
    const oidc = await discover();
    const result = await request(oidc);
    remember(oidc);
    return result;
  };

  return {
    refresh: (refreshToken) => oneRequest((oidc) => oidc.refresh(refreshToken)),
    exchange: (subjectToken, subjectIsAccessToken, settings) =>
      oneRequest((oidc) => oidc.exchange(subjectToken, subjectIsAccessToken, settings)),
    // A login always discovers afresh: it is interactive and slow anyway, and the browser must go to the right place.
    login: async () => {
      const { record } = context;
      await failFastAfterRecentFailure(record, input, context, logger);
      // The callback server's settings can be wrong in ways only this machine tells: found before any request.
      if (input.grantType === 'auto' || input.grantType === 'authcode') {
        await checkCallbackSettings({ addresses: input.listenAddresses, tls: localServerTls(input) });
      }
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
        logger.info(`${capitalized(choice.reason)}: using the browser flow.`);
      }
      // The browser flow on a headless machine (auto's fallback, or asked for): the URL is printed, and nothing is
      // launched (here a launcher finds no browser, or worse, a text browser that takes the terminal); the flow says
      // why, with the port it really listens on, once it listens.
      const flowInput =
        noBrowser !== undefined && !input.browserCommand ? { ...input, skipOpenBrowser: true } : input;
      const deadline = Date.now() + input.authenticationTimeoutSec * 1000;
      // Processes waiting for our lock learn what we are doing, and for how long.
      record?.update((r) => ({
        ...r,
        holder: r.holder && { ...r.holder, flow: choice.flow, until: deadline },
      }));
      const run = (flow: LoginFlow, deviceCodeOffered = client.supportsDeviceCode()) =>
        runFlow(flow, client, flowInput, logger, context, { noBrowser, deadline, deviceCodeOffered });
      let tokens: TokenSet;
      try {
        tokens = await run(choice.flow).catch((error: unknown) => {
          // auto chose the device code for a headless machine, and the provider or the client refuses it: the
          // browser flow still works for SSH users who forward the callback port, or who paste the URL back.
          if (!(auto && choice.flow === 'device-code' && isDeviceCodeUnavailable(error))) throw error;
          logger.info(`${capitalized(error.message)}: using the browser flow instead.`);
          return run('authcode', false);
        });
      } catch (error) {
        rememberFailure(record, error);
        throw error;
      }
      record?.update((r) => ({ ...r, device: undefined, failure: undefined }));
      remember(client);
      return tokens;
    },
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
