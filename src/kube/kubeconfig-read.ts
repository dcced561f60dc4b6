/**
 * Reads a kubeconfig the way kubectl merges it: the files of a KUBECONFIG list in order, the first file to define a
 * cluster, user or context name wins, and the first non-empty current-context wins. Pure: the caller reads the
 * files; relative certificate paths are resolved against the file that names them, as kubectl does.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { AppError } from '../app-error.js';
import type { Section, YamlModule } from './kubeconfig-edit.js';

export interface KubeconfigFile {
  readonly path: string;
  readonly text: string;
}

/** What it takes to talk to a context's cluster. */
export interface ClusterConnection {
  readonly contextName: string;
  readonly clusterName: string;
  readonly namespace: string;
  readonly server: string;
  /** PEM text (from certificate-authority-data) or a file path (certificate-authority); none: the system CAs. */
  readonly certificateAuthority?: { readonly pem: string } | { readonly file: string };
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  readonly proxyUrl?: string;
}

interface Named {
  readonly file: string;
  readonly value: Record<string, unknown>;
}

export function mergedEntries(yaml: YamlModule, files: readonly KubeconfigFile[], section: Section) {
  const entries = new Map<string, Named>();
  for (const file of files) {
    const list = parseConfig(yaml, file)[section];
    if (!Array.isArray(list)) continue;
    for (const item of list as { name?: unknown }[]) {
      if (typeof item?.name !== 'string' || entries.has(item.name)) continue;
      const body = (item as Record<string, unknown>)[section.slice(0, -1)];
      entries.set(item.name, { file: file.path, value: isRecord(body) ? body : {} });
    }
  }
  return entries;
}

/** The named context (or the current one) and its cluster, or why there is none. */
export function resolveClusterConnection(
  yaml: YamlModule,
  files: readonly KubeconfigFile[],
  contextName: string | undefined,
): { ok: true; connection: ClusterConnection } | { ok: false; problem: string } {
  const name =
    contextName ??
    files
      .map((file) => parseConfig(yaml, file)['current-context'])
      .find((value): value is string => typeof value === 'string' && value !== '');
  if (!name) return { ok: false, problem: 'no context given and the kubeconfig has no current-context' };
  const context = mergedEntries(yaml, files, 'contexts').get(name);
  if (!context) return { ok: false, problem: `the kubeconfig has no context "${name}"` };
  const clusterName = context.value.cluster;
  if (typeof clusterName !== 'string' || clusterName === '')
    return { ok: false, problem: `context "${name}" names no cluster` };
  const cluster = mergedEntries(yaml, files, 'clusters').get(clusterName);
  if (!cluster)
    return { ok: false, problem: `context "${name}" uses cluster "${clusterName}", which is not defined` };
  const field = (key: string) => {
    const value = cluster.value[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const server = field('server');
  if (!server) return { ok: false, problem: `cluster "${clusterName}" has no server` };
  const caData = field('certificate-authority-data');
  const caFile = field('certificate-authority');
  const namespace = context.value.namespace;
  return {
    ok: true,
    connection: {
      contextName: name,
      clusterName,
      namespace: typeof namespace === 'string' && namespace !== '' ? namespace : 'default',
      server,
      ...(caData
        ? { certificateAuthority: { pem: Buffer.from(caData, 'base64').toString('utf8') } }
        : caFile
          ? {
              certificateAuthority: {
                file: isAbsolute(caFile) ? caFile : resolve(dirname(cluster.file), caFile),
              },
            }
          : {}),
      insecureSkipTlsVerify: cluster.value['insecure-skip-tls-verify'] === true,
      ...(field('tls-server-name') ? { tlsServerName: field('tls-server-name') } : {}),
      ...(field('proxy-url') ? { proxyUrl: field('proxy-url') } : {}),
    },
  };
}

const parsed = new WeakMap<KubeconfigFile, Record<string, unknown>>();

/** The file's top-level map ({} for an empty file); exit 2 with the file and the YAML error's first line. */
export function parseConfig(yaml: YamlModule, file: KubeconfigFile): Record<string, unknown> {
  let config = parsed.get(file);
  if (!config) {
    let value: unknown;
    try {
      value = file.text.trim() === '' ? {} : yaml.parse(file.text);
    } catch (error) {
      throw new AppError(
        'kubeconfig.invalid',
        `${file.path} is not valid YAML: ${(error as Error).message.split('\n')[0]?.replace(/:$/, '')}`,
        { hint: 'fix the file, or point KUBECONFIG at another one' },
      );
    }
    config = isRecord(value) ? value : {};
    parsed.set(file, config);
  }
  return config;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
