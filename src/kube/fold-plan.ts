/**
 * `convert-kubeconfig --fold-users`: users of this plugin that differ only in their provider settings
 * (issuer, client, scopes, …) become one user with provideClusterInfo: true, and each one's settings move into the
 * clusters its contexts use (extensions[client.authentication.k8s.io/exec]). Pure: the kubeconfig's entries in, a
 * plan out. A group is folded only when nothing becomes ambiguous: a cluster used with two different providers, or
 * already carrying other exec settings, leaves the whole group as it is, and says why.
 */

import type { FlagSpec } from '../flags/argv.js';
import { execExtensionName, splitClusterSettings } from '../flags/cluster-settings.js';
import { isRecord } from './kubeconfig-read.js';

export interface FoldPlan {
  /** The user that stays and serves every cluster of the group (the first of the group). */
  readonly shared: string;
  readonly exec: Record<string, unknown>;
  readonly members: readonly string[];
  /** cluster name → the settings it gets. */
  readonly clusterSettings: ReadonlyMap<string, Record<string, unknown>>;
  /** Contexts of the other members, to point at the shared user. */
  readonly contextsToRepoint: readonly string[];
}

export interface FoldInput {
  readonly users: ReadonlyMap<string, Record<string, unknown>>;
  readonly contexts: ReadonlyMap<string, Record<string, unknown>>;
  readonly clusters: ReadonlyMap<string, Record<string, unknown>>;
}

export function planFold(
  input: FoldInput,
  specs: readonly FlagSpec[],
): { plans: FoldPlan[]; notes: string[] } {
  const notes: string[] = [];
  const groups = new Map<
    string,
    { name: string; exec: Record<string, unknown>; settings: Record<string, unknown> }[]
  >();
  for (const [name, user] of input.users) {
    const exec = isRecord(user.exec) ? user.exec : undefined;
    const command = typeof exec?.command === 'string' ? exec.command.split(/[\\/]/).pop() : undefined;
    const args = Array.isArray(exec?.args) ? exec.args.map(String) : [];
    if (!exec || command !== 'kubectl-together_login' || args[0] !== 'get-token') continue;
    const { userArgs, settings } = splitClusterSettings(args.slice(1), specs);
    if (settings['oidc-issuer-url'] === undefined) continue;
    const shape = { ...exec, args: ['get-token', ...userArgs] };
    const key = JSON.stringify(Object.entries(shape).sort(([a], [b]) => a.localeCompare(b)));
    groups.set(key, [...(groups.get(key) ?? []), { name, exec: shape, settings }]);
  }

  const plans: FoldPlan[] = [];
  for (const candidates of groups.values()) {
    if (candidates.length < 2) continue;
    const clusterSettings = new Map<string, Record<string, unknown>>();
    const contextsOf = new Map<string, string[]>();
    const members: typeof candidates = [];
    let conflict: string | undefined;
    for (const member of candidates) {
      const contexts = [...input.contexts].filter(([, context]) => context.user === member.name);
      if (contexts.length === 0) {
        notes.push(`user "${member.name}" is used by no context: left as it is`);
        continue;
      }
      members.push(member);
      contextsOf.set(
        member.name,
        contexts.map(([contextName]) => contextName),
      );
      for (const [contextName, context] of contexts) {
        const clusterName = String(context.cluster ?? '');
        const cluster = input.clusters.get(clusterName);
        const wanted = JSON.stringify(member.settings);
        const planned = clusterSettings.get(clusterName);
        const existing = existingExecSettings(cluster);
        if (!cluster) conflict ??= `context "${contextName}" names no known cluster "${clusterName}"`;
        else if (planned !== undefined && JSON.stringify(planned) !== wanted)
          conflict ??= `cluster "${clusterName}" is used with two different providers`;
        else if (existing !== undefined && JSON.stringify(existing) !== wanted)
          conflict ??= `cluster "${clusterName}" already has other ${execExtensionName} settings`;
        else clusterSettings.set(clusterName, member.settings);
      }
    }
    const names = candidates.map((member) => `"${member.name}"`).join(', ');
    if (conflict) {
      notes.push(`users ${names} not folded: ${conflict}`);
      continue;
    }
    if (members.length < 2) continue;
    const [first, ...others] = members as [(typeof members)[number], ...typeof members];
    plans.push({
      shared: first.name,
      exec: { ...first.exec, provideClusterInfo: true },
      members: members.map((member) => member.name),
      clusterSettings,
      contextsToRepoint: others.flatMap((member) => contextsOf.get(member.name) ?? []),
    });
  }
  return { plans, notes };
}

function existingExecSettings(cluster: Record<string, unknown> | undefined): unknown {
  const extensions = Array.isArray(cluster?.extensions) ? cluster.extensions : [];
  const found = extensions.find(
    (extension: unknown) => isRecord(extension) && extension.name === execExtensionName,
  );
  return isRecord(found) ? found.extension : undefined;
}
