/**
 * setup's promise (what it prints is all the admin and the user must apply), kept with real parts: the admin configures
 * the test API server from the AuthenticationConfiguration text setup printed; setup writes the kubeconfig
 * (--write-kubeconfig) and calls the cluster; the real kubectl authenticates as the identity setup predicted, gets 403
 * until the admin runs the printed `kubectl create clusterrolebinding`, and succeeds after. And the 401s setup
 * explains.
 */
import { readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ApiServer, rigAdminKubeconfigText, startApiServer } from '../rig/api-server.js';
import { pluginBin } from '../rig/build.js';
import { type KubectlBinary, oldestAndNewestKubectls } from '../rig/kubectl.js';
import { runCommand, runSetup, tempDir } from '../rig/plugin.js';
import { publicClientId } from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

const chosen = oldestAndNewestKubectls('the setup tests');

/** A PATH where `kubectl` is the given kubectl and the plugin is found by the command name setup prints. */
function pathWithKubectlAndPlugin(kubectl: KubectlBinary): string {
  const bin = tempDir('bin');
  symlinkSync(pluginBin, join(bin, 'kubectl-together_login'));
  symlinkSync(kubectl.path, join(bin, 'kubectl'));
  return `${bin}:${process.env.PATH}`;
}

/** The lines of stdout after a `# …` heading that starts with `heading`, up to the next heading. */
function printedSection(stdout: string, heading: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`# ${heading}`));
  if (start < 0) throw new Error(`setup printed no section "${heading}":\n${stdout}`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('# '));
  return `${lines.slice(start + 1, end < 0 ? undefined : end).join('\n')}\n`;
}

/** A clusters file with the cluster `rig` and the admin's user and context (current), like a new cluster has. */
function clustersFileText(api: ApiServer): string {
  return rigAdminKubeconfigText(api);
}

/** A kubeconfig file holding only what clustersFileText gives (the admin's view of a new cluster). */
function adminKubeconfig(api: ApiServer): string {
  const path = join(tempDir('kubeconfig'), 'config');
  writeFileSync(path, clustersFileText(api), { mode: 0o600 });
  return path;
}

