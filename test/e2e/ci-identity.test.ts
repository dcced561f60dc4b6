/**
 * CI workload identity end to end: the admin runs setup with the CI flags and configures the test API
 * server from the AuthenticationConfiguration it prints (the people's issuer and the CI issuer), runs the printed
 * RBAC command; a CI job (GITHUB_ACTIONS=true, or GitLab's id_tokens variable) runs the real kubectl with the
 * printed kubeconfig user and is the username setup predicted; a job of another owner is refused by the pinned
 * claim; a person's login still works on the same cluster.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, rigAdminKubeconfigText, startApiServer } from '../rig/api-server.js';
import { browserDriverPath, pluginBin } from '../rig/build.js';
import { type CiTokenService, startCiTokenService } from '../rig/ci-token-service.js';
import { findKubectls, type KubectlBinary, writeKubeconfig } from '../rig/kubectl.js';
import { getTokenFlags, runCommand, runSetup, tempDir } from '../rig/plugin.js';
import { useRigProvider } from '../rig/use-provider.js';

const kubectls = findKubectls();
if (kubectls.length === 0) throw new Error('kubectl is required for the CI identity tests');
const oldest = kubectls[0] as KubectlBinary;
const newest = kubectls[kubectls.length - 1] as KubectlBinary;
const audience = 'rig-cluster';

interface SetupJson {
  identity: { username: string };
  admin: { authenticationConfiguration: string };
  ci: { username: string; rbac: string; getTokenArgs: string[] };
  user: { exec: { args: string[] } };
}

/** The admin's kubeconfig of the new cluster (a static token in system:masters). */
function adminKubeconfig(api: ApiServer): string {
  const path = join(tempDir('kubeconfig'), 'config');
  writeFileSync(path, rigAdminKubeconfigText(api), { mode: 0o600 });
  return path;
}

function kubeconfigWith(api: ApiServer, pluginArgs: string[]): string {
  const path = join(tempDir('kubeconfig'), 'config');
  writeKubeconfig({
    path,
    serverUrl: api.url,
    caPem: api.caPem,
    pluginCommand: pluginBin,
    pluginArgs,
    interactiveMode: 'Never',
  });
  return path;
}

