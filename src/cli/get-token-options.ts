/**
 * The flags of `get-token` and their translation into a typed, validated input. The table is the single source of
 * truth: the fast path parses argv with it, and `--help` is rendered from it.
 *
 * Every flag of int128/kubelogin v1.36 and together-kubelogin v0.1.0 is accepted with the same meaning and default;
 * flags of our own are marked in their description.
 */
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { expandHome as expandHomeWith } from '../platform/home.js';
import { type FlagSpec, type FlagValue, parseArgs } from './argv.js';
import { type CiTokenOptions, ciTokenFlags, parseCiTokenOptions } from './ci-token-options.js';

export const grantTypes = [
  'auto',
  'authcode',
  'authcode-keyboard',
  'password',
  'device-code',
  'client-credentials',
  'ci-token',
] as const;
export type GrantType = (typeof grantTypes)[number];
export const pkceMethods = ['auto', 'no', 'S256'] as const;
export type PkceMethod = (typeof pkceMethods)[number];
export const cacheStorages = ['disk', 'keyring', 'encrypted', 'none'] as const;
export type CacheStorage = (typeof cacheStorages)[number];

export const defaultListenAddresses = ['127.0.0.1:8000', '127.0.0.1:18000'];
/** Overrides --grant-type, so a user can change the flow a shared kubeconfig pins without editing it. */
export const grantTypeEnv = 'KUBECTL_TOGETHER_LOGIN_GRANT_TYPE';
export const defaultExpiryMarginSec = 30;

/**
 * klog's flags (besides -v), which int128/kubelogin registers on every command because it logs through klog; its
 * kubeconfigs carry them. Accepted with no effect: this plugin logs to stderr only, at the -v level.
 */
export const klogFlags: readonly FlagSpec[] = (
  [
    ['add_dir_header', 'bool'],
    ['alsologtostderr', 'bool'],
    ['legacy_stderr_threshold_behavior', 'bool'],
    ['log_backtrace_at', 'string'],
    ['log_dir', 'string'],
    ['log_file', 'string'],
    ['log_file_max_size', 'int'],
    ['logtostderr', 'bool'],
    ['one_output', 'bool'],
    ['skip_headers', 'bool'],
    ['skip_log_headers', 'bool'],
    ['stderrthreshold', 'string'],
    ['vmodule', 'string'],
  ] as const
).map(([name, kind]) => ({
  name,
  kind,
  description: "klog's flag, accepted for int128/kubelogin kubeconfigs; no effect",
  hidden: true,
}));

