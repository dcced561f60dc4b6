/**
 * The flags of `get-token`, as kubeconfigs write them in their exec args, with their help texts: `--help` is rendered
 * from this table, and setup and convert-kubeconfig read it. The cache hit parses argv with the same flags' names and
 * kinds alone (./get-token-flag-kinds.ts), without evaluating this table; test/unit/get-token-flag-kinds.test.ts
 * keeps the two in step.
 *
 * Every flag of int128/kubelogin v1.36 and together-kubelogin v0.1.0 is accepted with the same meaning and default;
 * flags of our own are marked in their description.
 */
import { requestedTokenTypes } from '../core/token-exchange-settings.js';
import type { FlagSpec } from './argv.js';
import { ciTokenFlags } from './ci-token-flags.js';
import {
  defaultAuthenticationTimeoutSec,
  defaultExpiryMarginSec,
  defaultListenAddresses,
  defaultProviderRequestTimeoutSec,
  getTokenFlagShapes,
  globalFlagNames,
} from './get-token-flag-kinds.js';

export {
  defaultAuthenticationTimeoutSec,
  defaultExpiryMarginSec,
  defaultListenAddresses,
  defaultProviderRequestTimeoutSec,
  globalFlagNames,
} from './get-token-flag-kinds.js';

/**
 * klog's flags (besides -v), which int128/kubelogin registers on every command because it logs through klog; its
 * kubeconfigs carry them. Accepted with no effect: this plugin logs to stderr only, at the -v level. Their names and
 * kinds are ./get-token-flag-kinds.ts's global flags; this table, loaded for help and setup, only adds the text.
 */
const klogDescription = "klog's flag, accepted for int128/kubelogin kubeconfigs; no effect";
export const klogFlags: readonly FlagSpec[] = getTokenFlagShapes()
  .filter((shape) => shape.name !== 'v' && globalFlagNames.has(shape.name))
  .map(({ name, kind }) => ({ name, kind, description: klogDescription, hidden: true }));

export const getTokenFlags: readonly FlagSpec[] = [
  { name: 'oidc-issuer-url', kind: 'string', description: 'Issuer URL of the provider (mandatory)' },
  { name: 'oidc-client-id', kind: 'string', description: 'Client ID of the provider (mandatory)' },
  {
    name: 'oidc-client-secret',
    kind: 'string',
    description:
      'Client secret of the provider (or env OIDC_CLIENT_SECRET, which under --oidc-pkce-method=S256 or --oidc-use-pkce is sent only when the provider asks the client to authenticate)',
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
    description: '[authcode] Hostname of the redirect URL (one --listen-address listens on)',
    defaultText: 'localhost',
  },
  {
    name: 'oidc-redirect-url-authcode-keyboard',
    kind: 'string',
    description:
      '[authcode-keyboard] Redirect URL when --oidc-redirect-url is not given (int128 before v1.35; e.g. urn:ietf:wg:oauth:2.0:oob). Without either, no redirect_uri is sent, as int128 v1.36 does',
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
  {
    name: 'oidc-use-pkce',
    kind: 'bool',
    description: "Same as --oidc-pkce-method=S256 (int128/kubelogin's older spelling)",
  },
  {
    name: 'grant-type',
    kind: 'string',
    description:
      "Login flow: auto, authcode, authcode-keyboard, password, device-code, client-credentials or ci-token (ci-token: ours, the CI job's own OIDC token)",
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
    description: 'Seconds to wait for a browser or device-code login (at most 86400, a day)',
    defaultText: String(defaultAuthenticationTimeoutSec),
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
    description:
      'Where tokens are kept: disk, keyring, encrypted or none (encrypted: ours, tokens encrypted at rest)',
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
    description:
      '(ours) Give up on a request to the identity provider after this long, e.g. 30s, 1m (at most 24h)',
    defaultText: `${defaultProviderRequestTimeoutSec}s`,
  },
  {
    name: 'token-expiry-margin',
    kind: 'string',
    description: '(ours) Treat a token as expired this long before its exp, e.g. 30s, 2m, 0 (at most 24h)',
    defaultText: `${defaultExpiryMarginSec}s`,
  },
  {
    name: 'token-exchange-audience',
    kind: 'string',
    description:
      "(ours) Exchange the login's token (RFC 8693) for one whose aud is this audience, the cluster's own; a cluster may set it",
  },
  {
    name: 'token-exchange-requested-token-type',
    kind: 'string',
    description: `(ours) The token type the exchange asks for: ${requestedTokenTypes.join('|')}`,
    defaultText: 'id-token',
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
