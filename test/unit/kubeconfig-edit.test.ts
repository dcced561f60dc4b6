import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { setCurrentContext, upsertNamedEntry } from '../../src/kube/kubeconfig-edit.js';

const original = `apiVersion: v1
kind: Config
# my clusters, do not touch
clusters:
- name: prod # the real one
  cluster:
    server: https://prod.example.com
    certificate-authority-data: "LS0t"
users:
  - name: old
    user:
      token: keep-me
  - name: oidc
    user:
      exec:
        command: kubelogin
contexts:
- name: prod
  context: {cluster: prod, user: old}
current-context: prod
`;
const ours = {
  name: 'oidc',
  user: {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: 'kubectl-together_login',
      args: ['get-token', '--oidc-issuer-url=https://idp'],
    },
  },
};

describe('upsertNamedEntry', () => {
  it('replaces an existing entry and leaves every other byte alone', () => {
    const result = upsertNamedEntry(yaml, original, 'users', ours);
    const start = original.indexOf('  - name: oidc') + 4;
    const end = original.indexOf('contexts:');
    expect(result.slice(0, start)).toBe(original.slice(0, start));
    expect(result.endsWith(original.slice(end))).toBe(true);
    const parsed = yaml.parse(result);
    expect(parsed.users).toEqual([{ name: 'old', user: { token: 'keep-me' } }, ours]);
    expect(parsed.clusters[0].cluster.server).toBe('https://prod.example.com');
  });

  it('appends a new entry at the end of its list, keeping the list indentation', () => {
    const result = upsertNamedEntry(yaml, original, 'users', { ...ours, name: 'oidc-2' });
    const at = original.indexOf('contexts:');
    expect(result.startsWith(original.slice(0, at))).toBe(true);
    expect(result.endsWith(original.slice(at))).toBe(true);
    expect(result.slice(at, result.length - (original.length - at))).toMatch(
      /^ {2}- name: oidc-2\n {4}user:\n/,
    );
    expect(yaml.parse(result).users.map((user: { name: string }) => user.name)).toEqual([
      'old',
      'oidc',
      'oidc-2',
    ]);
  });

  it('adds a missing section at the end', () => {
    const result = upsertNamedEntry(yaml, 'apiVersion: v1\nkind: Config\n', 'contexts', {
      name: 'dev',
      context: { cluster: 'c', user: 'oidc' },
    });
    expect(result).toBe(
      'apiVersion: v1\nkind: Config\ncontexts:\n- name: dev\n  context:\n    cluster: c\n    user: oidc\n',
    );
  });

  it('creates a kubeconfig from nothing', () => {
    expect(yaml.parse(upsertNamedEntry(yaml, '', 'users', ours))).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      users: [ours],
    });
  });

  it('rewrites a JSON kubeconfig whole, keeping every entry', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      users: [{ name: 'old', user: { token: 't' } }],
      clusters: [],
    });
    const parsed = yaml.parse(upsertNamedEntry(yaml, json, 'users', ours));
    expect(parsed.users).toEqual([{ name: 'old', user: { token: 't' } }, ours]);
    expect(parsed.clusters).toEqual([]);
  });

  it('refuses a file that is not YAML', () => {
    expect(() => upsertNamedEntry(yaml, 'users: [\n', 'users', ours)).toThrow('not valid YAML');
  });
});

describe('upsertNamedEntry and line endings', () => {
  const crlf = (text: string) => text.replaceAll('\n', '\r\n');
  it.each([
    ['replacing an entry', original, 'oidc'],
    ['appending an entry', original, 'oidc-2'],
    ['adding the section', 'apiVersion: v1\nkind: Config\nclusters: []\n', 'oidc'],
    ['a flow-style file rewritten whole', '{"apiVersion": "v1", "users": []}\n', 'oidc'],
  ])('%s in a CRLF file: every line ends with CRLF, as if the file had been LF', (_, text, name) => {
    const result = upsertNamedEntry(yaml, crlf(text), 'users', { ...ours, name });
    expect(result).toBe(crlf(upsertNamedEntry(yaml, text, 'users', { ...ours, name })));
    expect(result).not.toMatch(/(^|[^\r])\n/);
  });

  it('a file mixing CRLF and LF is edited as it is: its own bytes kept, our lines with LF', () => {
    const mixed = original.replace('kind: Config\n', 'kind: Config\r\n');
    const result = upsertNamedEntry(yaml, mixed, 'users', ours);
    expect(result).toContain('kind: Config\r\n');
    expect(yaml.parse(result).users[1]).toEqual(ours);
  });
});

describe('current-context', () => {
  it('replaces only the value, every other byte kept', () => {
    const text = 'apiVersion: v1\n# mine\ncurrent-context: old # was\nkind: Config\n';
    expect(setCurrentContext(yaml, text, 'oidc@prod')).toBe(
      'apiVersion: v1\n# mine\ncurrent-context: "oidc@prod" # was\nkind: Config\n',
    );
  });

  it('appends the key to a file without one, quoted (kubectl reads YAML 1.1, where a bare yes is true)', () => {
    expect(setCurrentContext(yaml, 'apiVersion: v1\nkind: Config', 'yes')).toBe(
      'apiVersion: v1\nkind: Config\ncurrent-context: "yes"\n',
    );
    expect(yaml.parse(setCurrentContext(yaml, '', 'a: b'))['current-context']).toBe('a: b');
  });
});
