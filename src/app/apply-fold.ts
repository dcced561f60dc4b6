/**
 * Applies convert-kubeconfig --fold-users (src/kube/fold-plan.ts decides): each cluster of a group gets its
 * provider settings, the shared user its exec entry with provideClusterInfo: true, the other members' contexts point
 * at the shared user. Entries are edited in the file of the KUBECONFIG list that defines them, every other byte
 * kept; the users no longer used stay (their removal is the user's call) and the report names them.
 */
import { execExtensionName } from '../flags/cluster-settings.js';
import { getTokenFlags } from '../flags/get-token-flags.js';
import { planFold } from '../kube/fold-plan.js';
import { upsertNamedEntry } from '../kube/kubeconfig-edit.js';
import { isRecord, mergedEntries } from '../kube/kubeconfig-read.js';
import { loadYaml, readKubeconfigFiles, replaceKubeconfigFile } from './kubeconfig-files.js';

/** Report lines; `explicit` is convert's --kubeconfig. */
export function foldUsers(env: NodeJS.ProcessEnv, explicit: string | undefined): string[] {
  const yaml = loadYaml();
  const files = readKubeconfigFiles(env, explicit);
  const users = mergedEntries(yaml, files, 'users');
  const contexts = mergedEntries(yaml, files, 'contexts');
  const clusters = mergedEntries(yaml, files, 'clusters');
  const values = <T extends { value: Record<string, unknown> }>(map: Map<string, T>) =>
    new Map([...map].map(([name, entry]) => [name, entry.value]));
  const { plans, notes } = planFold(
    { users: values(users), contexts: values(contexts), clusters: values(clusters) },
    getTokenFlags,
  );
  const report = notes.map((note) => `- ${note}`);
  if (plans.length === 0) return [...report, 'nothing to fold: no users that differ only in their provider'];

  const edited = new Map<string, string>();
  const textOf = (path: string) => edited.get(path) ?? files.find((file) => file.path === path)?.text ?? '';
  const edit = (
    path: string,
    section: 'users' | 'contexts' | 'clusters',
    entry: { name: string } & Record<string, unknown>,
  ) => edited.set(path, upsertNamedEntry(yaml, textOf(path), section, entry));
  for (const plan of plans) {
    for (const [clusterName, settings] of plan.clusterSettings) {
      const cluster = clusters.get(clusterName);
      if (!cluster) continue;
      const others = (Array.isArray(cluster.value.extensions) ? cluster.value.extensions : []).filter(
        (extension: unknown) => !(isRecord(extension) && extension.name === execExtensionName),
      );
      edit(cluster.file, 'clusters', {
        name: clusterName,
        cluster: {
          ...cluster.value,
          extensions: [...others, { name: execExtensionName, extension: settings }],
        },
      });
    }
    const shared = users.get(plan.shared);
    if (shared) edit(shared.file, 'users', { name: plan.shared, user: { ...shared.value, exec: plan.exec } });
    for (const contextName of plan.contextsToRepoint) {
      const context = contexts.get(contextName);
      if (context)
        edit(context.file, 'contexts', {
          name: contextName,
          context: { ...context.value, user: plan.shared },
        });
    }
    const unused = plan.members.filter((name) => name !== plan.shared);
    report.push(
      `✓ folded users ${plan.members.map((name) => `"${name}"`).join(', ')} into "${plan.shared}" (provideClusterInfo); provider settings now on cluster(s) ${[...plan.clusterSettings.keys()].map((name) => `"${name}"`).join(', ')}`,
      `    no context uses ${unused.map((name) => `"${name}"`).join(', ')} any more: kubectl config delete-user NAME removes it`,
    );
  }
  for (const [path, text] of edited) {
    const backup = replaceKubeconfigFile(path, text);
    report.push(`  wrote ${path}${backup ? ` (previous file: ${backup})` : ''}`);
  }
  return report;
}
