/**
 * How one kubeconfig user moves to this plugin (`convert-kubeconfig`), as a pure function of its `user:`
 * map. Recognised:
 * - the in-tree `auth-provider: {name: oidc}` (deprecated; it cannot log anyone in and keeps the tokens in the
 *   kubeconfig itself): its issuer, client, extra scopes and CA become flags; the id-token, refresh-token and
 *   client-secret written in the file are dropped;
 * - int128/kubelogin: `kubectl oidc-login get-token …`, `kubectl-oidc_login get-token …` or `kubelogin get-token …`
 *   (only with --oidc-issuer-url: Azure's kubelogin has the same name and other flags);
 * - together-kubelogin: `kubectl together-login get-token …` (it is found as kubectl-together_login too, so the
 *   entry already reaches this plugin, through one extra kubectl process per call).
 * Their get-token flags mean the same here and are kept as written, except secrets (`--oidc-client-secret`,
 * `--password`), which leave the file.
 */
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { installHint } from '../core/install-hint.js';
import { secretFlags, withoutFlags } from '../flags/flag-filter.js';
import { parseGetTokenInput } from '../flags/parse-get-token.js';
import { isRecord } from './kubeconfig-read.js';

export interface ConvertedExec {
  readonly apiVersion: string;
  readonly command: 'kubectl-together_login';
  readonly args: readonly string[];
  readonly env?: unknown;
  readonly interactiveMode: string;
  readonly provideClusterInfo?: boolean;
  readonly installHint: string;
}

export type UserConversion =
  | {
      readonly kind: 'converted';
      readonly from: 'auth-provider oidc' | 'int128/kubelogin' | 'together-kubelogin';
      readonly exec: ConvertedExec;
      /** What was in the file and is not any more, for the report (names, never values). */
      readonly dropped: readonly string[];
      /** The values dropped, so that no report or diff ever shows them. */
      readonly secretValues: readonly string[];
      /** A client secret was dropped: the user must now give OIDC_CLIENT_SECRET. */
      readonly clientSecretDropped: boolean;
      /**
       * The args ask for PKCE S256 explicitly, so the plugin holds OIDC_CLIENT_SECRET back until the provider asks
       * the client to authenticate (it still authenticates: Google asks, and keeps the code for the retry).
       */
      readonly secretSentWhenAsked: boolean;
    }
  | { readonly kind: 'unchanged'; readonly reason: string };

/** `kubeconfigPath`: the file the user is in, for resolving a relative CA path of the auth-provider. */
export function convertUser(user: unknown, kubeconfigPath: string): UserConversion {
  const map = isRecord(user) ? user : {};
  const authProvider = map['auth-provider'];
  if (isRecord(authProvider) && authProvider.name === 'oidc')
    return fromAuthProvider(isRecord(authProvider.config) ? authProvider.config : {}, kubeconfigPath);
  if (isRecord(map.exec)) return fromExec(map.exec);
  return { kind: 'unchanged', reason: 'not an OIDC login (no auth-provider oidc, no kubelogin exec entry)' };
}

function fromAuthProvider(config: Record<string, unknown>, kubeconfigPath: string): UserConversion {
  const value = (key: string) =>
    typeof config[key] === 'string' && config[key] !== '' ? (config[key] as string) : undefined;
  const issuer = value('idp-issuer-url');
  const clientId = value('client-id');
  if (!issuer || !clientId)
    return { kind: 'unchanged', reason: 'auth-provider oidc without idp-issuer-url or client-id' };
  const args = ['get-token', `--oidc-issuer-url=${issuer}`, `--oidc-client-id=${clientId}`];
  for (const scope of (value('extra-scopes') ?? '').split(',').map((scope) => scope.trim()))
    if (scope) args.push(`--oidc-extra-scope=${scope}`);
  const caData = value('idp-certificate-authority-data');
  const caFile = value('idp-certificate-authority');
  if (caData) args.push(`--certificate-authority-data=${caData}`);
  // An exec plugin runs in kubectl's working directory: make a relative path absolute against the kubeconfig.
  else if (caFile)
    args.push(
      `--certificate-authority=${isAbsolute(caFile) ? caFile : resolve(dirname(kubeconfigPath), caFile)}`,
    );
  const secretKeys = ['id-token', 'refresh-token', 'client-secret'].filter((key) => value(key));
  return {
    kind: 'converted',
    from: 'auth-provider oidc',
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: 'kubectl-together_login',
      args,
      interactiveMode: 'IfAvailable',
      installHint,
    },
    dropped: secretKeys,
    secretValues: secretKeys.map((key) => value(key) as string),
    clientSecretDropped: secretKeys.includes('client-secret'),
    secretSentWhenAsked: false,
  };
}

function fromExec(exec: Record<string, unknown>): UserConversion {
  const command = typeof exec.command === 'string' ? basename(exec.command) : '';
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  let from: 'int128/kubelogin' | 'together-kubelogin';
  let rest: string[];
  if (command === 'kubectl-together_login')
    return { kind: 'unchanged', reason: 'already uses kubectl-together_login' };
  if (command === 'kubectl' && args[0] === 'oidc-login') [from, rest] = ['int128/kubelogin', args.slice(1)];
  else if (command === 'kubectl' && args[0] === 'together-login')
    [from, rest] = ['together-kubelogin', args.slice(1)];
  else if (command === 'kubectl-oidc_login' || command === 'kubelogin')
    [from, rest] = ['int128/kubelogin', args];
  else return { kind: 'unchanged', reason: `exec runs ${command || 'nothing'}, not a kubelogin` };
  if (rest[0] !== 'get-token')
    return { kind: 'unchanged', reason: `exec runs ${rest[0] ?? 'no subcommand'}, not get-token` };
  if (!rest.some((arg) => arg.startsWith('--oidc-issuer-url')))
    return { kind: 'unchanged', reason: 'exec has no --oidc-issuer-url (not an OIDC kubelogin)' };
  const { kept, removed, removedValues } = withoutFlags(rest.slice(1), secretFlags);
  const apiVersion =
    typeof exec.apiVersion === 'string' && !exec.apiVersion.endsWith('v1alpha1')
      ? exec.apiVersion
      : 'client.authentication.k8s.io/v1';
  return {
    kind: 'converted',
    from,
    exec: {
      apiVersion,
      command: 'kubectl-together_login',
      args: ['get-token', ...kept],
      ...(exec.env !== undefined && exec.env !== null ? { env: exec.env } : {}),
      interactiveMode: typeof exec.interactiveMode === 'string' ? exec.interactiveMode : 'IfAvailable',
      ...(typeof exec.provideClusterInfo === 'boolean'
        ? { provideClusterInfo: exec.provideClusterInfo }
        : {}),
      installHint,
    },
    dropped: [...new Set(removed)].map((name) => `--${name}`),
    secretValues: removedValues,
    clientSecretDropped: removed.includes('oidc-client-secret'),
    secretSentWhenAsked: removed.includes('oidc-client-secret') && holdsSecretBack(kept),
  };
}

/** Whether get-token, run with these args, holds an exported OIDC_CLIENT_SECRET back (explicit PKCE S256). */
function holdsSecretBack(args: readonly string[]): boolean {
  try {
    return (
      parseGetTokenInput(args, { env: { OIDC_CLIENT_SECRET: 'probe' }, homeDir: '/' }).clientSecretIfAsked !==
      undefined
    );
  } catch {
    // Args get-token would refuse (or that need the cluster's settings): nothing more to say about them here.
    return false;
  }
}
