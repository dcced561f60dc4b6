/**
 * The ExecCredential contract with kubectl (client-go): what it tells us in KUBERNETES_EXEC_INFO and the one JSON
 * document we answer with on stdout.
 */
import { AppError } from '../app-error.js';
import { floorToMultiple } from '../core/freshness.js';

export const execCredentialApiVersions = [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
] as const;
export type ExecCredentialApiVersion = (typeof execCredentialApiVersions)[number];

export interface ExecInfo {
  readonly apiVersion: ExecCredentialApiVersion;
  /**
   * false when kubectl has no stdin to give us (interactiveMode Never, or its stdin is not a terminal); undefined
   * when kubectl did not say (a manual run): the flows that need stdin then check whether it is a terminal. Not
   * checked here, because node:tty costs start-up time on every cache hit.
   */
  readonly interactive: boolean | undefined;
  /**
   * spec.cluster, present when the kubeconfig's exec config sets provideClusterInfo: true. `config` is the cluster's
   * extensions[client.authentication.k8s.io/exec] (undefined when the cluster has none, or it is not an object).
   */
  readonly cluster?: {
    readonly server: string | undefined;
    readonly config: Record<string, unknown> | undefined;
  };
}

/** Reads KUBERNETES_EXEC_INFO. Absent (a manual run), or without apiVersion: v1beta1 like int128/kubelogin. */
export function parseExecInfo(raw: string | undefined): ExecInfo {
  if (raw === undefined || raw.trim() === '') {
    return { apiVersion: 'client.authentication.k8s.io/v1beta1', interactive: undefined };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (cause) {
    throw execInfoError('KUBERNETES_EXEC_INFO is not valid JSON', cause);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw execInfoError('KUBERNETES_EXEC_INFO is not a JSON object');
  const { apiVersion: given, spec } = doc as {
    apiVersion?: unknown;
    spec?: { interactive?: unknown; cluster?: { server?: unknown; config?: unknown } };
  };
  // Without an apiVersion, v1beta1, as int128/kubelogin answers.
  const apiVersion = given === undefined ? 'client.authentication.k8s.io/v1beta1' : given;
  if (!(execCredentialApiVersions as readonly unknown[]).includes(apiVersion)) {
    throw execInfoError(
      `KUBERNETES_EXEC_INFO has apiVersion ${JSON.stringify(apiVersion)}, expected one of ${execCredentialApiVersions.join(', ')}`,
    );
  }
  const interactive = typeof spec?.interactive === 'boolean' ? spec.interactive : undefined;
  const cluster = spec?.cluster;
  return typeof cluster === 'object' && cluster !== null
    ? { apiVersion: apiVersion as ExecCredentialApiVersion, interactive, cluster: clusterInfo(cluster) }
    : { apiVersion: apiVersion as ExecCredentialApiVersion, interactive };
}

/** spec.cluster, with provideClusterInfo: its server and the config of its exec extension, when they have a type. */
function clusterInfo(cluster: { server?: unknown; config?: unknown }): ExecInfo['cluster'] {
  const { server, config } = cluster;
  return {
    server: typeof server === 'string' ? server : undefined,
    config:
      typeof config === 'object' && config !== null && !Array.isArray(config)
        ? (config as Record<string, unknown>)
        : undefined,
  };
}

function execInfoError(message: string, cause?: unknown): AppError {
  return new AppError('usage.exec-info', message, {
    hint: 'set apiVersion: client.authentication.k8s.io/v1 in the exec section of your kubeconfig user',
    cause,
  });
}

/** The document printed on stdout. `expirationTimestamp` is RFC 3339 in UTC, whole seconds. */
export function renderExecCredential(
  apiVersion: ExecCredentialApiVersion,
  token: string,
  expiresAtMs: number,
): string {
  const expirationTimestamp = new Date(floorToMultiple(expiresAtMs, 1000))
    .toISOString()
    .replace('.000Z', 'Z');
  return `${JSON.stringify({
    kind: 'ExecCredential',
    apiVersion,
    spec: { interactive: false },
    status: { expirationTimestamp, token },
  })}\n`;
}
