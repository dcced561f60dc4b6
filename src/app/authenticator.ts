/**
 * The heavy half of get-token, loaded only when the cache cannot answer: the Authenticator that refreshes with the
 * provider, or logs in: fail fast after a recent failure (./recent-failure.ts), discover, plan the flow
 * (core/select-flow.ts: the flow, its fallback, whether a browser may open) and run it (flows/run-flow.ts).
 */

import { isAppError } from '../app-error.js';
import { createKeyLock } from '../cache/lock.js';
import { createLoginRecordStore } from '../cache/login-record-store.js';
import { createProviderMetadataStore } from '../cache/provider-metadata-store.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import { browserSlotName, browserSlotWaitMs } from '../core/login-coordination.js';
import type { Authenticator, KeyLock, Logger, TokenExchanger, TokenSet } from '../core/ports.js';
import { type FlowStep, fallbackNotice, mayUseCallbackServer, selectFlow } from '../core/select-flow.js';
import { checkCallbackSettings, localServerTls } from '../flows/callback-server.js';
import { isDeviceCodeUnavailable } from '../flows/refusals.js';
import { runFlow } from '../flows/run-flow.js';
import { OidcClient } from '../oidc/client.js';
import { probeFlowEnvironment } from '../platform/environment.js';
import { stderrTerminal } from '../platform/status-line.js';
import type { LoginContext } from './login-context.js';
import { oidcClientOptions } from './oidc-client-options.js';
import { failFastAfterRecentFailure, rememberFailure } from './recent-failure.js';

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
      if (mayUseCallbackServer(input.grantType)) {
        await checkCallbackSettings({ addresses: input.listenAddresses, tls: localServerTls(input) });
      }
      const client = await discover();
      const plan = selectFlow(input, probeFlowEnvironment(context.env), client.supportsDeviceCode());
      logger.debug(1, `login flow: ${plan.flow} (${plan.reason})`);
      if (plan.notice) logger.info(plan.notice);
      const deadline = Date.now() + input.authenticationTimeoutSec * 1000;
      // Processes waiting for our lock learn what we are doing, and for how long.
      record?.update((r) => ({
        ...r,
        holder: r.holder && { ...r.holder, flow: plan.flow, until: deadline },
      }));
      const run = (step: FlowStep) =>
        runFlow(client, input, {
          step,
          deadline,
          interactive: context.interactive,
          record,
          browserSlot: record && (() => browserSlot(input, deadline, logger)),
          terminal: stderrTerminal(context.env),
          logger,
        });
      let tokens: TokenSet;
      try {
        tokens = await run(plan).catch((error: unknown) => {
          // The plan's fallback (auto's device code on a headless machine), when the provider or client refuses it.
          if (!(plan.fallback && isDeviceCodeUnavailable(error))) throw error;
          logger.info(fallbackNotice(error.message));
          return run(plan.fallback);
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

/** The provider's browser slot, waited for as long as core/login-coordination.ts says. */
function browserSlot(input: GetTokenInput, deadline: number, logger: Logger): KeyLock {
  const slot = browserSlotName(input.issuerUrl);
  return createKeyLock(
    input.tokenCacheDir,
    slot,
    {
      timeoutMs: browserSlotWaitMs(deadline, Date.now(), input.authenticationTimeoutSec),
      graceMs: 0,
      flow: 'authcode',
      record: createLoginRecordStore(input.tokenCacheDir, slot, logger),
    },
    logger,
  );
}
