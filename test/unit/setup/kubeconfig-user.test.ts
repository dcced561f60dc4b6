import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import {
  kubeconfigExec,
  renderKubeconfigUser,
  renderSetCredentials,
} from '../../../src/core/setup/kubeconfig-user.js';
import { findKubectls } from '../../rig/kubectl.js';
import { tempDir } from '../../rig/plugin.js';
import { requirement } from '../../rig/requirement.js';

describe('setup checks', () => {
  it('picks the interactive mode the flow needs', () => {
    const base = { issuer: 'i', clientId: 'c', getTokenArgs: [], usesClientSecret: false };
    expect(kubeconfigExec({ ...base, flow: 'device-code' }).interactiveMode).toBe('Never');
    expect(kubeconfigExec({ ...base, flow: 'authcode' }).interactiveMode).toBe('IfAvailable');
    expect(kubeconfigExec({ ...base, flow: 'password' }).interactiveMode).toBe('IfAvailable');
  });
});

describe('the kubectl config set-credentials form', () => {
  it('quotes for the shell, and as a CSV field where kubectl would split an argument at a comma', () => {
    const command = renderSetCredentials(
      {
        issuer: 'https://issuer.example.com',
        clientId: 'kubernetes',
        getTokenArgs: [
          '--oidc-issuer-url=https://issuer.example.com',
          '--oidc-extra-scope=email,groups',
          '--x="q"',
        ],
        flow: 'authcode',
        usesClientSecret: false,
      },
      'oidc',
    );
    expect(command).toBe(
      [
        'kubectl config set-credentials oidc \\',
        '  --exec-api-version=client.authentication.k8s.io/v1 \\',
        '  --exec-command=kubectl-together_login \\',
        '  --exec-arg=get-token \\',
        '  --exec-arg=--oidc-issuer-url=https://issuer.example.com \\',
        `  '--exec-arg="--oidc-extra-scope=email,groups"' \\`,
        `  '--exec-arg="--x=""q"""' \\`,
        '  --exec-interactive-mode=IfAvailable',
        '',
      ].join('\n'),
    );
  });
});

describe('the kubeconfig user setup prints', () => {
  const settings = {
    issuer: 'https://issuer.example.com',
    clientId: 'kubernetes',
    getTokenArgs: ['--oidc-issuer-url=https://issuer.example.com', '--oidc-client-id=kube\u2028x'],
    flow: 'authcode' as const,
    usesClientSecret: false,
  };
  // A line break YAML 1.1 knows but JSON does not (NEL, LS) was printed raw: kubectl folded it into a space.
  const names = ['nel\u0085x', 'del\u007fx', 'c1\u009bx', 'ls\u2028x', 'yes', 'plain'];

  it.each(names)('%j: pasted under users:, YAML 1.1 reads the name and args back as themselves', (name) => {
    const parsed = yaml.parse(`users:\n${renderKubeconfigUser(settings, name)}`, { version: '1.1' });
    expect(parsed.users[0].name).toBe(name);
    expect(parsed.users[0].user.exec.args).toEqual(['get-token', ...settings.getTokenArgs]);
  });

  const [kubectl] = findKubectls().reverse();
  const haveKubectl = requirement(kubectl !== undefined, {
    underCi: 'kubectl is required: the printed user is checked against its YAML reader',
    skipping: 'the printed user through kubectl: no kubectl on this machine',
  });
  it.skipIf(!haveKubectl)('the real kubectl reads every printed name back as itself', () => {
    const path = join(tempDir('kubeconfig'), 'config');
    for (const name of names) {
      writeFileSync(path, `apiVersion: v1\nkind: Config\nusers:\n${renderKubeconfigUser(settings, name)}`, {
        mode: 0o600,
      });
      const shown = execFileSync(kubectl?.path as string, ['config', 'view', '--raw', '-o', 'json'], {
        env: { ...process.env, KUBECONFIG: path },
        encoding: 'utf8',
      });
      const user = (JSON.parse(shown) as { users: { name: string; user: { exec: { args: string[] } } }[] })
        .users[0];
      expect(user?.name).toBe(name);
      expect(user?.user.exec.args).toEqual(['get-token', ...settings.getTokenArgs]);
    }
  });
});
