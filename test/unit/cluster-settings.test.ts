import { describe, expect, it } from 'vitest';
import {
  mergeClusterSettings,
  missingClusterSetting,
  splitClusterSettings,
} from '../../src/flags/cluster-settings.js';
import { getTokenFlags } from '../../src/flags/get-token-flags.js';
import { parseGetTokenInput } from '../../src/flags/parse-get-token.js';
import { parseExecInfo } from '../../src/kube/exec-credential.js';

const merge = (argv: string[], config: Record<string, unknown> | undefined) =>
  mergeClusterSettings(argv, config, getTokenFlags);
const parse = (argv: readonly string[]) => parseGetTokenInput(argv, { env: {}, homeDir: '/home/me' });

describe('per-cluster settings from the exec extension (provideClusterInfo)', () => {
  it('fills in what the exec args do not give; the args win', () => {
    const merged = merge(['--oidc-client-id=from-args', '--browser-command=firefox'], {
      'oidc-issuer-url': 'https://idp-a.example.com',
      'oidc-client-id': 'from-cluster',
      'oidc-extra-scope': ['email', 'groups'],
      'oidc-use-access-token': false,
      'oidc-auth-request-extra-params': { prompt: 'consent', audience: 'a,b' },
      'certificate-authority-data': 'Q0E=',
    });
    const input = parse(merged.argv);
    expect(input.issuerUrl).toBe('https://idp-a.example.com');
    expect(input.clientId).toBe('from-args');
    expect(input.extraScopes).toEqual(['email', 'groups']);
    expect(input.authRequestExtraParams).toEqual({ prompt: 'consent', audience: 'a,b' });
    expect(input.certificateAuthorityData).toEqual(['Q0E=']);
    expect(Object.fromEntries(merged.origins)).toEqual({
      'oidc-client-id': 'flags',
      'oidc-issuer-url': 'cluster',
      'oidc-extra-scope': 'cluster',
      'oidc-use-access-token': 'cluster',
      'oidc-auth-request-extra-params': 'cluster',
      'certificate-authority-data': 'cluster',
    });
  });

  it('never takes how this machine logs in, or a secret, from the cluster', () => {
    const merged = merge(['--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=k'], {
      'browser-command': '/tmp/evil',
      'oidc-client-secret': 'shh',
      password: 'pw',
      'token-cache-dir': '/tmp',
      'listen-address': ['0.0.0.0:8000'],
      'some-other-plugin': { x: 1 },
    });
    expect(merged.argv).toEqual(['--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=k']);
    expect(merged.ignored).toEqual([
      'browser-command',
      'oidc-client-secret',
      'password',
      'token-cache-dir',
      'listen-address',
      'some-other-plugin',
    ]);
  });

  it.each([['--certificate-authority=/etc/pinned.pem'], ['--certificate-authority-data=UElOTkVE']])(
    'the CA is one setting: %s in the args drops both CA keys of the cluster',
    (pinned) => {
      const merged = merge(['--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=k', pinned], {
        'certificate-authority': '/tmp/attacker.pem',
        'certificate-authority-data': 'QVRUQUNLRVI=',
      });
      const input = parse(merged.argv);
      expect([...input.certificateAuthorityFiles, ...input.certificateAuthorityData]).toEqual([
        pinned.split('=')[1],
      ]);
      expect(merged.overridden).toEqual(['certificate-authority', 'certificate-authority-data']);
    },
  );

  it('never takes the redirect host from the cluster (it would send the code elsewhere), nor PKCE off', () => {
    const merged = merge(['--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=k'], {
      'oidc-redirect-url-hostname': '[::1]',
      'oidc-redirect-url': 'http://[::1]:8000',
      'oidc-pkce-method': 'S256',
    });
    expect(merged.ignored).toEqual(['oidc-redirect-url-hostname', 'oidc-redirect-url']);
    expect(parse(merged.argv)).toMatchObject({ redirectUrlHostname: 'localhost', pkceMethod: 'S256' });
    expect(() => merge([], { 'oidc-pkce-method': 'no' })).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message:
          'the cluster\'s client.authentication.k8s.io/exec extension sets oidc-pkce-method to "no": a cluster may not turn PKCE off',
      }),
    );
    // The user's own args may turn it off; the cluster's value is then not even read.
    expect(
      parse(
        merge(['--oidc-issuer-url=https://i.example', '--oidc-client-id=k', '--oidc-pkce-method=no'], {
          'oidc-pkce-method': 'no',
        }).argv,
      ).pkceMethod,
    ).toBe('no');
  });

  it.each([
    ['ca.pem', false],
    ['./certs/ca.pem', false],
    ['../ca.pem', false],
    ['~alice/ca.pem', false],
    ['/etc/kube/ca.pem', true],
    ['~/ca.pem', true],
    ['~\\ca.pem', true],
    ['C:\\kube\\ca.pem', true],
    ['\\\\server\\share\\ca.pem', true],
  ])(
    "a cluster's certificate-authority %s: accepted only when it does not depend on kubectl's working directory (%s)",
    (path, accepted) => {
      const run = () =>
        merge(['--oidc-issuer-url=https://i.example', '--oidc-client-id=k'], {
          'certificate-authority': [path],
        });
      if (accepted)
        expect(parse(run().argv).certificateAuthorityFiles).toEqual([expect.stringContaining('ca.pem')]);
      else
        expect(run).toThrow(
          expect.objectContaining({
            exitCode: 2,
            message: expect.stringMatching(
              /sets certificate-authority to .*: a relative path would be read from kubectl's working directory/,
            ),
          }),
        );
    },
  );

  it('setup --settings-on-cluster keeps a relative CA path with the user, where it still works', () => {
    const args = [
      '--oidc-issuer-url=https://idp.example.com',
      '--oidc-client-id=kube',
      '--certificate-authority=ca.pem',
    ];
    const { userArgs, settings } = splitClusterSettings(args, getTokenFlags);
    expect(userArgs).toEqual(['--certificate-authority=ca.pem']);
    expect(settings).toEqual({ 'oidc-issuer-url': 'https://idp.example.com', 'oidc-client-id': 'kube' });
  });

  it('two clusters with different issuers give two cache identities; the same issuer and client one', () => {
    const user = ['--browser-command=firefox'];
    const a = parse(merge(user, { 'oidc-issuer-url': 'https://a.example.com', 'oidc-client-id': 'k' }).argv);
    const b = parse(merge(user, { 'oidc-issuer-url': 'https://b.example.com', 'oidc-client-id': 'k' }).argv);
    const a2 = parse(merge(user, { 'oidc-issuer-url': 'https://a.example.com', 'oidc-client-id': 'k' }).argv);
    expect(a.issuerUrl).not.toBe(b.issuerUrl);
    expect(a2).toEqual(a);
  });

  it.each([
    [{ 'oidc-extra-scope': 3 }, /sets oidc-extra-scope to 3, not a string or a list of strings/],
    [{ 'oidc-use-access-token': 'yes' }, /not true or false/],
    [{ 'oidc-issuer-url': ['x'] }, /not a string/],
    [{ 'oidc-request-header': { a: 1 } }, /not a map of strings/],
  ])('refuses a value of the wrong type (%#)', (config, message) => {
    expect(() => merge([], config)).toThrow(message);
  });

  it('names both places when neither gives a required setting', () => {
    expect(() =>
      parseGetTokenInput(merge([], undefined).argv, {
        env: {},
        homeDir: '/h',
        missingSetting: (flag, what) => missingClusterSetting(flag, what, 'https://k8s.example.com'),
      }),
    ).toThrow(
      '--oidc-issuer-url is required: neither the exec args nor the cluster https://k8s.example.com give it',
    );
  });

  it('reads spec.cluster from KUBERNETES_EXEC_INFO', () => {
    const info = parseExecInfo(
      JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        spec: {
          interactive: false,
          cluster: { server: 'https://k8s.example.com', config: { 'oidc-client-id': 'k' } },
        },
      }),
    );
    expect(info.cluster).toEqual({ server: 'https://k8s.example.com', config: { 'oidc-client-id': 'k' } });
    expect(
      parseExecInfo('{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}').cluster,
    ).toBe(undefined);
  });
});

