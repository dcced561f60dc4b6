/**
 * What parsing get-token's flags needs of them, without their help texts: each flag's name and kind, its defaults,
 * and which flags may come before the subcommand. The cache hit parses its flags with this module alone; the table
 * with the help texts (./get-token-flags.ts) is loaded with the CLI (the login machinery's bundle), for --help and
 * setup. test/unit/get-token-flag-kinds.test.ts keeps the two in step.
 */
import type { FlagKind, FlagLookup, FlagShape } from './argv.js';

export const defaultListenAddresses = ['127.0.0.1:8000', '127.0.0.1:18000'];
export const defaultExpiryMarginSec = 30;
export const defaultAuthenticationTimeoutSec = 180;
export const defaultProviderRequestTimeoutSec = 30;

/**
 * One line a flag, in the table's order: its name, its kind, `short` when it is also its own single-letter alias
 * (`-v`), `hidden` when help does not show it. One string, not a table of objects nor a map built from one: in the
 * standalone executable, building the ~50 objects of the table at every start cost a cache hit ~0.2 M instructions
 * (docs/performance.md); a lookup here is one indexOf.
 */
const kinds = `
oidc-issuer-url string
oidc-client-id string
oidc-client-secret string
oidc-extra-scope stringSlice
oidc-use-access-token bool
oidc-redirect-url string
oidc-redirect-url-hostname string
oidc-redirect-url-authcode-keyboard string
oidc-auth-request-extra-params stringMap
oidc-request-header stringMap
oidc-pkce-method string
oidc-use-pkce bool
grant-type string
listen-address stringSlice
listen-port stringSlice hidden
skip-open-browser bool
skip-qr-code bool
browser-command string
authentication-timeout-sec int
local-server-cert string
local-server-key string
open-url-after-authentication string
username string
password string
certificate-authority stringArray
certificate-authority-data stringArray
insecure-skip-tls-verify bool
tls-renegotiation-once bool
tls-renegotiation-freely bool
token-cache-dir string
token-cache-storage string
token-cache-hint string
force-refresh bool
provider-request-timeout string
token-expiry-margin string
token-exchange-audience string
token-exchange-requested-token-type string
ci-token-source string
ci-token-audience string
v int short
add_dir_header bool hidden
alsologtostderr bool hidden
legacy_stderr_threshold_behavior bool hidden
log_backtrace_at string hidden
log_dir string hidden
log_file string hidden
log_file_max_size int hidden
logtostderr bool hidden
one_output bool hidden
skip_headers bool hidden
skip_log_headers bool hidden
stderrthreshold string hidden
vmodule string hidden
`;

/** The get-token flags, looked up in the lines above. */
export const getTokenFlagKinds: FlagLookup = {
  flagNamed(name) {
    // A name with a separator in it could match across the fields of a line.
    if (name === '' || name.includes(' ') || name.includes('\n')) return undefined;
    const start = kinds.indexOf(`\n${name} `);
    return start < 0 ? undefined : shapeOf(kinds.slice(start + 1, kinds.indexOf('\n', start + 1)));
  },
  visibleNames() {
    const names: string[] = [];
    for (const shape of getTokenFlagShapes()) if (!shape.hidden) names.push(shape.name);
    return names;
  },
};

/** Every line above, in order. */
export function getTokenFlagShapes(): FlagShape[] {
  const shapes: FlagShape[] = [];
  for (const line of kinds.trim().split('\n')) shapes.push(shapeOf(line));
  return shapes;
}

function shapeOf(line: string): FlagShape {
  const [name = '', kind, mark] = line.split(' ');
  const shape: { name: string; kind: FlagKind; short?: string; hidden?: boolean } = {
    name,
    kind: kind as FlagKind,
  };
  if (mark === 'short') shape.short = name;
  if (mark === 'hidden') shape.hidden = true;
  return shape;
}

/**
 * Flags that int128/kubelogin accepts before the subcommand too (`-v1 get-token …`): -v and klog's, written out rather
 * than built from klogFlags at every start (test/unit/int128-compat.test.ts keeps them in step).
 */
export const globalFlagNames: ReadonlySet<string> = new Set([
  'v',
  'add_dir_header',
  'alsologtostderr',
  'legacy_stderr_threshold_behavior',
  'log_backtrace_at',
  'log_dir',
  'log_file',
  'log_file_max_size',
  'logtostderr',
  'one_output',
  'skip_headers',
  'skip_log_headers',
  'stderrthreshold',
  'vmodule',
]);
