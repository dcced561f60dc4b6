/**
 * The device authorization grant (RFC 8628): the request for a device and user code, and the polling of the token
 * endpoint until the user has logged in; or the polling of a code an earlier run started (src/cache/login-record-store.ts).
 */
import * as client from 'openid-client';
import { rememberSecrets } from '../app-error.js';
import { checkedBrowserUrl } from '../core/browser-url.js';
import type { SavedDeviceCode } from '../core/login-coordination.js';
import type { TokenSet } from '../core/ports.js';
import { type PkceMode, pkceFor } from './pkce.js';
import { type ConfiguredProvider, loginScope, providerRequest } from './provider.js';
import { tokenSetOf } from './token-response.js';

export interface DeviceAuthorization {
  readonly verificationUri: string;
  readonly verificationUriComplete: string | undefined;
  /** Shown to the user, who types or confirms it at the provider. Not a secret like the device code. */
  readonly userCode: string;
  readonly expiresInSec: number;
  /** What a later run needs to show the same code and poll it (src/cache/login-record-store.ts keeps it). */
  readonly saved: SavedDeviceCode;
  /** Polls the token endpoint at the provider's interval (+5 s on slow_down) until the user has logged in. */
  poll(signal: AbortSignal): Promise<TokenSet>;
}

/**
 * With PKCE when the provider advertises S256 (or --oidc-pkce-method=S256): Keycloak can require it for the
 * device grant (int128/kubelogin #1470). The verifier goes with every poll of the token endpoint.
 */
export async function startDeviceAuthorization(
  provider: ConfiguredProvider,
  extraParams: Readonly<Record<string, string>>,
  pkceMode: PkceMode,
): Promise<DeviceAuthorization> {
  const pkce = await pkceFor(provider.config, pkceMode);
  const params: Record<string, string> = {
    ...extraParams,
    scope: loginScope(provider.options),
    ...pkce.params,
  };
  const response = await providerRequest(provider, 'login', () =>
    client.initiateDeviceAuthorization(provider.config, params),
  );
  rememberSecrets(response.device_code);
  provider.options.logger.debug(
    1,
    `device authorization: PKCE ${pkce.verifier ? 'S256' : 'off'}, expires in ${response.expires_in} s, interval ${response.interval ?? 5} s`,
  );
  // Both are shown, drawn as a QR code and opened in a browser: checked before any of that, and before they are saved.
  const verificationUri = checkedBrowserUrl(response.verification_uri, 'verification_uri');
  const verificationUriComplete =
    response.verification_uri_complete === undefined
      ? undefined
      : checkedBrowserUrl(response.verification_uri_complete, 'verification_uri_complete');
  return deviceAuthorization(provider, response, {
    deviceCode: response.device_code,
    userCode: response.user_code,
    verificationUri,
    verificationUriComplete,
    intervalSec: response.interval ?? 5,
    expiresAt: Date.now() + response.expires_in * 1000,
    codeVerifier: pkce.verifier,
  });
}

/** Polls the device code of an earlier run again (it is still valid: the caller checked). */
export function resumeDeviceAuthorization(
  provider: ConfiguredProvider,
  saved: SavedDeviceCode,
): DeviceAuthorization {
  return deviceAuthorization(
    provider,
    {
      device_code: saved.deviceCode,
      user_code: saved.userCode,
      verification_uri: saved.verificationUri,
      verification_uri_complete: saved.verificationUriComplete,
      interval: saved.intervalSec,
      expires_in: Math.max(1, Math.round((saved.expiresAt - Date.now()) / 1000)),
    },
    saved,
  );
}

function deviceAuthorization(
  provider: ConfiguredProvider,
  response: client.DeviceAuthorizationResponse,
  saved: SavedDeviceCode,
): DeviceAuthorization {
  return {
    verificationUri: saved.verificationUri,
    verificationUriComplete: saved.verificationUriComplete,
    userCode: saved.userCode,
    expiresInSec: Math.round((saved.expiresAt - Date.now()) / 1000),
    saved,
    poll: (signal) =>
      providerRequest(provider, 'login', async () =>
        tokenSetOf(
          provider,
          await client.pollDeviceAuthorizationGrant(
            provider.config,
            response,
            saved.codeVerifier ? { code_verifier: saved.codeVerifier } : undefined,
            { signal },
          ),
        ),
      ),
  };
}
