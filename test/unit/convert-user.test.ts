import { describe, expect, it } from 'vitest';
import { installHint } from '../../src/core/install-hint.js';
import { withoutFlags } from '../../src/flags/flag-filter.js';
import { convertUser } from '../../src/kube/convert-user.js';

const hint = installHint;

describe('convertUser: the in-tree oidc auth-provider', () => {
  const authProvider = (config: Record<string, string>) => ({ 'auth-provider': { name: 'oidc', config } });

  it('keeps issuer, client, scopes and a relative CA (made absolute); drops tokens and the secret', () => {
    const result = convertUser(
      authProvider({
        'idp-issuer-url': 'https://idp',
        'client-id': 'k8s',
        'client-secret': 'the-secret',
        'id-token': 'the-id-token',
        'refresh-token': 'the-refresh-token',
        'extra-scopes': 'email, groups',
        'idp-certificate-authority': 'certs/ca.pem',
      }),
      '/home/me/.kube/config',
    );
    expect(result).toEqual({
      kind: 'converted',
      from: 'auth-provider oidc',
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'kubectl-together_login',
        args: [
          'get-token',
          '--oidc-issuer-url=https://idp',
          '--oidc-client-id=k8s',
          '--oidc-extra-scope=email',
          '--oidc-extra-scope=groups',
          '--certificate-authority=/home/me/.kube/certs/ca.pem',
        ],
        interactiveMode: 'IfAvailable',
        installHint: hint,
      },
      dropped: ['id-token', 'refresh-token', 'client-secret'],
      secretValues: ['the-id-token', 'the-refresh-token', 'the-secret'],
      clientSecretDropped: true,
      secretSentWhenAsked: false,
    });
  });

  it('prefers CA data over a CA file', () => {
    const result = convertUser(
      authProvider({
        'idp-issuer-url': 'https://idp',
        'client-id': 'k8s',
        'idp-certificate-authority-data': 'TFMwdA==',
        'idp-certificate-authority': '/ca.pem',
      }),
      '/k',
    );
    expect(result.kind === 'converted' && result.exec.args.slice(3)).toEqual([
      '--certificate-authority-data=TFMwdA==',
    ]);
  });

  it('leaves an incomplete auth-provider alone', () => {
    expect(convertUser(authProvider({ 'client-id': 'k8s' }), '/k')).toEqual({
      kind: 'unchanged',
      reason: 'auth-provider oidc without idp-issuer-url or client-id',
    });
  });
});

describe('convertUser: kubelogin exec entries', () => {
  const flags = ['--oidc-issuer-url=https://idp', '--oidc-client-id=k8s'];

  it.each([
    ['kubectl', ['oidc-login', 'get-token', ...flags], 'int128/kubelogin'],
    ['/usr/local/bin/kubectl-oidc_login', ['get-token', ...flags], 'int128/kubelogin'],
    ['kubelogin', ['get-token', ...flags], 'int128/kubelogin'],
    ['kubectl', ['together-login', 'get-token', ...flags], 'together-kubelogin'],
  ])('%s %j → this plugin, flags kept as written', (command, args, from) => {
    const result = convertUser(
      {
        exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command, args, interactiveMode: 'Never' },
      },
      '/k',
    );
    expect(result).toEqual({
      kind: 'converted',
      from,
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: 'kubectl-together_login',
        args: ['get-token', ...flags],
        interactiveMode: 'Never',
        installHint: hint,
      },
      dropped: [],
      secretValues: [],
      clientSecretDropped: false,
      secretSentWhenAsked: false,
    });
  });

  it('drops --oidc-client-secret and --password in either form, keeps env and provideClusterInfo', () => {
    const result = convertUser(
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1alpha1',
          command: 'kubectl',
          args: [
            'oidc-login',
            'get-token',
            ...flags,
            '--oidc-client-secret',
            's1',
            '--username=u',
            '--password=p4ss',
            '-v1',
          ],
          env: [{ name: 'HTTPS_PROXY', value: 'http://proxy' }],
          provideClusterInfo: false,
        },
      },
      '/k',
    );
    expect(result).toEqual({
      kind: 'converted',
      from: 'int128/kubelogin',
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'kubectl-together_login',
        args: ['get-token', ...flags, '--username=u', '-v1'],
        env: [{ name: 'HTTPS_PROXY', value: 'http://proxy' }],
        interactiveMode: 'IfAvailable',
        provideClusterInfo: false,
        installHint: hint,
      },
      dropped: ['--oidc-client-secret', '--password'],
      secretValues: ['s1', 'p4ss'],
      clientSecretDropped: true,
      secretSentWhenAsked: false,
    });
  });

  it.each([
    [['--oidc-pkce-method=S256'], true],
    [['--oidc-pkce-method', 'S256'], true],
    [['--oidc-use-pkce'], true],
    [['--oidc-pkce-method=auto'], false],
    [[], false],
  ])('with %j says whether the dropped secret is held back until the provider asks (%s)', (pkce, held) => {
    const result = convertUser(
      {
        exec: {
          command: 'kubectl-oidc_login',
          args: ['get-token', ...flags, ...pkce, '--oidc-client-secret=s'],
        },
      },
      '/k',
    );
    expect(result.kind === 'converted' && result.secretSentWhenAsked).toBe(held);
  });

  it.each([
    [
      { exec: { command: 'kubectl-together_login', args: ['get-token'] } },
      'already uses kubectl-together_login',
    ],
    [
      { exec: { command: 'kubelogin', args: ['get-token', '--login', 'devicecode', '--server-id', 'x'] } },
      'exec has no --oidc-issuer-url (not an OIDC kubelogin)',
    ],
    [
      { exec: { command: 'kubectl', args: ['oidc-login', 'setup', ...flags] } },
      'exec runs setup, not get-token',
    ],
    [{ exec: { command: 'aws', args: ['eks', 'get-token'] } }, 'exec runs aws, not a kubelogin'],
    [{ token: 'static' }, 'not an OIDC login (no auth-provider oidc, no kubelogin exec entry)'],
  ])('leaves %j alone', (user, reason) => {
    expect(convertUser(user, '/k')).toEqual({ kind: 'unchanged', reason });
  });
});

describe('withoutFlags', () => {
  it.each([
    [
      ['--a=1', '--oidc-client-secret=x', '--b'],
      ['--a=1', '--b'],
    ],
    [['--oidc-client-secret', '-starts-with-dash', '--b'], ['--b']],
    [['-v', '3', '--b'], ['--b']],
    [['-v3', '--b'], ['--b']],
    [['--v=3', 'get-token'], ['get-token']],
  ])('%j → %j', (args, kept) => {
    expect(withoutFlags(args, new Set(['oidc-client-secret', 'v'])).kept).toEqual(kept);
  });

  it('returns the removed values, so that they can be masked', () => {
    expect(
      withoutFlags(
        ['--password=p1', '--oidc-client-secret', '-dash', '--x'],
        new Set(['password', 'oidc-client-secret']),
      ).removedValues,
    ).toEqual(['p1', '-dash']);
  });
});
