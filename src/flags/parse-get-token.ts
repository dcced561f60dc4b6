/**
 * get-token's argv → the typed input (src/core/get-token-input.ts), with the defaults int128/kubelogin applies and a
 * usage error (exit 2) naming the flag at fault. The flags themselves are declared in ./get-token-flags.ts.
 */

import { cutForMessage, usageError } from '../app-error.js';
import { cacheDirFor } from '../cache/location.js';
import { cacheStorages, type GetTokenInput, grantTypes, pkceMethods } from '../core/get-token-input.js';
import { checkRedirectCovered } from '../core/listen-plan.js';
import { requestedTokenTypes } from '../core/token-exchange-settings.js';
import { expandHome } from '../platform/home.js';
import { parseArgs } from './argv.js';
import { parseCiTokenOptions } from './ci-token-flags.js';
import { maxDurationSec, oneOf, parseDurationSec, positive, validHeaders } from './flag-values.js';
import {
  defaultAuthenticationTimeoutSec,
  defaultExpiryMarginSec,
  defaultListenAddresses,
  defaultProviderRequestTimeoutSec,
  getTokenFlagKinds,
} from './get-token-flag-kinds.js';

/** Overrides --grant-type, so a user can change the flow a shared kubeconfig pins without editing it. */
export const grantTypeEnv = 'KUBECTL_TOGETHER_LOGIN_GRANT_TYPE';

export interface InputEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** The error for a missing required setting, when the cluster could have given it (cluster-settings.ts). */
  readonly missingSetting?: (flag: string, what: string) => Error;
}

/** argv (after `get-token`) → typed input. Throws a usage error (exit 2) naming the flag at fault. */
export function parseGetTokenInput(
  argv: readonly string[],
  { env, homeDir, missingSetting }: InputEnvironment,
): GetTokenInput {
  const { values, positionals } = parseArgs(argv, getTokenFlagKinds);
  if (positionals.length > 0) {
    throw usageError(
      `unexpected argument "${positionals[0]}"`,
      'get-token takes only flags, such as --oidc-issuer-url=URL',
    );
  }
  const str = (name: string) => values.get(name) as string | undefined;
  const bool = (name: string) => (values.get(name) as boolean | undefined) ?? false;
  const list = (name: string) => (values.get(name) as string[] | undefined) ?? [];
  const map = (name: string) => (values.get(name) as Record<string, string> | undefined) ?? {};
  const expand = (path: string) => expandHome(path, homeDir);
  const required = (value: string | undefined, flag: string, what: string) => {
    if (value) return value;
    throw missingSetting?.(flag, what) ?? missingFlag(flag, what);
  };
  const grantType = env[grantTypeEnv]
    ? oneOf(env[grantTypeEnv], grantTypes, 'grant-type', `${grantTypeEnv}=${env[grantTypeEnv]}`)
    : oneOf(str('grant-type') ?? 'auto', grantTypes, 'grant-type');
  const ciGrant = grantType === 'ci-token';
  const ciToken = parseCiTokenOptions(
    { source: str('ci-token-source'), audience: str('ci-token-audience') },
    ciGrant,
    expand,
  );

  // A CI job's token needs no identity provider settings: they stay empty unless given.
  const issuerUrl = ciGrant
    ? (str('oidc-issuer-url') ?? '')
    : required(
        str('oidc-issuer-url'),
        'oidc-issuer-url',
        'the URL of your identity provider, e.g. https://accounts.example.com',
      );
  if (!ciGrant && (!/^https?:\/\/[^/]/.test(issuerUrl) || !URL.canParse(issuerUrl))) {
    throw usageError(`--oidc-issuer-url must be an http(s) URL, not "${cutForMessage(issuerUrl)}"`);
  }
  const redirectUrl = str('oidc-redirect-url');
  if (redirectUrl !== undefined && !URL.canParse(redirectUrl)) {
    throw usageError(
      `--oidc-redirect-url must be a URL, not "${redirectUrl}"`,
      'write it as registered at the provider, e.g. http://localhost:8000',
    );
  }
  const requestHeaders = validHeaders(map('oidc-request-header'));
  const clientId = ciGrant
    ? (str('oidc-client-id') ?? '')
    : required(str('oidc-client-id'), 'oidc-client-id', 'the client ID registered at your identity provider');

  const listenPorts = list('listen-port');
  const listenAddresses = list('listen-address');
  const timeout = values.get('authentication-timeout-sec') as number | undefined;
  if (timeout !== undefined && timeout <= 0)
    throw usageError('--authentication-timeout-sec must be positive');
  if (timeout !== undefined && timeout > maxDurationSec) {
    throw usageError(
      `--authentication-timeout-sec must be at most ${maxDurationSec} (a day), not ${timeout}`,
    );
  }
  const cert = str('local-server-cert');
  const key = str('local-server-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw usageError(
      '--local-server-cert and --local-server-key go together',
      'give both files, or neither for plain http',
    );
  }
  const redirectUrlHostname = str('oidc-redirect-url-hostname') ?? 'localhost';
  const resolvedListenAddresses =
    listenAddresses.length > 0
      ? listenAddresses
      : listenPorts.length > 0
        ? listenPorts.map((port) => `127.0.0.1:${port}`)
        : defaultListenAddresses;
  // Runs that may start the callback server (auto without --username may end in the browser flow) check its
  // addresses and the redirect host now, before any request: not after a device code was refused. The default
  // addresses cover the default redirect host (localhost) by design (test/unit/listen-plan.test.ts): a run that sets
  // neither, as most kubeconfigs, skips the check, which costs every cache hit two regular expressions.
  const defaultListening =
    resolvedListenAddresses === defaultListenAddresses &&
    redirectUrl === undefined &&
    !values.has('oidc-redirect-url-hostname');
  if (!defaultListening && (grantType === 'authcode' || (grantType === 'auto' && !str('username')))) {
    checkRedirectCovered(
      resolvedListenAddresses,
      redirectUrl === undefined ? redirectUrlHostname : new URL(redirectUrl).hostname,
      redirectUrl !== undefined
        ? '--oidc-redirect-url'
        : values.has('oidc-redirect-url-hostname')
          ? '--oidc-redirect-url-hostname'
          : undefined,
    );
  }
  const cacheDir = str('token-cache-dir');
  // A loop, not map(): the standalone compiles an array builtin on first use, even over an empty list.
  const certificateAuthorityFiles: string[] = [];
  for (const file of list('certificate-authority')) certificateAuthorityFiles.push(expand(file));
  const explicitS256 = bool('oidc-use-pkce') || str('oidc-pkce-method') === 'S256';

  return {
    issuerUrl,
    clientId,
    // Public PKCE clients (Okta, Auth0) answer any secret with invalid_client: under an explicit S256, as in
    // together-kubelogin, a secret from the environment is not sent at first, only when the provider asks for one
    // (Google); the flag is always sent.
    clientSecret:
      str('oidc-client-secret') || (explicitS256 ? undefined : env.OIDC_CLIENT_SECRET) || undefined,
    clientSecretIfAsked:
      explicitS256 && !str('oidc-client-secret') ? env.OIDC_CLIENT_SECRET || undefined : undefined,
    extraScopes: list('oidc-extra-scope'),
    useAccessToken: bool('oidc-use-access-token'),
    redirectUrl,
    redirectUrlHostname,
    authRequestExtraParams: map('oidc-auth-request-extra-params'),
    requestHeaders,
    pkceMethod: bool('oidc-use-pkce')
      ? 'S256'
      : oneOf(str('oidc-pkce-method') ?? 'auto', pkceMethods, 'oidc-pkce-method'),
    grantType,
    redirectUrlAuthcodeKeyboard: str('oidc-redirect-url-authcode-keyboard'),
    listenAddresses: resolvedListenAddresses,
    skipOpenBrowser: bool('skip-open-browser'),
    skipQrCode: bool('skip-qr-code'),
    browserCommand: str('browser-command') || undefined,
    authenticationTimeoutSec: timeout ?? defaultAuthenticationTimeoutSec,
    authenticationTimeoutGiven: timeout !== undefined,
    localServerCert: cert === undefined ? undefined : expand(cert),
    localServerKey: key === undefined ? undefined : expand(key),
    openUrlAfterAuthentication: str('open-url-after-authentication') || undefined,
    username: str('username'),
    password: str('password'),
    certificateAuthorityFiles,
    certificateAuthorityData: list('certificate-authority-data'),
    insecureSkipTlsVerify: bool('insecure-skip-tls-verify'),
    tokenCacheDir: cacheDirFor(cacheDir, env, homeDir),
    tokenCacheStorage: oneOf(str('token-cache-storage') ?? 'disk', cacheStorages, 'token-cache-storage'),
    forceRefresh: bool('force-refresh'),
    cacheHint: str('token-cache-hint') || env.KUBECTL_TOGETHER_LOGIN_CACHE_HINT || undefined,
    // The defaults are numbers already: a hit with them parses no duration (a regular expression each).
    expiryMarginSec: durationOr(str('token-expiry-margin'), defaultExpiryMarginSec, 'token-expiry-margin'),
    providerRequestTimeoutSec: positive(
      durationOr(
        str('provider-request-timeout'),
        defaultProviderRequestTimeoutSec,
        'provider-request-timeout',
      ),
      'provider-request-timeout',
    ),
    verbosity: (values.get('v') as number | undefined) ?? 0,
    tokenExchange: parseTokenExchange(
      str('token-exchange-audience'),
      str('token-exchange-requested-token-type'),
      ciGrant,
    ),
    ciToken,
  };
}