describe('setup against a cluster', () => {
  const provider = useRigProvider();

  const setup = (extra: string[], env: Record<string, string>) => runSetup(provider.issuer, extra, env);

  it.each(chosen.map((kubectl) => [kubectl.version, kubectl] as const))(
    'goes from nothing to a working kubectl %s by following only what setup prints',
    async (_, kubectl) => {
      // The admin runs setup once and configures kube-apiserver from the printed structured configuration.
      const mapping = ['--groups-prefix=oidc:'];
      const first = await setup(mapping, { KUBECONFIG: join(tempDir('none'), 'config') });
      expect(first.code, first.stderr).toBe(0);
      const authenticationConfiguration = printedSection(first.stdout, '… or the equivalent structured');
      expect(authenticationConfiguration).toContain('kind: AuthenticationConfiguration');
      const api = await startApiServer({ authenticationConfiguration });
      try {
        const dir = tempDir('kubeconfigs');
        const clustersFile = join(dir, 'clusters.yaml');
        const usersFile = join(dir, 'users.yaml');
        const clustersText = clustersFileText(api);
        const usersText =
          'apiVersion: v1\nkind: Config\n# written by hand\nusers:\n- name: someone-else\n  user:\n    token: keep-me\n- name: oidc\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: kubectl\n      args: [oidc-login, get-token]\n';
        writeFileSync(clustersFile, clustersText, { mode: 0o600 });
        writeFileSync(usersFile, usersText, { mode: 0o600 });
        const env = {
          KUBECONFIG: `${clustersFile}:${usersFile}`,
          PATH: pathWithKubectlAndPlugin(kubectl),
          HOME: tempDir('home'),
        };

        // The user writes the kubeconfig and asks the cluster: authenticated as predicted, but no RBAC yet.
        const written = await setup(
          [...mapping, '--write-kubeconfig', '--context=rig-oidc', '--cluster=rig'],
          env,
        );
        expect(written.code, written.stderr).toBe(4);
        expect(written.stderr).toMatch(
          new RegExp(
            `✓ kubeconfig: wrote user "oidc" and context "rig-oidc" to ${usersFile} \\(previous file: ${usersFile}\\.bak-`,
          ),
        );
        expect(written.stderr).toContain(
          `✓ cluster authentication: ${api.url} (context rig-oidc) accepts the token: you are alice@example.com, groups oidc:developers, oidc:oncall, system:authenticated`,
        );
        expect(written.stderr).not.toContain('cluster identity');
        expect(`${written.stdout}${written.stderr}`).not.toMatch(/eyJ[\w-]+\.eyJ/);
        expect(written.stderr).toContain(
          '✗ cluster access: RBAC gives alice@example.com no right to list pods in namespace default: kubectl will answer 403 Forbidden',
        );
        expect(written.stderr).toContain(
          'kubectl create clusterrolebinding oidc-user-view --clusterrole=view --user=alice@example.com',
        );
        // Every other byte of both files kept; the previous users file backed up in its mode.
        expect(readFileSync(clustersFile, 'utf8')).toBe(clustersText);
        const usersNow = readFileSync(usersFile, 'utf8');
        expect(usersNow.startsWith(usersText.slice(0, usersText.indexOf('- name: oidc')))).toBe(true);
        expect(usersNow).toContain('command: kubectl-together_login');
        expect(statSync(usersFile).mode & 0o777).toBe(0o600);
        const backup = readdirSync(dir).find((name) => name.startsWith('users.yaml.bak-')) as string;
        expect(readFileSync(join(dir, backup), 'utf8')).toBe(usersText);

        // The real kubectl: the predicted identity, and 403 before the binding.
        const whoami = await runCommand(
          'kubectl',
          ['--context=rig-oidc', 'auth', 'whoami', '-o', 'json'],
          env,
        );
        expect(whoami.code, whoami.stderr).toBe(0);
        const predicted = JSON.parse((await setup([...mapping, '-o', 'json'], env)).stdout).identity;
        expect(JSON.parse(whoami.stdout).status.userInfo).toEqual({
          username: predicted.username,
          groups: predicted.groups,
        });
        const pods = ['--context=rig-oidc', 'get', '--raw', '/api/v1/namespaces/default/pods'];
        const before = await runCommand('kubectl', pods, env);
        expect(before.code).not.toBe(0);
        expect(before.stderr).toContain('Forbidden');
        expect(api.forbidden.at(-1)).toContain('User "alice@example.com" cannot list resource "pods"');

        // The admin runs the printed RBAC command in the admin context (the current one).
        const rbac = printedSection(first.stdout, 'RBAC');
        const userBinding = rbac.split('\n').find((line) => line.includes('--user=')) as string;
        const applied = await runCommand('sh', ['-c', userBinding], env);
        expect(applied.code, applied.stderr).toBe(0);
        expect(api.clusterRoleBindings.map((binding) => binding.subjects)).toEqual([
          [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice@example.com' }],
        ]);

        const after = await runCommand('kubectl', pods, env);
        expect(after.code, after.stderr).toBe(0);
        expect(JSON.parse(after.stdout).kind).toBe('PodList');
        const again = await setup([...mapping, '--context=rig-oidc', '-o', 'json'], env);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).toContain('✓ cluster access: RBAC lets you list pods in namespace default');
        expect(JSON.parse(again.stdout).checks.slice(-2)).toEqual([
          expect.objectContaining({ step: 'cluster authentication', status: 'passed' }),
          expect.objectContaining({ step: 'cluster access', status: 'passed' }),
        ]);
      } finally {
        await api.close();
      }
    },
  );

  it('explains a 401: the API server expects another audience', async () => {
    const api = await startApiServer({ issuer: provider.issuer, audience: 'another-client' });
    try {
      const config = adminKubeconfig(api);
      const result = await setup(['--context=rig-admin'], { KUBECONFIG: config });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(
        `✗ cluster authentication: ${api.url} (context rig-admin) answered 401 Unauthorized`,
      );
      expect(result.stderr).toContain(
        `issuer: its --oidc-issuer-url (or jwt.issuer.url) must be exactly "${provider.issuer}"`,
      );
      expect(result.stderr).toContain(`must contain the token's aud ${publicClientId}`);
      expect(api.refused.at(-1)).toMatch(/aud/);
      // The cluster's kubeconfig was only read.
      expect(readFileSync(config, 'utf8')).toBe(clustersFileText(api));
    } finally {
      await api.close();
    }
  });

  it('explains a 401 to an opaque access token: kube-apiserver verifies JWTs only', async () => {
    const api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
    try {
      const result = await setup(['--context=rig-admin', '--oidc-use-access-token'], {
        KUBECONFIG: adminKubeconfig(api),
      });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(
        `✗ cluster authentication: ${api.url} (context rig-admin) answered 401 Unauthorized`,
      );
      expect(result.stderr).toContain(
        "fix: token: with --oidc-use-access-token this is the provider's access token, which is not a JWT: kube-apiserver's OIDC authenticator verifies JWTs only",
      );
    } finally {
      await api.close();
    }
  });

  it('warns when the cluster maps the token to another identity than the one setup was told', async () => {
    const api = await startApiServer({
      issuer: provider.issuer,
      audience: publicClientId,
      usernameClaim: 'sub',
    });
    try {
      const config = adminKubeconfig(api);
      const result = await setup(['--context=rig-admin'], { KUBECONFIG: config });
      expect(result.stderr).toContain(
        `! cluster identity: the API server maps the token to ${provider.issuer}#alice, groups developers, oncall, system:authenticated; setup predicted alice@example.com`,
      );
      expect(result.stderr).toContain(`--user='${provider.issuer}#alice'`);
      expect(result.code).toBe(4);
    } finally {
      await api.close();
    }
  });

  it.each([
    [['v1beta1'], '✓ cluster authentication: '],
    [[], '! cluster authentication: the cluster has no SelfSubjectReview API (Kubernetes before 1.27)'],
  ])('asks older clusters (SelfSubjectReview versions %j)', async (versions, expected) => {
    const api = await startApiServer({
      issuer: provider.issuer,
      audience: publicClientId,
      selfSubjectReviewVersions: versions,
    });
    try {
      const config = adminKubeconfig(api);
      const result = await setup(['--context=rig-admin'], { KUBECONFIG: config });
      expect(result.stderr).toContain(expected);
      // Access is still asked, and the binding names the predicted user.
      expect(result.stderr).toContain('--user=alice@example.com');
      expect(result.code).toBe(4);
    } finally {
      await api.close();
    }
  });

  it('refuses a context that does not exist before logging in', async () => {
    const config = join(tempDir('kubeconfig'), 'config');
    writeFileSync(config, 'apiVersion: v1\nkind: Config\n');
    provider.resetCounts();
    const result = await setup(['--context=nope'], { KUBECONFIG: config });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: the kubeconfig has no context "nope"');
    expect([...provider.requests.values()].reduce((a, b) => a + b, 0)).toBe(0);
  });

  describe('one step to a working kubectl', () => {
    it.each(chosen.map((kubectl) => [kubectl.version, kubectl] as const))(
      'kubectl %s: --use-context makes the context current, and the cached login serves kubectl without a second login',
      async (_, kubectl) => {
        const api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
        try {
          const config = adminKubeconfig(api);
          const countFile = join(tempDir('count'), 'logins');
          const env = {
            KUBECONFIG: config,
            PATH: pathWithKubectlAndPlugin(kubectl),
            HOME: tempDir('home'),
            RIG_DRIVER_COUNT: countFile,
          };
          const result = await setup(
            ['--write-kubeconfig', '--context=rig-oidc', '--cluster=rig', '--use-context'],
            env,
          );
          expect(result.stderr).toContain('✓ cluster authentication: ');
          expect(result.stderr).toContain(
            '✓ token cache: the login is cached where get-token looks (disk): kubectl needs no second login',
          );
          expect(result.stderr).toContain('✓ kubectl context: "rig-oidc" is now the current context');
          expect(result.stdout).toContain('# For the user: written to your kubeconfig');
          expect(result.stdout).not.toContain('add to ~/.kube/config under users:');
          expect(readFileSync(countFile, 'utf8').trim().split('\n')).toHaveLength(1);

          const current = await runCommand('kubectl', ['config', 'current-context'], env);
          expect(current.stdout.trim()).toBe('rig-oidc');
          const whoami = await runCommand('kubectl', ['auth', 'whoami', '-o', 'json'], env);
          expect(whoami.code, whoami.stderr).toBe(0);
          expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('alice@example.com');
          // The browser was not opened again: kubectl's get-token found setup's login in the cache.
          expect(readFileSync(countFile, 'utf8').trim().split('\n')).toHaveLength(1);
        } finally {
          await api.close();
        }
      },
    );

    it('a user and context named like YAML 1.1 booleans ("yes", "on") are written so that kubectl finds them', async () => {
      const api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
      try {
        const env = { KUBECONFIG: adminKubeconfig(api), HOME: tempDir('home') };
        const result = await setup(
          ['--write-kubeconfig', '--kubeconfig-user=yes', '--context=on', '--cluster=rig', '--use-context'],
          env,
        );
        expect(result.stderr).toContain('✓ kubectl context: "on" is now the current context');
        expect(result.stderr).toContain('✓ cluster authentication: ');
        const kubectl = chosen[chosen.length - 1] as KubectlBinary;
        const shown = await runCommand(
          kubectl.path,
          ['config', 'view', '-o', 'jsonpath={.current-context} {.contexts[?(@.name=="on")].context.user}'],
          env,
        );
        expect(shown.stderr).toBe('');
        expect(shown.stdout).toBe('on yes');
        const names = await runCommand(
          kubectl.path,
          ['config', 'view', '-o', 'jsonpath={.users[*].name}'],
          env,
        );
        expect(names.stdout.split(' ').sort()).toEqual(['rig-admin', 'yes']);
      } finally {
        await api.close();
      }
    });

    it('without --use-context says how to switch; without --context warns that no context uses the user', async () => {
      const api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
      try {
        const env = { KUBECONFIG: adminKubeconfig(api) };
        const withContext = await setup(['--write-kubeconfig', '--context=rig-oidc', '--cluster=rig'], env);
        expect(withContext.stderr).toContain(
          '✓ kubectl context: kubectl uses "rig-admin" now; switch with: kubectl config use-context rig-oidc',
        );
        const userOnly = await setup(['--write-kubeconfig', '--kubeconfig-user=lonely'], env);
        expect(userOnly.code, userOnly.stderr).toBe(0);
        expect(userOnly.stderr).toContain(
          '! kubectl context: no context uses user "lonely": kubectl will not use it',
        );
        expect(userOnly.stderr).toContain('kubectl config set-context NAME --cluster=CLUSTER --user=lonely');
      } finally {
        await api.close();
      }
    });

    it.each(
      chosen.filter((kubectl) => kubectl.minor >= 30).map((kubectl) => [kubectl.version, kubectl] as const),
    )(
      'the printed kubectl config set-credentials command (kubectl %s) writes the same user as the printed YAML',
      async (_, kubectl) => {
        const result = await setup(
          ['--oidc-auth-request-extra-params=prompt=consent', '--kubeconfig-user=oidc'],
          { KUBECONFIG: join(tempDir('none'), 'config') },
        );
        expect(result.code, result.stderr).toBe(0);
        const command = printedSection(result.stdout, '… or the same with kubectl');
        expect(command).toMatch(/^kubectl config set-credentials oidc \\\n/);
        const kubeconfig = join(tempDir('kubeconfig'), 'config');
        const ran = await runCommand('sh', ['-c', command], {
          KUBECONFIG: kubeconfig,
          PATH: pathWithKubectlAndPlugin(kubectl),
        });
        expect(ran.code, ran.stderr).toBe(0);
        const yaml = await import('yaml');
        const written = yaml.parse(readFileSync(kubeconfig, 'utf8')).users[0].user.exec;
        const printed = yaml.parse(printedSection(result.stdout, 'For the user'))[0].user.exec;
        expect(written.args).toEqual(printed.args);
        // The scopes hold a comma: kubectl reads --exec-arg as CSV, so the command must quote them.
        expect(written.args).toContain('--oidc-extra-scope=email,groups');
        expect(written).toMatchObject({
          command: printed.command,
          apiVersion: printed.apiVersion,
          interactiveMode: printed.interactiveMode,
        });
      },
    );
  });
});
