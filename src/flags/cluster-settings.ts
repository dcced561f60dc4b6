/**
 * Per-cluster settings: with `provideClusterInfo: true`, kubectl passes the cluster's
 * `extensions[client.authentication.k8s.io/exec]` to get-token (KUBERNETES_EXEC_INFO spec.cluster.config). Its
 * keys are get-token flag names without the dashes (`oidc-issuer-url: https://…`, `oidc-extra-scope: [email]`), and
 * they fill in what the exec args do not give: the flags win. So one kubeconfig user serves many clusters, each
 * naming its own issuer and client, and the cache key (computed from the effective settings) keeps their tokens
 * apart.
 *
 * A cluster may set only what describes its identity provider, never how this machine runs the login (browser
 * command, listen addresses, the redirect URI's host, cache location), nor a secret (client secret, password), nor
 * turn PKCE off: a cluster entry often comes from someone else's kubeconfig, and these settings reach every user of
 * the cluster. The redirect host and PKCE protect the login's code on this machine; they are the user's.
 */
import { AppError, cutForMessage } from '../app-error.js';
import { type FlagShape, type FlagSpec, type Flags, flagLookup, parseArgs } from './argv.js';

export const clusterSettableFlags: ReadonlySet<string> = new Set([
  'oidc-issuer-url',
  'oidc-client-id',
  'oidc-extra-scope',
  'oidc-use-access-token',
  'oidc-pkce-method',
  'oidc-auth-request-extra-params',
  'oidc-request-header',
  'certificate-authority',
  'certificate-authority-data',
  'token-cache-hint',
  'ci-token-audience',
  // Each cluster of a shared user names its own audience. Only the audience: what the exchange asks for
  // and how the login runs stay the user's.
  'token-exchange-audience',
]);

/** The extension's name in a kubeconfig cluster (client-go's clientauthentication.ExecInfo). */
export const execExtensionName = 'client.authentication.k8s.io/exec';

export type SettingOrigin = 'flags' | 'cluster';

export interface ClusterMerge {
  /** The exec args, then one `--name=value` per cluster setting the args do not give. */
  readonly argv: readonly string[];
  /** Where each effective setting of clusterSettableFlags came from, for -v=1. */
  readonly origins: ReadonlyMap<string, SettingOrigin>;
  /** Keys of the extension that were not used: another plugin's, or a flag a cluster may not set. */
  readonly ignored: readonly string[];
  /** Keys of the extension the exec args replace (they give the same setting). */
  readonly overridden: readonly string[];
}

/**
 * Flags that give one setting between them, by the setting's name: when the args give either, the cluster's value
 * of both is dropped. The provider's CA is one trust decision, as a file or as its content: a cluster adding a CA
 * beside the one the args pin would let whoever holds that CA answer for the provider.
 */
const settingOf: Readonly<Record<string, string>> = {
  // --oidc-use-pkce is the older spelling of --oidc-pkce-method=S256.
  'oidc-use-pkce': 'oidc-pkce-method',
  'certificate-authority-data': 'certificate-authority',
};
const setting = (name: string): string => settingOf[name] ?? name;

export function mergeClusterSettings(
  argv: readonly string[],
  config: Readonly<Record<string, unknown>> | undefined,
  specs: Flags,
): ClusterMerge {
  const lookup = flagLookup(specs);
  const flags = [...parseArgs(argv, lookup).values.keys()];
  // A loop, not map(): a cache hit with cluster info runs this (docs/performance.md).
  const given = new Set<string>();
  for (const name of flags) given.add(setting(name));
  const origins = new Map<string, SettingOrigin>();
  for (const name of flags) {
    const settable = clusterSettableFlags.has(name) ? name : setting(name);
    if (clusterSettableFlags.has(settable)) origins.set(settable, 'flags');
  }
  const extra: string[] = [];
  const ignored: string[] = [];
  const overridden: string[] = [];
  for (const [name, value] of Object.entries(config ?? {})) {
    const spec = lookup.flagNamed(name);
    if (!spec || !clusterSettableFlags.has(name)) {
      ignored.push(name);
      continue;
    }
    if (given.has(setting(name))) {
      overridden.push(name);
      continue;
    }
    const refusal = clusterRefusal(name, value);
    if (refusal)
      throw new AppError(
        'usage.cluster-setting',
        `the cluster's ${execExtensionName} extension sets ${name} to ${cutForMessage(JSON.stringify(value))}: ${refusal.why}`,
        { hint: refusal.hint },
      );
    extra.push(...asArgs(spec, value));
    origins.set(name, 'cluster');
  }
  return { argv: [...argv, ...extra], origins, ignored, overridden };
}