/** A duration flag's value in seconds: `given` parsed, or the default when the flag is absent. */
function durationOr(given: string | undefined, defaultSec: number, flag: string): number {
  return given === undefined ? defaultSec : parseDurationSec(given, flag);
}

/**
 * The audience may come from a cluster's settings, which someone else wrote: a value that cannot be an audience
 * (control characters, overlong) is refused before any request rather than sent to the provider.
 */
function parseTokenExchange(
  audience: string | undefined,
  requestedType: string | undefined,
  ciGrant: boolean,
): GetTokenInput['tokenExchange'] {
  const requestedTokenType = oneOf(
    requestedType ?? 'id-token',
    requestedTokenTypes,
    'token-exchange-requested-token-type',
  );
  if (!audience) return undefined;
  if (audience.length > maxAudienceLength || hasControlCharacter(audience))
    throw usageError(
      `--token-exchange-audience must be an audience (a URI or a name, at most ${maxAudienceLength} characters, no control characters), not ${JSON.stringify(cutForMessage(audience))}`,
      "give the audience the cluster's AuthenticationConfiguration names, in the exec args or the cluster's token-exchange-audience",
    );
  if (ciGrant)
    throw usageError(
      '--token-exchange-audience does not go with --grant-type=ci-token',
      "a CI job's token is handed to the cluster as it is: give --ci-token-audience the cluster's audience instead",
    );
  return { audience, requestedTokenType };
}

const maxAudienceLength = 512;

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function missingFlag(flag: string, what: string): Error {
  return usageError(
    `--${flag} is required`,
    `add --${flag}=… (${what}) to the exec args of your kubeconfig user`,
  );
}