export const getTokenFlags: readonly FlagSpec[] = [
  { name: 'oidc-issuer-url', kind: 'string', description: 'Issuer URL of the provider (mandatory)' },
  { name: 'oidc-client-id', kind: 'string', description: 'Client ID of the provider (mandatory)' },
  {
    name: 'oidc-client-secret',
    kind: 'string',
    description:
      'Client secret of the provider (or env OIDC_CLIENT_SECRET, which is ignored under --oidc-pkce-method=S256 or --oidc-use-pkce)',
  },
  { name: 'oidc-extra-scope', kind: 'stringSlice', description: 'Scopes to request in addition to openid' },
  {
    name: 'oidc-use-access-token',
    kind: 'bool',
    description: 'Give kubectl the access token instead of the ID token',
  },
  {
    name: 'oidc-redirect-url',
    kind: 'string',
    description: '[authcode] Redirect URL (default http://localhost:PORT)',
  },
  {
    name: 'oidc-redirect-url-hostname',
    kind: 'string',
    description: '[authcode] Hostname of the redirect URL',
    defaultText: 'localhost',
  },
  {
    name: 'oidc-redirect-url-authcode-keyboard',
    kind: 'string',
    description: '[authcode-keyboard] Redirect URL when --oidc-redirect-url is not given',
    defaultText: 'urn:ietf:wg:oauth:2.0:oob',
  },
  {
    name: 'oidc-auth-request-extra-params',
    kind: 'stringMap',
    description: '[authcode] Extra query parameters for the authorization request (key=value)',
  },
  {
    name: 'oidc-request-header',
    kind: 'stringMap',
    description: 'Extra headers for requests to the provider (key=value)',
  },
  {
    name: 'oidc-pkce-method',
    kind: 'string',
    description: 'PKCE method: auto|no|S256 (auto: S256 when the provider advertises it)',
    defaultText: 'auto',
  },
  { name: 'oidc-use-pkce', kind: 'bool', description: 'Same as --oidc-pkce-method=S256', hidden: true },
  {
    name: 'grant-type',
    kind: 'string',
    description:
      "auto|authcode|authcode-keyboard|password|device-code|client-credentials|ci-token (ci-token: ours, the CI job's own OIDC token)",
    defaultText: 'auto',
  },
  {
    name: 'listen-address',
    kind: 'stringSlice',
    description: '[authcode] Addresses for the local callback server, tried in order',
    defaultText: defaultListenAddresses.join(','),
  },
  {
    name: 'listen-port',
    kind: 'stringSlice',
    description: '[authcode] Deprecated: ports on 127.0.0.1',
    hidden: true,
  },
  {
    name: 'skip-open-browser',
    kind: 'bool',
    description: '[authcode] Do not open the browser; the URL is printed on stderr',
  },
  {
    name: 'skip-qr-code',
    kind: 'bool',
    description: '(ours) [device-code] Do not draw the verification URL as a QR code on the terminal',
  },
  {
    name: 'browser-command',
    kind: 'string',
    description: '[authcode] Command to open the browser (the URL is appended)',
  },
  {
    name: 'authentication-timeout-sec',
    kind: 'int',
    description: 'Seconds to wait for a browser or device-code login',
    defaultText: '180',
  },
  {
    name: 'local-server-cert',
    kind: 'string',
    description: '[authcode] Certificate file for an HTTPS callback server',
  },
  {
    name: 'local-server-key',
    kind: 'string',
    description: '[authcode] Key file for an HTTPS callback server',
  },
  {
    name: 'open-url-after-authentication',
    kind: 'string',
    description: '[authcode] Redirect the browser here after login',
  },
  { name: 'username', kind: 'string', description: '[password] Username' },
  { name: 'password', kind: 'string', description: '[password] Password' },
  {
    name: 'certificate-authority',
    kind: 'stringArray',
    description: 'CA certificate file for the provider (repeatable)',
  },
  {
    name: 'certificate-authority-data',
    kind: 'stringArray',
    description: 'Base64-encoded CA certificate for the provider (repeatable)',
  },
  {
    name: 'insecure-skip-tls-verify',
    kind: 'bool',
    description: '[SECURITY RISK] Do not verify the provider certificate',
  },
  {
    name: 'tls-renegotiation-once',
    kind: 'bool',
    description:
      "Accepted for int128/kubelogin kubeconfigs; no effect (renegotiation follows Node's TLS defaults)",
  },
  {
    name: 'tls-renegotiation-freely',
    kind: 'bool',
    description:
      "Accepted for int128/kubelogin kubeconfigs; no effect (renegotiation follows Node's TLS defaults)",
  },
  {
    name: 'token-cache-dir',
    kind: 'string',
    description: 'Directory of the token cache',
    defaultText: '~/.kube/cache/oidc-login, or $KUBECACHEDIR/oidc-login',
  },
  {
    name: 'token-cache-storage',
    kind: 'string',
    description: 'disk|keyring|encrypted|none (encrypted: ours, tokens encrypted at rest)',
    defaultText: 'disk',
  },
  {
    name: 'token-cache-hint',
    kind: 'string',
    description: `(ours) A label that keeps several accounts at one provider apart in the cache (or env ${'KUBECTL_TOGETHER_LOGIN_CACHE_HINT'})`,
  },
  {
    name: 'force-refresh',
    kind: 'bool',
    description: 'Refresh (or log in) even when the cached token is still valid',
  },
  {
    name: 'provider-request-timeout',
    kind: 'string',
    description: '(ours) Give up on a request to the identity provider after this long, e.g. 30s, 1m',
    defaultText: '30s',
  },
  {
    name: 'token-expiry-margin',
    kind: 'string',
    description: '(ours) Treat a token as expired this long before its exp, e.g. 30s, 2m, 0',
    defaultText: `${defaultExpiryMarginSec}s`,
  },
  ...ciTokenFlags,
  {
    name: 'v',
    kind: 'int',
    short: 'v',
    description: 'Log verbosity on stderr (1: steps, 2+: details; secrets are never logged)',
    defaultText: '0',
  },
  ...klogFlags,
];

