/**
 * Files that settings name, at paths a kubeconfig or a cluster entry written by someone else may give: a CA file (the
 * flag, or a cluster's exec extension), the CI token file and the callback server's certificate. Whatever sits at the
 * path, the plugin neither hangs (a FIFO blocked open() forever) nor reads without end (/dev/zero grew to 11 GB): it
 * refuses anything but a regular file of at most 1 MB with exit 2, naming the setting and the path. The run is watched
 * (test/rig/bounded-run.ts) so a regression fails instead of hanging the suite.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPluginBounded } from '../rig/bounded-run.js';
import { expectOneError } from '../rig/one-error.js';
import { getTokenArgs, tempDir } from '../rig/plugin.js';

const dir = tempDir('setting-files');
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const directory = join(dir, 'directory');
mkdirSync(directory);
const large = join(dir, 'two-megabytes.pem');
writeFileSync(large, `-----BEGIN CERTIFICATE-----\n${'A'.repeat(2 * 1024 * 1024)}\n`);

const hostilePaths: readonly (readonly [what: string, path: string, problem: string])[] = [
  ['a FIFO', fifo, 'is a FIFO \\(named pipe\\), not a regular file'],
  ['/dev/zero', '/dev/zero', 'is a device, not a regular file'],
  ['a directory', directory, 'is a directory, not a regular file'],
  ['a 2 MB file', large, 'is larger than 1 MB'],
];

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const cluster = 'https://k8s.example.com';
// Never contacted: the CA is read for the cache key, before any request.
const issuer = 'https://127.0.0.1:9/';
const clientId = 'kubernetes';
const getToken = (cacheDir: string, extra: readonly string[] = []) =>
  getTokenArgs(issuer, { clientId, cacheDir, extra });

const settings: readonly (readonly [
  setting: string,
  run: (path: string) => (cacheDir: string) => { args: string[]; env: Record<string, string> },
  error: (path: string, problem: string) => RegExp,
])[] = [
  [
    '--certificate-authority',
    (path) => (cacheDir) => ({
      args: getToken(cacheDir, [`--certificate-authority=${path}`]),
      env: {},
    }),
    (path, problem) => new RegExp(`^error: --certificate-authority ${literal(path)} ${problem}$`),
  ],
  [
    "the cluster's certificate-authority",
    (path) => (cacheDir) => ({
      args: getToken(cacheDir),
      env: {
        KUBERNETES_EXEC_INFO: JSON.stringify({
          apiVersion: 'client.authentication.k8s.io/v1',
          kind: 'ExecCredential',
          spec: {
            interactive: false,
            cluster: { server: cluster, config: { 'certificate-authority': path } },
          },
        }),
      },
    }),
    (path, problem) =>
      new RegExp(
        `^error: certificate-authority ${literal(path)} of the cluster ${literal(cluster)}'s exec extension ${problem}$`,
      ),
  ],
  [
    '--ci-token-source=file:',
    (path) => (cacheDir) => ({
      args: [
        'get-token',
        '--grant-type=ci-token',
        `--ci-token-source=file:${path}`,
        '--ci-token-audience=prod',
        `--token-cache-dir=${cacheDir}`,
      ],
      env: {},
    }),
    (path, problem) => new RegExp(`^error: the CI token file ${literal(path)} ${problem}$`),
  ],
  [
    '--local-server-cert',
    (path) => (cacheDir) => ({
      args: getToken(cacheDir, [
        '--grant-type=authcode',
        `--local-server-cert=${path}`,
        `--local-server-key=${path}`,
      ]),
      env: {},
    }),
    (path, problem) => new RegExp(`^error: --local-server-cert ${literal(path)} ${problem}$`),
  ],
];

describe('files named by settings: only a regular file of at most 1 MB is read', () => {
  it.each(
    settings.flatMap(([setting, run, error]) =>
      hostilePaths.map(([what, path, problem]) => [setting, what, run(path), error(path, problem)] as const),
    ),
  )('%s naming %s: exit 2 at once, naming the setting and the path', async (_, __, run, error) => {
    const { args, env } = run(join(tempDir('cache'), 'c'));
    const result = await runPluginBounded(args, env);
    expect(result.killedFor, result.stderr).toBe(undefined);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expectOneError(result.stderr, error);
  });
});

describe('kubeconfig files that setup and convert-kubeconfig read: only regular files', () => {
  const kubeconfig = join(dir, 'config');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
  const commands: readonly (readonly [
    what: string,
    run: (path: string) => { args: string[]; env: Record<string, string> },
  ])[] = [
    [
      'convert-kubeconfig --kubeconfig',
      (path) => ({ args: ['convert-kubeconfig', `--kubeconfig=${path}`], env: {} }),
    ],
    [
      'convert-kubeconfig (KUBECONFIG)',
      (path) => ({ args: ['convert-kubeconfig'], env: { KUBECONFIG: `${kubeconfig}:${path}` } }),
    ],
    [
      'setup --context (KUBECONFIG)',
      (path) => ({
        args: ['setup', `--oidc-issuer-url=${issuer}`, `--oidc-client-id=${clientId}`, '--context=prod'],
        env: { KUBECONFIG: `${path}:${kubeconfig}` },
      }),
    ],
  ];
  it.each(
    commands.flatMap(([command, run]) =>
      hostilePaths
        .filter(([what]) => what !== 'a 2 MB file')
        .map(([what, path, problem]) => [command, what, run(path), path, problem] as const),
    ),
  )(
    '%s naming %s: exit 2 at once, naming the file, no request',
    async (_, __, { args, env }, path, problem) => {
      const result = await runPluginBounded(args, env);
      expect(result.killedFor, result.stderr).toBe(undefined);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toBe('');
      expectOneError(result.stderr, new RegExp(`^error: the kubeconfig ${literal(path)} ${problem}$`));
    },
  );

  it('a kubeconfig that is a symlink (a dotfiles repository) stays one: the converted text goes to the file it points at', async () => {
    const target = join(tempDir('dotfiles'), 'kubeconfig.yaml');
    const before = [
      'apiVersion: v1',
      'kind: Config',
      'users:',
      '- name: dev',
      '  user:',
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1beta1',
      '      command: kubectl',
      '      args: [oidc-login, get-token, --oidc-issuer-url=https://idp.example.com, --oidc-client-id=kube]',
      '',
    ].join('\n');
    writeFileSync(target, before);
    const link = join(tempDir('home'), 'config');
    symlinkSync(target, link);
    const result = await runPluginBounded(['convert-kubeconfig', `--kubeconfig=${link}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const after = readFileSync(target, 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('--oidc-issuer-url=https://idp.example.com');
    expect(after).not.toContain('oidc-login');
  });
});
