/**
 * The heavy half of get-token, loaded only when the cache cannot answer: OIDC discovery, choice of the login flow
 * and the flows themselves.
 */

import { createKeyLock } from '../cache/lock.js';
import { createLoginRecordStore, type LoginRecordStore } from '../cache/login-record.js';
import { createProviderMetadataStore } from '../cache/provider-metadata-store.js';
import { sha256Hex } from '../cache/sha256.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import {
  failureToReplay,
  isRememberedFailure,
  retryAfterFailureMs,
  reusableDeviceCode,
  spokenDuration,
} from '../core/login-attempt.js';
import type { Authenticator, KeyLock, Logger, TokenSet } from '../core/ports.js';
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
import { writeStderr } from '../platform/logger.js';
import { createStdinPrompter } from '../platform/prompt.js';
import { stderrTerminal } from '../platform/status-line.js';

export interface LoginContext {
  /** From KUBERNETES_EXEC_INFO: false when kubectl has no terminal for us, undefined on a manual run. */
  readonly interactive: boolean | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The key's login record (get-token): logins in progress and recent failures. setup has none. */
  readonly record?: LoginRecordStore;
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
      const { record } = context;
      await failFastAfterRecentFailure(record, input, context, logger);
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
      const deadline = Date.now() + input.authenticationTimeoutSec * 1000;
      // Processes waiting for our lock learn what we are doing, and for how long.
      record?.update((r) => ({
        ...r,
        holder: r.holder && { ...r.holder, flow: choice.flow, until: deadline },
      }));
      const run = (flow: LoginFlow) =>
        runFlow(flow, client, flowInput, logger, context, { noBrowser, deadline });
      let tokens: TokenSet;
      try {
        tokens = await run(choice.flow).catch((error: unknown) => {
          // auto chose the device code for a headless machine, and the provider or the client refuses it: the
          // browser flow still works for SSH users who forward the callback port, or who paste the URL back.
          if (!(auto && choice.flow === 'device-code' && isDeviceCodeUnavailable(error))) throw error;
          logger.info(
            `${capitalized(error.message)}: using the browser flow instead. ${browserFlowFromAfar}`,
          );
          return run('authcode');
        });
      } catch (error) {
        if (isAppError(error) && isRememberedFailure(error.code)) {
          const failure = {
            at: Date.now(),
            code: error.code,
            message: error.message,
            hint: error.hint,
            exitCode: error.exitCode,
          };
          // A device code that merely outlived this run stays for the next one; a refused or expired one does not.
          record?.update((r) => ({
            ...r,
            failure,
            device: error.code === 'auth.timeout' ? r.device : undefined,
          }));
        }
        throw error;
      }
      record?.update((r) => ({ ...r, device: undefined, failure: undefined }));
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

/**
 * After a login that failed moments ago (nobody logged in, the user said no, the code ran out), kubectl's retries
 * end at once with the same error instead of each starting a login of minutes. A user at a terminal may press Enter
 * to try again at once; --force-refresh always does.
 */
async function failFastAfterRecentFailure(
  record: LoginRecordStore | undefined,
  input: GetTokenInput,
  context: LoginContext,
  logger: Logger,
): Promise<void> {
  const failure = failureToReplay(record?.read(), Date.now(), input.forceRefresh);
  if (!failure) return;
  const left = failure.at + retryAfterFailureMs - Date.now();
  logger.info(
    `The last login failed ${spokenDuration(Date.now() - failure.at)} ago; not starting another for ${spokenDuration(left)} (--force-refresh tries at once).`,
  );
  const atTerminal = context.interactive !== false && Boolean(process.stdin.isTTY);
  if (atTerminal && !failure.asked) {
    if (await pressedEnter(Math.min(left, 30_000))) return;
    // The offer passed unanswered: the user is not at this terminal; later retries in the window do not ask again.
    record?.update((r) => ({ ...r, failure: r.failure && { ...r.failure, at: Date.now(), asked: true } }));
  }
  throw new AppError(failure.code, failure.message, {
    exitCode: failure.exitCode as ExitCode,
    hint: failure.hint,
  });
}

async function pressedEnter(withinMs: number): Promise<boolean> {
  const withdraw = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const answered = createStdinPrompter(undefined, { what: 'retrying', hint: '' })
    .ask(`Press Enter within ${spokenDuration(withinMs)} to log in again now: `, { signal: withdraw.signal })
    .then(
      () => true,
      () => false,
    );
  const passed = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), withinMs);
  });
  try {
    return await Promise.race([answered, passed]);
  } finally {
    clearTimeout(timer);
    withdraw.abort();
    writeStderr('\n');
  }
}

/**
 * The provider's browser slot: a lock shared by every cache key of this issuer (see AuthCodeOptions). A waiter
 * gives up when too little of its own time would be left for a login in the tab it would open.
 */
function browserSlot(input: GetTokenInput, deadline: number, logger: Logger): KeyLock {
  const slot = `browser-${sha256Hex(input.issuerUrl)}`;
  const timeForATabMs = Math.min(30_000, (input.authenticationTimeoutSec * 1000) / 2);
  return createKeyLock(
    input.tokenCacheDir,
    slot,
    {
      timeoutMs: Math.max(0, deadline - Date.now() - timeForATabMs),
      graceMs: 0,
      flow: 'authcode',
      record: createLoginRecordStore(input.tokenCacheDir, slot, logger),
    },
    logger,
  );
}

function runFlow(
  flow: LoginFlow,
  client: OidcClient,
  input: GetTokenInput,
  logger: Logger,
  context: LoginContext,
  { noBrowser, deadline }: { noBrowser: string | undefined; deadline: number },
): Promise<TokenSet> {
  const terminal = stderrTerminal(context.env);
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
          noBrowser,
          browserSlot: context.record && browserSlot(input, deadline, logger),
          terminal,
        },
        logger,
      );
    case 'device-code':
      return loginWithDeviceCode(
        client,
        {
          openBrowser:
            !input.skipOpenBrowser && (noBrowser === undefined || input.browserCommand !== undefined),
          browserCommand: input.browserCommand,
          extraParams: input.authRequestExtraParams,
          pkce: input.pkceMethod,
          verbosity: input.verbosity,
          clientId: input.clientId,
          timeoutSec: input.authenticationTimeoutSec,
          deadline,
          resume: reusableDeviceCode(context.record?.read(), Date.now()),
          onNewCode: (device) => context.record?.update((r) => ({ ...r, device })),
          terminal,
          qrCode: !input.skipQrCode,
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
