/**
 * convert-kubeconfig on a real two-file KUBECONFIG: the in-tree oidc auth-provider and an int128/kubelogin exec
 * entry move to this plugin; the dry run shows a diff and writes nothing; secrets
 * and tokens leave the file and are never printed; the converted entry logs in through the real kubectl.
 */
import { chmodSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { type ApiServer, rigClusterSection, startApiServer } from '../rig/api-server.js';
import { browserDriverPath, pluginBin } from '../rig/build.js';
import { authProviderUserLines } from '../rig/kubeconfig-users.js';
import { findKubectls } from '../rig/kubectl.js';
import { runCommand, runPlugin, tempDir } from '../rig/plugin.js';
import { confidentialClientId, confidentialClientSecret, publicClientId } from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

const [kubectl] = findKubectls().reverse();
if (!kubectl) throw new Error('kubectl is required for the convert-kubeconfig tests');

const secrets = [
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJvbGQifQ.c2ln',
  'refresh-token-value',
  'client-secret-one',
  'client-secret-two',
] as const;

describe('convert-kubeconfig', () => {
  const provider = useRigProvider();
  let api: ApiServer;
  let dir: string;
  let clustersFile: string;
  let usersFile: string;
  let clustersText: string;
  let usersText: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
    dir = tempDir('convert');
    clustersFile = join(dir, 'clusters.yaml');
    usersFile = join(dir, 'users.yaml');
    clustersText = [
      'apiVersion: v1',
      'kind: Config',
      ...rigClusterSection(api),
      'contexts:',
      '- name: legacy',
      '  context: {cluster: rig, user: legacy}',
      '- name: int128',
      '  context: {cluster: rig, user: int128}',
      '',
    ].join('\n');
    usersText = [
      'apiVersion: v1',
      'kind: Config',
      '# the team kubeconfig, 2023',
      'users:',
      ...authProviderUserLines('legacy', {
        'idp-issuer-url': provider.issuer,
        'client-id': publicClientId,
        'client-secret': secrets[2],
        'id-token': secrets[0],
        'refresh-token': secrets[1],
        'extra-scopes': 'email,groups',
      }),
      '- name: int128',
      '  user:',
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1beta1',
      '      command: kubectl',
      '      args:',
      '      - oidc-login',
      '      - get-token',
      `      - --oidc-issuer-url=${provider.issuer}`,
      `      - --oidc-client-id=${publicClientId}`,
      '      - --oidc-extra-scope=email',
      `      - --oidc-client-secret=${secrets[3]}`,
      `      - --browser-command=${browserDriverPath}`,
      `      - --token-cache-dir=${join(dir, 'cache')}`,
      '      interactiveMode: Never',
      '- name: robot # static, not ours',
      '  user:',
      '    token: static-token-stays',
      '',
    ].join('\n');
    writeFileSync(clustersFile, clustersText, { mode: 0o600 });
    // Readable by everyone, as many kubeconfigs are: its backup must not be, since it keeps the secrets.
    writeFileSync(usersFile, usersText, { mode: 0o644 });
    chmodSync(usersFile, 0o644);
    const bin = tempDir('bin');
    symlinkSync(pluginBin, join(bin, 'kubectl-together_login'));
    // Installed under int128's name too: `kubectl oidc-login …` entries then run this plugin without converting.
    symlinkSync(pluginBin, join(bin, 'kubectl-oidc_login'));
    env = {
      KUBECONFIG: `${clustersFile}:${usersFile}`,
      PATH: `${bin}:${process.env.PATH}`,
      HOME: tempDir('home'),
    };
  });
  afterAll(async () => {
    await api.close();
  });

  const kubectlRun = (args: string[]) => runCommand(kubectl?.path as string, args, env);
  const expectNoSecrets = (text: string) => {
    for (const secret of secrets) expect(text).not.toContain(secret);
  };

  it('--dry-run prints the diff with secrets masked, and writes nothing', async () => {
    const result = await runPlugin(['convert-kubeconfig', '--dry-run'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`--- ${usersFile}\tcurrent\n+++ ${usersFile}\tconverted\n`);
    expect(result.stdout).toContain('-    auth-provider:\n');
    expect(result.stdout).toContain('+      command: kubectl-together_login\n');
    expect(result.stdout).toContain('-      - --oidc-client-secret=[redacted]\n');
    expect(result.stdout).not.toContain(clustersFile);
    expect(result.stderr).toContain(
      `✓ user "legacy" (${usersFile}): from auth-provider oidc; dropped from the file: id-token, refresh-token, client-secret`,
    );
    expect(result.stderr).toContain(
      `✓ user "int128" (${usersFile}): from int128/kubelogin; dropped from the file: --oidc-client-secret`,
    );
    expect(result.stderr).toContain('dry run: 2 user(s) would be converted; nothing written');
    expectNoSecrets(`${result.stdout}${result.stderr}`);
    expect(readFileSync(usersFile, 'utf8')).toBe(usersText);
    expect(readdirSync(dir).filter((name) => name.includes('.bak-'))).toEqual([]);
  });

  it('an unconverted int128 user logs in through a kubectl-oidc_login symlink to this plugin', async () => {
    // The int128 user as it is (`command: kubectl`, `args: [oidc-login, get-token, …]`), without the secret this
    // public client would refuse.
    const unconverted = join(dir, 'unconverted.yaml');
    // Its own token cache, so that the conversion below logs in afresh.
    const text = usersText
      .replace(/ {6}- --oidc-client-secret=.*\n/, '')
      .replace(
        `--token-cache-dir=${join(dir, 'cache')}`,
        `--token-cache-dir=${join(dir, 'cache-unconverted')}`,
      );
    writeFileSync(unconverted, text, { mode: 0o600 });
    const whoami = await runCommand(
      kubectl?.path as string,
      ['--context=int128', 'auth', 'whoami', '-o', 'json'],
      {
        ...env,
        KUBECONFIG: `${clustersFile}:${unconverted}`,
      },
    );
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('alice@example.com');
  });

  it('converts in place: settings kept, secrets gone, every other byte and the mode kept, a 0600 backup said to hold the secrets; kubectl logs in', async () => {
    const result = await runPlugin(['convert-kubeconfig'], env);
    expect(result.code, result.stderr).toBe(0);
    expectNoSecrets(`${result.stdout}${result.stderr}`);
    expect(result.stderr).toContain('export OIDC_CLIENT_SECRET=');
    expect(result.stderr).toContain(
      "the next kubectl command logs in once: int128/kubelogin's cached tokens (its files and keyring entries) are not read",
    );
    const converted = readFileSync(usersFile, 'utf8');
    expectNoSecrets(converted);
    expect(
      converted.startsWith(
        'apiVersion: v1\nkind: Config\n# the team kubeconfig, 2023\nusers:\n- name: legacy\n',
      ),
    ).toBe(true);
    expect(
      converted.endsWith('- name: robot # static, not ours\n  user:\n    token: static-token-stays\n'),
    ).toBe(true);
    expect(readFileSync(clustersFile, 'utf8')).toBe(clustersText);
    expect(statSync(usersFile).mode & 0o777).toBe(0o644);
    const backup = readdirSync(dir).find((name) => name.startsWith('users.yaml.bak-')) as string;
    expect(readFileSync(join(dir, backup), 'utf8')).toBe(usersText);
    expect(statSync(join(dir, backup)).mode & 0o777).toBe(0o600);
    expect(result.stderr).toContain(
      `  wrote ${usersFile} (previous file: ${join(dir, backup)})\n    ! the previous file still holds the secrets dropped above (mode 0600 at most): delete ${join(dir, backup)} once kubectl works\n`,
    );

    const users = yaml.parse(converted).users as { name: string; user: { exec: Record<string, unknown> } }[];
    expect(users[0]?.user.exec).toMatchObject({
      command: 'kubectl-together_login',
      args: [
        'get-token',
        `--oidc-issuer-url=${provider.issuer}`,
        `--oidc-client-id=${publicClientId}`,
        '--oidc-extra-scope=email',
        '--oidc-extra-scope=groups',
      ],
    });
    expect(users[1]?.user.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'kubectl-together_login',
      interactiveMode: 'Never',
    });

    const whoami = await kubectlRun(['--context=int128', 'auth', 'whoami', '-o', 'json']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('alice@example.com');
  });

  it('is idempotent, and names a user that does not exist', async () => {
    const before = readFileSync(usersFile, 'utf8');
    const again = await runPlugin(['convert-kubeconfig'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('- user "legacy"');
    expect(again.stderr).toContain('unchanged, already uses kubectl-together_login');
    expect(again.stderr).toContain('nothing to convert');
    expect(readFileSync(usersFile, 'utf8')).toBe(before);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'users: [\n');
    const invalid = await runPlugin(['convert-kubeconfig', `--kubeconfig=${broken}`], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      new RegExp(`^error: ${broken} is not valid YAML: .* at line 2, column 1\nhint: `),
    );
    expect(readFileSync(broken, 'utf8')).toBe('users: [\n');

    const unknown = await runPlugin(['convert-kubeconfig', '--user=nobody'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`error: no user "nobody" in ${clustersFile}, ${usersFile}`);
  });

  it('a user named like a YAML 1.1 boolean ("yes") stays quoted: kubectl still reads the converted file and logs in', async () => {
    // The user and its context carry names kubectl's YAML 1.1 reads as booleans when written bare.
    const file = join(tempDir('yaml11'), 'config');
    const text = [
      'apiVersion: v1',
      'kind: Config',
      ...rigClusterSection(api),
      'contexts:',
      '- name: "on"',
      '  context: {cluster: rig, user: "yes"}',
      'users:',
      '- name: "yes"',
      '  user:',
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1',
      '      command: kubectl',
      `      args: [oidc-login, get-token, --oidc-issuer-url=${provider.issuer}, --oidc-client-id=${publicClientId}, --oidc-extra-scope=email, --browser-command=${browserDriverPath}, --token-cache-dir=${join(dir, 'cache-yaml11')}]`,
      '      interactiveMode: Never',
      '',
    ].join('\n');
    writeFileSync(file, text, { mode: 0o600 });
    const result = await runPlugin(['convert-kubeconfig', `--kubeconfig=${file}`], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`✓ user "yes" (${file}): from int128/kubelogin`);
    expect(readFileSync(file, 'utf8')).toContain('- name: "yes"\n');
    const inFile = { ...env, KUBECONFIG: file };
    const names = await runCommand(
      kubectl?.path as string,
      ['config', 'view', '-o', 'jsonpath={.users[*].name}'],
      inFile,
    );
    expect(names.stderr).toBe('');
    expect(names.stdout).toBe('yes');
    const whoami = await runCommand(
      kubectl?.path as string,
      ['--context=on', 'auth', 'whoami', '-o', 'json'],
      inFile,
    );
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('alice@example.com');
  });
});

/**
 * A Google-shaped int128 user: `--oidc-client-secret` with `--oidc-pkce-method=S256`, at a
 * provider that requires the secret. The secret leaves the file; exported as the report says, the converted user
 * logs in through the real kubectl, and without it kubectl shows what is missing.
 */
describe('convert-kubeconfig: a client secret under --oidc-pkce-method=S256', () => {
  const provider = useRigProvider({ secretMissingAsGoogle: true });
  const secret = confidentialClientSecret;
  let api: ApiServer;
  let file: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    api = await startApiServer({ issuer: provider.issuer, audience: confidentialClientId });
    const dir = tempDir('convert-s256');
    file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        ...rigClusterSection(api),
        'contexts:',
        '- name: google',
        '  context: {cluster: rig, user: google}',
        'current-context: google',
        'users:',
        '- name: google',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1beta1',
        '      command: kubectl',
        '      args: [oidc-login, get-token, --oidc-pkce-method=S256,',
        `        --oidc-issuer-url=${provider.issuer}, --oidc-client-id=${confidentialClientId},`,
        `        --oidc-client-secret=${secret}, --oidc-extra-scope=email,`,
        `        --browser-command=${browserDriverPath}, --token-cache-dir=${join(dir, 'cache')}]`,
        '      interactiveMode: Never',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const bin = tempDir('bin');
    symlinkSync(pluginBin, join(bin, 'kubectl-together_login'));
    env = { KUBECONFIG: file, PATH: `${bin}:${process.env.PATH}`, HOME: tempDir('home') };
  });
  afterAll(async () => {
    await api.close();
  });

  it('moves the secret out, says how it is sent, and the exported secret logs in through kubectl', async () => {
    const result = await runPlugin(['convert-kubeconfig'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('export OIDC_CLIENT_SECRET=');
    expect(result.stderr).toContain(
      'with its --oidc-pkce-method=S256 the secret goes out once the provider asks the client to authenticate',
    );
    expect(readFileSync(file, 'utf8')).not.toContain(secret);

    const kubectlRun = (extra: Record<string, string>) =>
      runCommand(kubectl?.path as string, ['auth', 'whoami', '-o', 'json'], { ...env, ...extra });
    const missing = await kubectlRun({});
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      'this client needs a secret: --oidc-client-secret or OIDC_CLIENT_SECRET',
    );

    const whoami = await kubectlRun({ OIDC_CLIENT_SECRET: secret });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('alice@example.com');
    expect(whoami.stderr).not.toContain(secret);
    expect(provider.grants.get('authorization_code')).toBe(1);
  });
});
