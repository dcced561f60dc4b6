/**
 * Finds the kubectl binaries of this machine and writes kubeconfigs whose user runs the built plugin through exec.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';

const candidates = [
  '/usr/bin/kubectl',
  '/usr/local/bin/kubectl',
  '/usr/lib/google-cloud-sdk/bin/kubectl',
  ...['27', '28', '29', '30', '31', '32', '33'].map(
    (minor) => `/usr/lib/google-cloud-sdk/bin/kubectl.1.${minor}`,
  ),
];

export interface KubectlBinary {
  readonly path: string;
  /** e.g. `v1.32.2` */
  readonly version: string;
  readonly minor: number;
}

/** Every working kubectl on this machine, oldest first, one per minor version. */
export function findKubectls(): KubectlBinary[] {
  const byMinor = new Map<number, KubectlBinary>();
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    try {
      const out = execFileSync(path, ['version', '--client', '-o', 'json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const info = JSON.parse(out).clientVersion as { gitVersion: string; minor: string };
      const minor = Number.parseInt(info.minor, 10);
      if (!byMinor.has(minor)) byMinor.set(minor, { path, version: info.gitVersion, minor });
    } catch {
      // not a usable kubectl
    }
  }
  return [...byMinor.values()].sort((a, b) => a.minor - b.minor);
}

/**
 * The oldest and the newest kubectl on this machine (one when only one is found), or throws naming `what` needs it:
 * the tests of a kubectl-facing behaviour run with both ends of the supported range.
 */
export function oldestAndNewestKubectls(what: string): KubectlBinary[] {
  const kubectls = findKubectls();
  const [oldest, newest] = [kubectls[0], kubectls.at(-1)];
  if (!oldest || !newest) throw new Error(`kubectl is required for ${what}`);
  return oldest === newest ? [oldest] : [oldest, newest];
}

export interface KubeconfigOptions {
  readonly path: string;
  readonly serverUrl: string;
  readonly caPem: string;
  readonly pluginCommand: string;
  readonly pluginArgs: readonly string[];
  readonly interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
  readonly apiVersion?: 'client.authentication.k8s.io/v1' | 'client.authentication.k8s.io/v1beta1';
  readonly env?: Readonly<Record<string, string>>;
}

/** kubeconfig is YAML, and JSON is YAML: written as JSON to need no YAML library. */
export function writeKubeconfig(options: KubeconfigOptions): void {
  const exec: Record<string, unknown> = {
    apiVersion: options.apiVersion ?? 'client.authentication.k8s.io/v1',
    command: options.pluginCommand,
    args: ['get-token', ...options.pluginArgs],
    env: Object.entries(options.env ?? {}).map(([name, value]) => ({ name, value })),
    interactiveMode: options.interactiveMode ?? 'IfAvailable',
    provideClusterInfo: false,
  };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'rig',
        cluster: {
          server: options.serverUrl,
          'certificate-authority-data': Buffer.from(options.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: 'oidc', user: { exec } }],
    contexts: [{ name: 'rig', context: { cluster: 'rig', user: 'oidc' } }],
    'current-context': 'rig',
  };
  writeFileSync(options.path, JSON.stringify(config, null, 2), { mode: 0o600 });
}
