/**
 * What the two-cluster setup tests start from: the admin's kubeconfig of the rig's API server A (cluster `rig`) with
 * cluster `b` (API server B) added by hand, and a PATH on which kubectl finds the plugin; and a cluster entry of an
 * API server with its exec extension.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ApiServer, rigAdminKubeconfigText } from './api-server.js';
import { pluginBin } from './build.js';
import { tempDir } from './plugin.js';

export function twoClusterAdminKubeconfig(
  apiA: ApiServer,
  apiB: ApiServer,
): { path: string; env: Record<string, string> } {
  const bin = tempDir('bin');
  symlinkSync(pluginBin, join(bin, 'kubectl-together_login'));
  const path = join(tempDir('kubeconfig'), 'config');
  const b = [
    '- name: b',
    '  cluster:',
    `    server: ${apiB.url}`,
    `    certificate-authority-data: ${Buffer.from(apiB.caPem).toString('base64')}`,
  ];
  writeFileSync(path, rigAdminKubeconfigText(apiA).replace('users:', `${b.join('\n')}\nusers:`), {
    mode: 0o600,
  });
  return { path, env: { KUBECONFIG: path, PATH: `${bin}:${process.env.PATH}`, HOME: tempDir('home') } };
}

/** A kubeconfig cluster entry of an API server, with `settings` as its exec extension (provideClusterInfo) if given. */
export function clusterEntry(name: string, api: ApiServer, settings?: Record<string, unknown>) {
  return {
    name,
    cluster: {
      server: api.url,
      'certificate-authority-data': Buffer.from(api.caPem).toString('base64'),
      ...(settings
        ? { extensions: [{ name: 'client.authentication.k8s.io/exec', extension: settings }] }
        : {}),
    },
  };
}
