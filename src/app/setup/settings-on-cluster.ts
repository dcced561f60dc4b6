/**
 * setup --write-kubeconfig --context=NAME --settings-on-cluster: the provider settings go into the
 * context's cluster, under extensions[client.authentication.k8s.io/exec], and the user entry keeps only how this
 * machine logs in, with provideClusterInfo: true, so the same user serves every cluster that names its issuer.
 */

import type { Check } from '../../core/setup/checklist.js';
import type { ExecEntry } from '../../core/setup/kubeconfig-user.js';
import { execExtensionName, splitClusterSettings } from '../../flags/cluster-settings.js';
import { getTokenFlags } from '../../flags/get-token-flags.js';
import { upsertNamedEntry } from '../../kube/kubeconfig-edit.js';
import { isRecord, mergedEntries } from '../../kube/kubeconfig-read.js';
import { loadYaml, readKubeconfigFiles, replaceKubeconfigFile } from '../kubeconfig-files.js';

/** The user's exec entry without the provider settings, and those settings. */
export function userExecForClusterSettings(exec: ExecEntry): {
  exec: ExecEntry & { provideClusterInfo: true };
  settings: Record<string, unknown>;
} {
  const [command, ...rest] = exec.args;
  const { userArgs, settings } = splitClusterSettings(rest, getTokenFlags);
  return { exec: { ...exec, args: [command as string, ...userArgs], provideClusterInfo: true }, settings };
}

/** Writes the settings into the cluster of the context (written just before), in the file that defines it. */
export function writeClusterSettings(
  env: NodeJS.ProcessEnv,
  contextName: string,
  settings: Record<string, unknown>,
): Check {
  const yaml = loadYaml();
  const files = readKubeconfigFiles(env);
  const clusterName = String(mergedEntries(yaml, files, 'contexts').get(contextName)?.value.cluster ?? '');
  const cluster = mergedEntries(yaml, files, 'clusters').get(clusterName);
  if (!cluster)
    return {
      step: 'cluster settings',
      status: 'failed',
      detail: `no cluster "${clusterName}" in the kubeconfig to hold the provider settings`,
      fix: 'add the cluster with kubectl config set-cluster, then run setup again',
    };
  const others = (Array.isArray(cluster.value.extensions) ? cluster.value.extensions : []).filter(
    (extension: unknown) => !(isRecord(extension) && extension.name === execExtensionName),
  );
  const file = files.find((candidate) => candidate.path === cluster.file);
  const text = upsertNamedEntry(yaml, file?.text ?? '', 'clusters', {
    name: clusterName,
    cluster: {
      ...cluster.value,
      extensions: [...others, { name: execExtensionName, extension: settings }],
    },
  });
  const backup = replaceKubeconfigFile(cluster.file, text);
  return {
    step: 'cluster settings',
    status: 'passed',
    detail: `wrote ${Object.keys(settings).join(', ')} to cluster "${clusterName}" (extensions: ${execExtensionName}) in ${cluster.file}${backup ? ` (previous file: ${backup})` : ''}`,
  };
}
