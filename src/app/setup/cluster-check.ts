/**
 * Step 8 of `setup`: send the token just obtained to the cluster of a kubeconfig context and explain the answer
 * (src/core/setup/cluster-verdict.ts). Only the token setup obtained is used; the cache and the context's own user are
 * not involved.
 */

import type { Check } from '../../core/setup/checklist.js';
import {
  accessWorthAsking,
  type ClusterFacts,
  explainClusterAnswers,
} from '../../core/setup/cluster-verdict.js';
import { connectCluster } from '../../kube/cluster-client.js';
import { resolveClusterConnection } from '../../kube/kubeconfig-read.js';
import { describeNetworkError } from '../../oidc/translate-error.js';
import { loadYaml, readKubeconfigFiles } from '../kubeconfig-files.js';

export async function checkCluster(
  env: NodeJS.ProcessEnv,
  contextName: string,
  token: string | undefined,
  facts: Omit<ClusterFacts, 'contextName' | 'server' | 'namespace'>,
  timeoutMs: number,
): Promise<Check[]> {
  const step = 'cluster authentication';
  const resolved = resolveClusterConnection(loadYaml(), readKubeconfigFiles(env), contextName);
  if (!resolved.ok)
    return [
      {
        step,
        status: 'failed',
        detail: resolved.problem,
        fix: 'add the cluster and context with kubectl config set-cluster / set-context, or give --cluster with --write-kubeconfig',
      },
    ];
  const { connection } = resolved;
  if (!token)
    return [{ step, status: 'failed', detail: 'the login returned no token to send to the cluster' }];
  try {
    const api = connectCluster(connection, token, { timeoutMs, env });
    const review = await api.whoAmI();
    const access = accessWorthAsking(review.status)
      ? await api.canI('list', 'pods', connection.namespace)
      : undefined;
    return explainClusterAnswers(
      { review, ...(access ? { access } : {}) },
      { ...facts, contextName, server: connection.server, namespace: connection.namespace },
    );
  } catch (error) {
    return [
      {
        step,
        status: 'failed',
        detail: `could not reach ${connection.server} (context ${contextName}): ${describeNetworkError(error)}`,
        fix: "check the context's server address, its certificate-authority, and the proxy",
      },
    ];
  }
}