/** Flags that int128/kubelogin accepts before the subcommand too (`-v1 get-token …`): -v and klog's. */
export const globalFlagNames: ReadonlySet<string> = new Set(['v', ...klogFlags.map((flag) => flag.name)]);

export interface GetTokenInput {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly extraScopes: readonly string[];
  readonly useAccessToken: boolean;
  readonly redirectUrl: string | undefined;
  readonly redirectUrlHostname: string;
  readonly redirectUrlAuthcodeKeyboard: string | undefined;
  readonly authRequestExtraParams: Readonly<Record<string, string>>;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly pkceMethod: PkceMethod;
  readonly grantType: GrantType;
  readonly listenAddresses: readonly string[];
  readonly skipOpenBrowser: boolean;
  readonly skipQrCode: boolean;
  readonly browserCommand: string | undefined;
  readonly authenticationTimeoutSec: number;
  readonly localServerCert: string | undefined;
  readonly localServerKey: string | undefined;
  readonly openUrlAfterAuthentication: string | undefined;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly certificateAuthorityFiles: readonly string[];
  readonly certificateAuthorityData: readonly string[];
  readonly insecureSkipTlsVerify: boolean;
  readonly tokenCacheDir: string;
  readonly tokenCacheStorage: CacheStorage;
  readonly forceRefresh: boolean;
  readonly cacheHint: string | undefined;
  readonly expiryMarginSec: number;
  readonly providerRequestTimeoutSec: number;
  readonly verbosity: number;
  /** --ci-token-source and --ci-token-audience (src/cli/ci-token-options.ts). */
  readonly ciToken: CiTokenOptions;
}

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
  const { values, positionals } = parseArgs(argv, getTokenFlags);
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
    throw usageError(`--oidc-issuer-url must be an http(s) URL, not "${issuerUrl}"`);
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
  const cacheDir = str('token-cache-dir');
  const explicitS256 = bool('oidc-use-pkce') || str('oidc-pkce-method') === 'S256';

  return {
    issuerUrl,
    clientId,
    // Public PKCE clients (Okta, Auth0) answer any secret with invalid_client: under an explicit S256, as in
    // together-kubelogin, a secret from the environment is ignored; the flag still wins.
    clientSecret:
      str('oidc-client-secret') || (explicitS256 ? undefined : env.OIDC_CLIENT_SECRET) || undefined,
    extraScopes: list('oidc-extra-scope'),
    useAccessToken: bool('oidc-use-access-token'),
    redirectUrl,
    redirectUrlHostname: str('oidc-redirect-url-hostname') ?? 'localhost',
    authRequestExtraParams: map('oidc-auth-request-extra-params'),
    requestHeaders,
    pkceMethod: bool('oidc-use-pkce')
      ? 'S256'
      : oneOf(str('oidc-pkce-method') ?? 'auto', pkceMethods, 'oidc-pkce-method'),
    grantType,
    redirectUrlAuthcodeKeyboard: str('oidc-redirect-url-authcode-keyboard'),
    listenAddresses:
      listenAddresses.length > 0
        ? listenAddresses
        : listenPorts.length > 0
          ? listenPorts.map((port) => `127.0.0.1:${port}`)
          : defaultListenAddresses,
    skipOpenBrowser: bool('skip-open-browser'),
    skipQrCode: bool('skip-qr-code'),
    browserCommand: str('browser-command') || undefined,
    authenticationTimeoutSec: timeout ?? 180,
    localServerCert: cert === undefined ? undefined : expand(cert),
    localServerKey: key === undefined ? undefined : expand(key),
    openUrlAfterAuthentication: str('open-url-after-authentication') || undefined,
    username: str('username'),
    password: str('password'),
    certificateAuthorityFiles: list('certificate-authority').map(expand),
    certificateAuthorityData: list('certificate-authority-data'),
    insecureSkipTlsVerify: bool('insecure-skip-tls-verify'),
    tokenCacheDir: cacheDir ? expand(cacheDir) : defaultCacheDir(env, homeDir),
    tokenCacheStorage: oneOf(str('token-cache-storage') ?? 'disk', cacheStorages, 'token-cache-storage'),
    forceRefresh: bool('force-refresh'),
    cacheHint: str('token-cache-hint') || env.KUBECTL_TOGETHER_LOGIN_CACHE_HINT || undefined,
    expiryMarginSec: parseDurationSec(
      str('token-expiry-margin') ?? `${defaultExpiryMarginSec}s`,
      'token-expiry-margin',
    ),
    providerRequestTimeoutSec: positive(
      parseDurationSec(str('provider-request-timeout') ?? '30s', 'provider-request-timeout'),
      'provider-request-timeout',
    ),
    verbosity: (values.get('v') as number | undefined) ?? 0,
    ciToken,
  };
}