describe('setup --settings-on-cluster: the provider settings leave the user for the cluster', () => {
  it('splits the args, and merging them back gives the same input', () => {
    const args = [
      '--oidc-issuer-url=https://idp.example.com',
      '--oidc-client-id',
      'kube',
      '--oidc-extra-scope=email,groups',
      '--oidc-use-access-token',
      '--browser-command=firefox',
      '--token-cache-hint=work',
      '--oidc-auth-request-extra-params=prompt=consent',
    ];
    const { userArgs, settings } = splitClusterSettings(args, getTokenFlags);
    expect(userArgs).toEqual(['--browser-command=firefox', '--token-cache-hint=work']);
    expect(settings).toEqual({
      'oidc-issuer-url': 'https://idp.example.com',
      'oidc-client-id': 'kube',
      'oidc-extra-scope': ['email', 'groups'],
      'oidc-use-access-token': true,
      'oidc-auth-request-extra-params': { prompt: 'consent' },
    });
    expect(parse(merge(userArgs, settings).argv)).toEqual(parse(args));
  });

  it('keeps with the user what a cluster may not hold: the redirect host, PKCE off', () => {
    const args = [
      '--oidc-issuer-url=https://idp.example.com',
      '--oidc-client-id=kube',
      '--oidc-redirect-url-hostname=127.0.0.1',
      '--oidc-pkce-method=no',
    ];
    const { userArgs, settings } = splitClusterSettings(args, getTokenFlags);
    expect(userArgs).toEqual(['--oidc-redirect-url-hostname=127.0.0.1', '--oidc-pkce-method=no']);
    expect(settings).toEqual({ 'oidc-issuer-url': 'https://idp.example.com', 'oidc-client-id': 'kube' });
    expect(parse(merge(userArgs, settings).argv)).toEqual(parse(args));
  });
});
