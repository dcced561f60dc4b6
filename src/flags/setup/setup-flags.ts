/**
 * setup's own flags (rendered into `setup --help` with the get-token flags) and setup's argv → the typed
 * SetupOptions, the get-token input of its login, and the get-token args as given. A usage error (exit 2) for a
 * value or a combination setup cannot use, before any login, so a typo costs no browser round trip.
 */

import { isAppError, usageError } from '../../app-error.js';
import type { GetTokenInput } from '../../core/get-token-input.js';
import type { CiSetup } from '../../core/setup/ci-trust.js';
import type { ClaimMapping } from '../../core/setup/kube-identity.js';
import { type FlagSpec, parseArgs, unknownFlag } from '../argv.js';
import { getTokenFlags } from '../get-token-flags.js';
import { type InputEnvironment, parseGetTokenInput } from '../parse-get-token.js';
import { ciSetupFromFlags, setupCiFlags } from './ci-flags.js';

export const setupFlags: readonly FlagSpec[] = [
  {
    name: 'username-claim',
    kind: 'string',
    description: 'Claim kube-apiserver takes the username from',
    defaultText: 'email',
  },
  {
    name: 'username-prefix',
    kind: 'string',
    description: "Prefix of usernames ('-' for none)",
    defaultText: '<issuer># except for email',
  },
  {
    name: 'groups-claim',
    kind: 'string',
    description: 'Claim kube-apiserver takes the groups from',
    defaultText: 'groups',
  },
  { name: 'groups-prefix', kind: 'string', description: 'Prefix of group names', defaultText: '' },
  {
    name: 'authentication-config-version',
    kind: 'string',
    description: 'v1 (Kubernetes 1.34+) or v1beta1 (1.30–1.33)',
    defaultText: 'v1',
  },
  {
    name: 'kubeconfig-user',
    kind: 'string',
    description: 'Name of the user in the printed kubeconfig snippet',
    defaultText: 'oidc',
  },
  { name: 'output', kind: 'string', short: 'o', description: 'Text or JSON', defaultText: 'text' },
  {
    name: 'write-kubeconfig',
    kind: 'bool',
    description:
      'Write the user (and, with --context, a context using it) into the kubeconfig, with a backup',
  },
  {
    name: 'context',
    kind: 'string',
    description:
      "Call this context's cluster with the new token and explain its answer (401/403); with --write-kubeconfig, point the context at the user",
  },
  {
    name: 'cluster',
    kind: 'string',
    description: 'With --write-kubeconfig and --context: the cluster of a new context',
  },
  {
    name: 'use-context',
    kind: 'bool',
    description: "With --write-kubeconfig --context: make it kubectl's current context",
  },
  {
    // app/setup/settings-on-cluster.ts does what it asks.
    name: 'settings-on-cluster',
    kind: 'bool',
    description:
      "With --write-kubeconfig --context: the provider settings go into the context's cluster (extensions client.authentication.k8s.io/exec) and the user gets provideClusterInfo: one user for many clusters",
  },
  ...setupCiFlags,
];

/** What setup was asked to do, beyond the login its get-token flags describe. */
export interface SetupOptions {
  /** The claims kube-apiserver is to take the identity from (the issuer is --oidc-issuer-url). */
  readonly mapping: ClaimMapping & { readonly groupsClaim: string };
  readonly authenticationConfigVersion: 'v1' | 'v1beta1';
  readonly output: 'text' | 'json';
  /** The name of the user entry, printed and written. */
  readonly kubeconfigUser: string;
  /** The context whose cluster is called with the new token (and written, with writeKubeconfig). */
  readonly context: string | undefined;
  /** The cluster of a context written anew. */
  readonly cluster: string | undefined;
  readonly writeKubeconfig: boolean;
  /** Make the written context the current one. */
  readonly useContext: boolean;
  readonly settingsOnCluster: boolean;
  /** undefined without --ci-repository. */
  readonly ci: CiSetup | undefined;
}

export interface ParsedSetupArgs {
  readonly options: SetupOptions;
  /** The login setup proves. */
  readonly input: GetTokenInput;
  /** The get-token flags as given (the kubeconfig's args are drawn from them). */
  readonly getTokenArgs: readonly string[];
}

/** argv (after `setup`) → setup's options and the get-token input. Throws a usage error naming the flag at fault. */
export function parseSetupArgs(argv: readonly string[], environment: InputEnvironment): ParsedSetupArgs {
  const { own, rest } = splitOwnFlags(argv, setupFlags);
  const input = withSetupSuggestions(() => parseGetTokenInput(rest, environment));
  const version = own.get('authentication-config-version') ?? 'v1';
  const output = own.get('output') ?? 'text';
  if (version !== 'v1' && version !== 'v1beta1')
    throw usageError('--authentication-config-version must be v1 or v1beta1');
  if (output !== 'text' && output !== 'json') throw usageError('--output must be text or json');
  const context = own.get('context');
  const cluster = own.get('cluster');
  const writeKubeconfig = own.get('write-kubeconfig') === 'true';
  const ci = ciSetupFromFlags(own, input);
  const settingsOnCluster = own.get('settings-on-cluster') === 'true';
  const useContext = own.get('use-context') === 'true';
  if (useContext && (!writeKubeconfig || context === undefined))
    throw usageError('--use-context goes with --write-kubeconfig --context=NAME');
  if (settingsOnCluster && (!writeKubeconfig || context === undefined))
    throw usageError('--settings-on-cluster goes with --write-kubeconfig --context=NAME');
  if (cluster !== undefined && (context === undefined || !writeKubeconfig))
    throw usageError(
      '--cluster names the cluster of a context written with --write-kubeconfig --context=NAME',
    );
  const options: SetupOptions = {
    mapping: {
      issuer: input.issuerUrl,
      usernameClaim: own.get('username-claim') ?? 'email',
      usernamePrefix: own.get('username-prefix'),
      groupsClaim: own.get('groups-claim') ?? 'groups',
      groupsPrefix: own.get('groups-prefix'),
    },
    authenticationConfigVersion: version,
    output,
    kubeconfigUser: own.get('kubeconfig-user') ?? 'oidc',
    context,
    cluster,
    writeKubeconfig,
    useContext,
    settingsOnCluster,
    ci,
  };
  return { options, input, getTokenArgs: rest };
}

/** A typo of one of setup's own flags reaches the get-token parser: suggest among setup's flags too. */
function withSetupSuggestions<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const given = isAppError(error) ? /^unknown flag: (\S+)/.exec(error.message)?.[1] : undefined;
    if (given === undefined) throw error;
    throw unknownFlag(given, [...setupFlags, ...getTokenFlags]);
  }
}

/** Separates setup's own flags from the get-token flags (parsed by the get-token table). */
function splitOwnFlags(
  argv: readonly string[],
  specs: readonly FlagSpec[],
): { own: Map<string, string>; rest: string[] } {
  const names = new Set(specs.flatMap((spec) => [spec.name, ...(spec.short ? [spec.short] : [])]));
  const ownArgs: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const name = arg.replace(/^--?/, '').split('=')[0] as string;
    if (arg.startsWith('-') && names.has(name) && !getTokenFlags.some((flag) => flag.name === name)) {
      ownArgs.push(arg);
      const takesValue = specs.find((spec) => spec.name === name || spec.short === name)?.kind !== 'bool';
      if (takesValue && !arg.includes('=') && i + 1 < argv.length) ownArgs.push(argv[++i] as string);
    } else {
      rest.push(arg);
    }
  }
  const { values } = parseArgs(ownArgs, specs);
  return { own: new Map([...values].map(([key, value]) => [key, String(value)])), rest };
}
