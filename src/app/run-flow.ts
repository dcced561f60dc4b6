/**
 * Runs one login flow, chosen already (core/select-flow.ts): each flow gets its options from the flags and the run,
 * and the terminal questions it may ask.
 */

import { AppError, ExitCode } from '../app-error.js';
import { createKeyLock } from '../cache/lock.js';
import { createLoginRecordStore } from '../cache/login-record-store.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import { type LoginRecord, reusableDeviceCode } from '../core/login-coordination.js';
import type { KeyLock, Logger, TokenSet } from '../core/ports.js';
import type { LoginFlow } from '../core/select-flow.js';
import { sha256Hex } from '../core/sha256.js';
import { loginWithBrowser } from '../flows/authcode.js';
import { loginWithDeviceCode } from '../flows/device-code.js';
import { loginWithKeyboard } from '../flows/keyboard.js';
import { loginWithPassword } from '../flows/password.js';
import { explainGrantRefusal } from '../flows/refusals.js';
import type { OidcClient } from '../oidc/client.js';
import { createStdinPrompter } from '../platform/prompt.js';
import { stderrTerminal } from '../platform/status-line.js';
import type { LoginContext } from './login-context.js';

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

export function runFlow(
  flow: LoginFlow,
  client: OidcClient,
  input: GetTokenInput,
  logger: Logger,
  context: LoginContext,
  {
    noBrowser,
    deadline,
    deviceCodeOffered,
  }: {
    noBrowser: string | undefined;
    deadline: number;
    /** False when the provider has no device-code flow or refused it: then the browser flow does not suggest it. */
    deviceCodeOffered: boolean;
  },
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
          localServerTls: localServerTls(input),
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
          deviceCodeOffered,
          browserSlot: context.record && browserSlot(input, deadline, logger),
          terminal,
        },
        logger,
      );
    case 'device-code': {
      // Without --authentication-timeout-sec the code's own lifetime is the limit (int128 waits as long), and
      // processes waiting for this key's lock learn it.
      const wholeLifetime = !input.authenticationTimeoutGiven;
      const resume = reusableDeviceCode(context.record?.read(), Date.now());
      const holderUntil = (r: LoginRecord, expiresAt: number) =>
        wholeLifetime && r.holder ? { holder: { ...r.holder, until: expiresAt } } : {};
      if (resume) context.record?.update((r) => ({ ...r, ...holderUntil(r, resume.expiresAt) }));
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
          deadline: wholeLifetime ? Number.POSITIVE_INFINITY : deadline,
          resume,
          onNewCode: (device) =>
            context.record?.update((r) => ({ ...r, device, ...holderUntil(r, device.expiresAt) })),
          terminal,
          qrCode: !input.skipQrCode,
        },
        logger,
      );
    }
    case 'authcode-keyboard':
      return loginWithKeyboard(
        client,
        {
          // As int128 v1.36: without --oidc-redirect-url no redirect_uri at all (it no longer sends the out-of-band
          // URI, which Google blocks); the older --oidc-redirect-url-authcode-keyboard still counts when given.
          redirectUri: input.redirectUrl ?? input.redirectUrlAuthcodeKeyboard,
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

/** --local-server-cert and --local-server-key, when both are given: the callback server then speaks HTTPS. */
export function localServerTls(input: GetTokenInput): { cert: string; key: string } | undefined {
  return input.localServerCert && input.localServerKey
    ? { cert: input.localServerCert, key: input.localServerKey }
    : undefined;
}
