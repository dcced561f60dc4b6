import { describe, expect, it } from 'vitest';
import { kubeconfigExec, renderSetCredentials } from '../../../src/core/setup/kubeconfig-user.js';

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
