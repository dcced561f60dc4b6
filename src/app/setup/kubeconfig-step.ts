/**
 * setup's kubeconfig step: the get-token args the user entry carries, and with --write-kubeconfig the user (and a
 * context using it, and with --settings-on-cluster the provider settings on its cluster) written into the
 * kubeconfig kubectl would use. A failure here is a failed check, never a half-written file.
 */

import type { Check } from '../../core/setup/checklist.js';
import { type ExecEntry, kubeconfigExec, type UserSettings } from '../../core/setup/kubeconfig-user.js';
import { shellQuote } from '../../core/setup/shell-quote.js';
import { ciTokenFlags } from '../../flags/ci-token-flags.js';
import { secretFlags, withoutFlags } from '../../flags/flag-filter.js';
import type { SetupOptions } from '../../flags/setup/setup-flags.js';
import { setCurrentContext, upsertNamedEntry } from '../../kube/kubeconfig-edit.js';
import { type KubeconfigFile, mergedEntries, parseConfig } from '../../kube/kubeconfig-read.js';
import { fileFor, loadYaml, readKubeconfigFiles, replaceKubeconfigFile } from '../kubeconfig-files.js';
import { userExecForClusterSettings, writeClusterSettings } from './settings-on-cluster.js';

/** The get-token flags for the kubeconfig: as given, without secrets or this run's verbosity. */
export function kubeconfigArgs(args: readonly string[]): string[] {
  // The CI flags describe the jobs' user, printed separately (core/setup/ci-report.ts).
  return withoutFlags(args, new Set([...secretFlags, 'v', ...ciTokenFlags.map((flag) => flag.name)])).kept;
}

/** The checks of the kubeconfig step: none unless asked; nothing written after an earlier failure. */
export function kubeconfigStep(
  env: NodeJS.ProcessEnv,
  options: SetupOptions,
  userSettings: UserSettings,
  earlier: readonly Check[],
): Check[] {
  if (!options.writeKubeconfig) return [];
  if (earlier.some((check) => check.status === 'failed'))
    return [{ step: 'kubeconfig', status: 'failed', detail: 'not written: fix the failures above first' }];
  const checks: Check[] = [];
  const { context } = options;
  try {
    const onCluster = options.settingsOnCluster
      ? userExecForClusterSettings(kubeconfigExec(userSettings))
      : undefined;
    checks.push(
      ...writeKubeconfig(
        env,
        options.kubeconfigUser,
        onCluster?.exec ?? kubeconfigExec(userSettings),
        context === undefined
          ? undefined
          : { name: context, cluster: options.cluster, use: options.useContext },
      ),
    );
    if (onCluster && context !== undefined)
      checks.push(writeClusterSettings(env, context, onCluster.settings));
  } catch (error) {
    checks.push({
      step: 'kubeconfig',
      status: 'failed',
      detail: `not written: ${(error as Error).message}`,
      fix: 'check the kubeconfig file, or apply the user entry printed below by hand',
    });
  }
  return checks;
}

/**
 * Writes the user (and a context pointing at it) into the kubeconfig kubectl would use, each into the file of the
 * KUBECONFIG list that already defines it (else the first; ~/.kube/config without KUBECONFIG). Other entries stay
 * byte for byte (src/kube/kubeconfig-edit.ts); an existing context keeps its cluster and namespace unless
 * --cluster is given.
 */
function writeKubeconfig(
  env: NodeJS.ProcessEnv,
  userName: string,
  exec: ExecEntry,
  context: { name: string; cluster: string | undefined; use: boolean } | undefined,
): Check[] {
  const yaml = loadYaml();
  const files = readKubeconfigFiles(env);
  const edited = new Map<string, string>();
  const textOf = (path: string) => edited.get(path) ?? files.find((file) => file.path === path)?.text ?? '';
  const userFile = fileFor(yaml, files, 'users', userName);
  edited.set(userFile, upsertNamedEntry(yaml, textOf(userFile), 'users', { name: userName, user: { exec } }));
  let cluster: string | undefined;
  if (context) {
    const existing = mergedEntries(yaml, files, 'contexts').get(context.name);
    cluster = context.cluster ?? String(existing?.value.cluster ?? '');
    const contextFile = existing?.file ?? userFile;
    edited.set(
      contextFile,
      upsertNamedEntry(yaml, textOf(contextFile), 'contexts', {
        name: context.name,
        context: { ...existing?.value, cluster, user: userName },
      }),
    );
  }
  // kubectl takes current-context from the first file that sets one; use-context writes it there (else the first).
  const current = files
    .map((file) => ({ path: file.path, name: parseConfig(yaml, file)['current-context'] }))
    .find((file) => typeof file.name === 'string' && file.name !== '');
  if (context?.use && current?.name !== context.name) {
    const path = current?.path ?? (files[0] as KubeconfigFile).path;
    edited.set(path, setCurrentContext(yaml, textOf(path), context.name));
  }
  const written = [...edited].map(([path, text]) => {
    const backup = replaceKubeconfigFile(path, text);
    return `${path}${backup ? ` (previous file: ${backup})` : ''}`;
  });
  const clusterKnown = cluster === undefined || mergedEntries(yaml, files, 'clusters').has(cluster);
  return [
    {
      step: 'kubeconfig',
      status: clusterKnown ? 'passed' : 'warning',
      detail: `wrote user "${userName}"${context ? ` and context "${context.name}"` : ''} to ${written.join(' and ')}`,
      ...(clusterKnown
        ? {}
        : { fix: `no cluster "${cluster}" in the kubeconfig: add it with kubectl config set-cluster` }),
    },
    contextCheck(userName, context, current?.name as string | undefined, () =>
      [...mergedEntries(yaml, files, 'contexts').values()].some((entry) => entry.value.user === userName),
    ),
  ];
}

/** Which context kubectl will use with the user just written: the step users missed before kubectl worked. */
function contextCheck(
  userName: string,
  context: { name: string; cluster: string | undefined; use: boolean } | undefined,
  current: string | undefined,
  anyContextUsesUser: () => boolean,
): Check {
  const step = 'kubectl context';
  if (!context) {
    return anyContextUsesUser()
      ? { step, status: 'passed', detail: `a context of the kubeconfig already uses user "${userName}"` }
      : {
          step,
          status: 'warning',
          detail: `no context uses user "${userName}": kubectl will not use it`,
          fix: `run setup again with --context=NAME --cluster=CLUSTER --use-context, or: kubectl config set-context NAME --cluster=CLUSTER --user=${shellQuote(userName)}`,
        };
  }
  const name = shellQuote(context.name);
  if (context.use) return { step, status: 'passed', detail: `"${context.name}" is now the current context` };
  if (current === context.name)
    return { step, status: 'passed', detail: `"${context.name}" is the current context` };
  return {
    step,
    status: 'passed',
    detail: `kubectl uses ${current ? `"${current}"` : 'no context'} now; switch with: kubectl config use-context ${name} (or give kubectl --context=${name}, or setup --use-context)`,
  };
}
