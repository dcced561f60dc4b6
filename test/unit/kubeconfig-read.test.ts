import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { mergedEntries, resolveClusterConnection } from '../../src/kube/kubeconfig-read.js';

const first = {
  path: '/home/me/.kube/a.yaml',
  text: `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example.com
    certificate-authority: certs/prod.pem
contexts:
- name: prod
  context: {cluster: prod, user: me, namespace: team-a}
`,
};
const second = {
  path: '/etc/kube/b.yaml',
  text: `clusters:
- name: prod
  cluster:
    server: https://shadowed.example.com
- name: dev
  cluster:
    server: https://dev.example.com
    certificate-authority-data: ${Buffer.from('PEM TEXT').toString('base64')}
    tls-server-name: api.dev
    insecure-skip-tls-verify: true
    proxy-url: http://proxy:3128
contexts:
- name: dev
  context: {cluster: dev, user: me}
- name: broken
  context: {cluster: gone, user: me}
current-context: dev
`,
};

describe('resolveClusterConnection (kubectl merge rules)', () => {
  it('takes the first definition of a name and resolves a relative CA file against its own file', () => {
    expect(resolveClusterConnection(yaml, [first, second], 'prod')).toEqual({
      ok: true,
      connection: {
        contextName: 'prod',
        clusterName: 'prod',
        namespace: 'team-a',
        server: 'https://prod.example.com',
        certificateAuthority: { file: '/home/me/.kube/certs/prod.pem' },
        insecureSkipTlsVerify: false,
      },
    });
  });

  it('uses the first current-context when none is named, with inline CA data and TLS options', () => {
    expect(resolveClusterConnection(yaml, [first, second], undefined)).toEqual({
      ok: true,
      connection: {
        contextName: 'dev',
        clusterName: 'dev',
        namespace: 'default',
        server: 'https://dev.example.com',
        certificateAuthority: { pem: 'PEM TEXT' },
        insecureSkipTlsVerify: true,
        tlsServerName: 'api.dev',
        proxyUrl: 'http://proxy:3128',
      },
    });
  });

  it.each([
    ['nope', 'the kubeconfig has no context "nope"'],
    ['broken', 'context "broken" uses cluster "gone", which is not defined'],
  ])('says what is missing for context %s', (name, problem) => {
    expect(resolveClusterConnection(yaml, [first, second], name)).toEqual({ ok: false, problem });
  });

  it('says so when there is neither a context nor a current-context', () => {
    expect(resolveClusterConnection(yaml, [first], undefined)).toEqual({
      ok: false,
      problem: 'no context given and the kubeconfig has no current-context',
    });
  });

  it('names the file of each entry (for writing into the right one)', () => {
    const clusters = mergedEntries(yaml, [first, second], 'clusters');
    expect([...clusters].map(([name, entry]) => [name, entry.file])).toEqual([
      ['prod', first.path],
      ['dev', second.path],
    ]);
  });

  it('reports a file that is not YAML by its path', () => {
    expect(() => resolveClusterConnection(yaml, [{ path: '/x', text: 'a: [' }], 'c')).toThrow(
      /^\/x is not valid YAML/,
    );
  });
});