/**
 * Values a cluster may not give a settable flag, and why:
 * - PKCE off (`oidc-pkce-method: no`) would let whoever reads the authorization code redeem it. Only the user's own
 *   args may turn it off.
 * - A relative `certificate-authority` path: kubectl passes the cluster without saying which kubeconfig file holds
 *   it and runs the plugin in the user's working directory, so the file read would be whichever `ca.pem` lies where
 *   kubectl happened to be started (kubectl's own relative paths are resolved against the kubeconfig's folder).
 */
function clusterRefusal(name: string, value: unknown): { why: string; hint: string } | undefined {
  if (name === 'oidc-pkce-method' && value === 'no')
    return {
      why: 'a cluster may not turn PKCE off',
      hint: `remove ${name} from the cluster's extensions in the kubeconfig; if your provider refuses PKCE, put --${name}=no in your user's exec args`,
    };
  const paths = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  if (
    name === 'certificate-authority' &&
    paths.some((path) => typeof path === 'string' && !isAbsolutePath(path))
  )
    return {
      why: "a relative path would be read from kubectl's working directory, wherever that is",
      hint: `give ${name} as an absolute path (or ~/…), or the certificate itself as certificate-authority-data, in the cluster's extensions in the kubeconfig`,
    };
  return undefined;
}

/** Absolute on any platform we run on, or under the home directory (`~`, `~/…`: expandHome's forms). */
function isAbsolutePath(path: string): boolean {
  return /^(?:[/\\]|~(?:$|[/\\])|[A-Za-z]:[/\\])/.test(path);
}

function asArgs(spec: FlagShape, value: unknown): string[] {
  const flag = `--${spec.name}`;
  const wrong = (expected: string) =>
    new AppError(
      'usage.cluster-setting',
      `the cluster's ${execExtensionName} extension sets ${spec.name} to ${JSON.stringify(value)}, not ${expected}`,
      { hint: `fix ${spec.name} in the cluster's extensions in the kubeconfig` },
    );
  switch (spec.kind) {
    case 'bool':
      if (typeof value !== 'boolean') throw wrong('true or false');
      return [`${flag}=${value}`];
    case 'int':
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number') throw wrong('a string');
      return [`${flag}=${value}`];
    case 'stringSlice':
    case 'stringArray': {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || list.some((item) => typeof item !== 'string'))
        throw wrong('a string or a list of strings');
      return (list as string[]).map((item) => `${flag}=${item}`);
    }
    case 'stringMap': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw wrong('a map of strings');
      const pairs = Object.entries(value as Record<string, unknown>);
      if (pairs.some(([, item]) => typeof item !== 'string')) throw wrong('a map of strings');
      return pairs.map(([key, item]) => `${flag}=${key}=${item as string}`);
    }
  }
}

/**
 * The error for a required setting that neither the args nor the cluster give, when kubectl passed the cluster
 * (provideClusterInfo: true): it names both places.
 */
export function missingClusterSetting(flag: string, what: string, server: string | undefined): AppError {
  return new AppError(
    'usage.missing-setting',
    `--${flag} is required: neither the exec args nor the cluster${server ? ` ${server}` : ''} give it`,
    {
      hint: `add ${flag}: … (${what}) to the cluster's extensions (name: ${execExtensionName}) in the kubeconfig, or --${flag}=… to the exec args`,
    },
  );
}

/**
 * The settings that describe the provider itself: what setup moves from the user's args onto a cluster. A test, not
 * a set built at load: every cache hit loads this module, only setup asks.
 */
const isProviderSetting = (name: string): boolean =>
  clusterSettableFlags.has(name) && name !== 'token-cache-hint' && name !== 'ci-token-audience';

/**
 * The reverse of mergeClusterSettings, for setup --settings-on-cluster: the provider settings of the given args
 * as the cluster's extension, and the args without them (for the one shared user).
 */
export function splitClusterSettings(
  args: readonly string[],
  specs: readonly FlagSpec[],
): { userArgs: string[]; settings: Record<string, unknown> } {
  const { values } = parseArgs(args, specs);
  const settings: Record<string, unknown> = {};
  const moves = (name: string) =>
    isProviderSetting(name) && clusterRefusal(name, values.get(name)) === undefined;
  for (const [name, value] of values) if (moves(name)) settings[name] = value;
  const userArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (name === undefined || !moves(name)) {
      userArgs.push(arg);
      continue;
    }
    // `--name value`: the value goes too (every provider setting but the bool takes one).
    const spec = specs.find((candidate) => candidate.name === name);
    if (!arg.includes('=') && spec?.kind !== 'bool') i++;
  }
  return { userArgs, settings };
}