describe('CI jobs authenticate with their own token, beside people', () => {
  const provider = useRigProvider();
  let service: CiTokenService;
  beforeAll(async () => {
    service = await startCiTokenService();
  });
  afterAll(async () => {
    await service.close();
  });

  async function adminSetup(ciFlags: string[]): Promise<SetupJson> {
    const result = await runSetup(
      provider.issuer,
      ['--output=json', `--ci-issuer-url=${service.issuer}`, `--ci-token-audience=${audience}`, ...ciFlags],
      { KUBECONFIG: join(tempDir('none'), 'config') },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('✓ CI username prefix');
    const printed = JSON.parse(result.stdout) as SetupJson;
    // The people's user keeps the people's flags only.
    expect(printed.user.exec.args.filter((arg) => arg.startsWith('--ci-'))).toEqual([]);
    return printed;
  }

  it.each([oldest, newest].map((kubectl) => [kubectl.version, kubectl] as const))(
    'GitHub Actions with kubectl %s: the predicted username, the owner pinned, the person unaffected',
    async (_, kubectl) => {
      const printed = await adminSetup([
        '--ci-token-source=github-actions',
        '--ci-repository=octo-org/octo-repo',
      ]);
      expect(printed.ci.username).toBe('github-actions:repo:octo-org/octo-repo:ref:refs/heads/main');
      const api = await startApiServer({
        authenticationConfiguration: printed.admin.authenticationConfiguration,
      });
      try {
        const toolEnv = { PATH: `${join(kubectl.path, '..')}:${process.env.PATH}`, HOME: tempDir('home') };
        // The job: the printed get-token args, the runner's environment, no browser, no secret.
        const ciConfig = kubeconfigWith(api, [
          ...printed.ci.getTokenArgs.slice(1),
          `--token-cache-dir=${join(tempDir('cache'), 'oidc-login')}`,
        ]);
        const job = service.githubJob({
          kind: 'github',
          repository: 'octo-org/octo-repo',
          ref: 'refs/heads/main',
        });
        // Authenticated, but allowed nothing until the admin runs the printed binding.
        const listPods = ['get', '--raw', '/api/v1/namespaces/default/pods'];
        const before = await runCommand(kubectl.path, [`--kubeconfig=${ciConfig}`, ...listPods], {
          ...toolEnv,
          ...job,
        });
        expect(before.code).not.toBe(0);
        expect(api.forbidden.at(-1)).toContain(`User "${printed.ci.username}" cannot list resource "pods"`);
        const binding = await runCommand(
          'sh',
          ['-c', printed.ci.rbac.replace(/^kubectl /, `${kubectl.path} `)],
          { ...toolEnv, KUBECONFIG: adminKubeconfig(api) },
        );
        expect(binding.code, binding.stderr).toBe(0);

        const whoami = await runCommand(
          kubectl.path,
          [`--kubeconfig=${ciConfig}`, 'auth', 'whoami', '-o', 'json'],
          {
            ...toolEnv,
            ...job,
          },
        );
        expect(whoami.code, whoami.stderr).toBe(0);
        expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe(printed.ci.username);
        const pods = await runCommand(
          kubectl.path,
          [`--kubeconfig=${ciConfig}`, 'get', '--raw', '/api/v1/namespaces/default/pods'],
          {
            ...toolEnv,
            ...job,
          },
        );
        expect(pods.code, pods.stderr).toBe(0);
        expect(
          service.requests.filter((request) => request.audience === audience).length,
        ).toBeGreaterThanOrEqual(1);

        // A repository of another owner gets tokens from the same issuer: the pinned claim refuses it.
        const stranger = service.githubJob({
          kind: 'github',
          repository: 'evil-org/octo-repo',
          ref: 'refs/heads/main',
        });
        const refused = await runCommand(
          kubectl.path,
          [`--kubeconfig=${ciConfig}`, 'get', '--raw', '/api/v1/namespaces/default/pods'],
          {
            ...toolEnv,
            ...stranger,
            HOME: tempDir('home'),
          },
        );
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toMatch(/Unauthorized|must be logged in/);
        expect(api.refused.at(-1)).toContain('claim repository_owner is not "octo-org"');

        // The person logs in through the browser on the same cluster, as setup predicted.
        const personConfig = kubeconfigWith(
          api,
          getTokenFlags(provider.issuer, {
            cacheDir: join(tempDir('cache'), 'oidc-login'),
            browser: browserDriverPath,
            extra: ['--oidc-extra-scope=email,groups'],
          }),
        );
        const person = await runCommand(
          kubectl.path,
          [`--kubeconfig=${personConfig}`, 'auth', 'whoami', '-o', 'json'],
          toolEnv,
        );
        expect(person.code, person.stderr).toBe(0);
        expect(JSON.parse(person.stdout).status.userInfo.username).toBe(printed.identity.username);
        expect(printed.identity.username).toBe('alice@example.com');
      } finally {
        await api.close();
      }
    },
  );

  it('GitLab CI: the id_tokens variable through kubectl, as the predicted username', async () => {
    const printed = await adminSetup([
      '--ci-token-source=gitlab:KUBE_ID_TOKEN',
      '--ci-repository=my-group/my-project',
      '--ci-branch=release',
    ]);
    expect(printed.ci.username).toBe(
      'gitlab-ci:project_path:my-group/my-project:ref_type:branch:ref:release',
    );
    const api = await startApiServer({
      authenticationConfiguration: printed.admin.authenticationConfiguration,
    });
    try {
      const env = { PATH: `${join(newest.path, '..')}:${process.env.PATH}`, HOME: tempDir('home') };
      const binding = await runCommand(
        'sh',
        ['-c', printed.ci.rbac.replace(/^kubectl /, `${newest.path} `)],
        {
          ...env,
          KUBECONFIG: adminKubeconfig(api),
        },
      );
      expect(binding.code, binding.stderr).toBe(0);
      const ciConfig = kubeconfigWith(api, [
        ...printed.ci.getTokenArgs.slice(1),
        `--token-cache-dir=${join(tempDir('cache'), 'oidc-login')}`,
      ]);
      const token = await service.mint(
        { kind: 'gitlab', projectPath: 'my-group/my-project', ref: 'release' },
        audience,
      );
      const pods = await runCommand(
        newest.path,
        [`--kubeconfig=${ciConfig}`, 'get', '--raw', '/api/v1/namespaces/default/pods'],
        {
          ...env,
          GITLAB_CI: 'true',
          CI: 'true',
          KUBE_ID_TOKEN: token,
        },
      );
      expect(pods.code, pods.stderr).toBe(0);
      expect(api.authenticated.at(-1)).toBe(printed.ci.username);
    } finally {
      await api.close();
    }
  });
});