export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const kubeCacheDir = env.KUBECACHEDIR;
  return kubeCacheDir
    ? join(expandHome(kubeCacheDir, homeDir), 'oidc-login')
    : join(homeDir, '.kube', 'cache', 'oidc-login');
}

/** `~`, `~/…` and `~\…` under the home directory (platform/home.ts), with this platform's separators. */
export function expandHome(path: string, homeDir: string): string {
  return expandHomeWith(path, homeDir, join);
}

/**
 * The longest duration any flag takes: a day. Longer values are mistakes, and Node's timers overflow beyond
 * 2^31-1 ms (~24.8 days) into an immediate timeout.
 */
export const maxDurationSec = 86_400;

/** `90`, `90s`, `2m`, `1h`, `1m30s` → seconds, at most a day. */
export function parseDurationSec(raw: string, flag: string): number {
  const text = raw.trim();
  const match = /^(\d+)$|^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') {
    throw usageError(`--${flag} takes a duration such as 30s, 2m or 0, not "${raw}"`);
  }
  const [, bare, h = '0', m = '0', s = '0'] = match;
  const seconds = bare !== undefined ? Number(bare) : Number(h) * 3600 + Number(m) * 60 + Number(s);
  if (seconds > maxDurationSec) {
    throw usageError(`--${flag} must be at most 24h, not "${raw}"`);
  }
  return seconds;
}

/** RFC 9110 token characters for names; values without CR, LF or other control characters (header injection). */
function validHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw usageError(
        `--oidc-request-header "${name}" is not a valid HTTP header name`,
        'write it as NAME=VALUE, e.g. --oidc-request-header=X-Team=platform',
      );
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
      throw usageError(
        `--oidc-request-header ${name}: the value contains a line break or control character`,
        'give a single-line value',
      );
    }
  }
  return headers;
}

function positive(value: number, flag: string): number {
  if (value <= 0) throw usageError(`--${flag} must be longer than 0`);
  return value;
}

function missingFlag(flag: string, what: string): Error {
  return usageError(
    `--${flag} is required`,
    `add --${flag}=… (${what}) to the exec args of your kubeconfig user`,
  );
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  flag: string,
  source = `--${flag}`,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${source} must be one of ${allowed.join('|')}, not "${value}"`);
}

export type { FlagValue };
