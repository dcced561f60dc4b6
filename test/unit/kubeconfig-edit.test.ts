import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { setCurrentContext, upsertNamedEntry } from '../../src/kube/kubeconfig-edit.js';
import { findKubectls } from '../rig/kubectl.js';
import { tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';

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

/**
 * kubectl reads kubeconfigs as YAML 1.1 (go-yaml), where a bare `yes` is a boolean and `0b101` or `1_000` a number:
 * it then refuses the whole file. Every name and value we write must read back as the same string there, and in
 * the YAML 1.2 the `yaml` package reads; quoted only when plain would not.
 */
describe('names and values YAML 1.1 (kubectl) would read as something else', () => {
  const tricky = [
    ...['yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'NO', 'true', 'False', 'null', 'Null', '~', ''],
    ...[
      '1.0',
      '0x1F',
      '0x_1',
      '1_000',
      '1_0.5',
      '017',
      '0o17',
      '0b101',
      '+1',
      '-1',
      '.5',
      '1e3',
      '.inf',
      '.NaN',
    ],
    ...[
      '1:20',
      '2020-01-01',
      '=',
      '<<',
      'a: b',
      'a #b',
      '*x',
      '&x',
      '!x',
      '- x',
      '-',
      '#x',
      '?x',
      '%x',
      '@x',
    ],
    ...['`x', '|x', '>x', '"x', "'x", '{x', '[x', ',x', ' lead', 'trail ', 'two\nlines', 'tab\there'],
    ...['nel\u0085x', 'ls\u2028x', 'ps\u2029x', 'bom\ufeffx', 'del\u007fx', 'c1\u009bx', 'nbsp\u00a0x'],
  ];

  /** A user, a cluster and a context by that name, with the name as an exec arg and in the server URL too. */
  function configWith(names: readonly string[], start = ''): string {
    let text = start;
    for (const name of names) {
      text = upsertNamedEntry(yaml, text, 'users', {
        name,
        user: { exec: { command: 'kubectl-together_login', args: ['get-token', name] } },
      });
      text = upsertNamedEntry(yaml, text, 'clusters', { name, cluster: { server: `https://h/${name}` } });
      text = upsertNamedEntry(yaml, text, 'contexts', { name, context: { cluster: name, user: name } });
    }
    return text;
  }

  interface ReadBack {
    users: { name: string; user: { exec: { args: string[] } } }[];
    clusters: { name: string; cluster: { server: string } }[];
    contexts: { name: string }[];
  }

  function expectReadBack(config: ReadBack, names: readonly string[]): void {
    expect(config.users.map((user) => user.name)).toEqual(names);
    expect(config.users.map((user) => user.user.exec.args[1])).toEqual(names);
    expect(config.clusters.map((cluster) => cluster.name)).toEqual(names);
    expect(config.clusters.map((cluster) => cluster.cluster.server)).toEqual(
      names.map((name) => `https://h/${name}`),
    );
    expect(config.contexts.map((context) => context.name)).toEqual(names);
  }

  it.each(tricky)('%j reads back as itself in YAML 1.1 and 1.2', (name) => {
    const text = configWith([name]);
    expectReadBack(yaml.parse(text, { version: '1.1' }), [name]);
    expectReadBack(yaml.parse(text), [name]);
  });

  it('the same for any string, also in a JSON kubeconfig rewritten whole', () => {
    const edgy = fc.constantFrom(
      ...'yesnoNOtrue01x_.+-:#*&!~"\'\\ \t\n%@`|>{[,?=<\u0085\u2028\u00a0\u007fé😀',
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.string({ unit: edgy }), fc.string({ unit: 'grapheme' })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.boolean(),
        (names, json) => {
          const text = configWith(names, json ? '{"apiVersion": "v1", "users": []}' : '');
          expectReadBack(yaml.parse(text, { version: '1.1' }), names);
          expectReadBack(yaml.parse(text), names);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an entry by a tricky name already in a JSON file is still quoted when the file is rewritten whole', () => {
    const json = JSON.stringify({ apiVersion: 'v1', users: [{ name: 'on', user: { token: 't' } }] });
    const text = upsertNamedEntry(yaml, json, 'users', ours);
    expect(yaml.parse(text, { version: '1.1' }).users[0].name).toBe('on');
  });

  it('quotes only what needs it: plain names, URLs and flags keep kubectl’s own look', () => {
    const text = configWith(['oidc', 'prod-cluster', 'alice@example.com', 'yes']);
    expect(text).toContain('- name: oidc\n');
    expect(text).toContain('- name: alice@example.com\n');
    expect(text).toContain('    server: https://h/prod-cluster\n');
    expect(text).toContain('      - get-token\n      - prod-cluster\n');
    expect(text).toContain('- name: "yes"\n');
    expect(text).toContain('    server: https://h/yes\n');
  });

  const [kubectl] = findKubectls().reverse();
  const haveKubectl = requirement(kubectl !== undefined, {
    underCi: 'kubectl is required: the kubeconfig names are checked against its YAML reader',
    skipping: 'the kubeconfig names through kubectl: no kubectl on this machine',
  });
  it.skipIf(!haveKubectl)('the real kubectl reads every tricky name back as itself', () => {
    const path = join(tempDir('kubeconfig'), 'config');
    writeFileSync(path, configWith(tricky), { mode: 0o600 });
    const shown = execFileSync(kubectl?.path as string, ['config', 'view', '--raw', '-o', 'json'], {
      env: { ...process.env, KUBECONFIG: path },
      encoding: 'utf8',
    });
    // kubectl keeps them in maps: sorted by name, not in file order.
    const byName = <T extends { name: string }>(entries: T[]) =>
      [...entries].sort((a, b) => (a.name < b.name ? -1 : 1));
    const config = JSON.parse(shown) as ReadBack;
    const sorted = [...tricky].sort();
    expectReadBack(
      { users: byName(config.users), clusters: byName(config.clusters), contexts: byName(config.contexts) },
      sorted,
    );
  });

  it.each(tricky)('current-context %j reads back as itself in YAML 1.1', (name) => {
    const parsed = yaml.parse(setCurrentContext(yaml, 'current-context: old\n', name), { version: '1.1' });
    expect(parsed['current-context']).toBe(name);
  });

  it.skipIf(!haveKubectl)(
    'the real kubectl reads a current-context with a NEL, a DEL or a C1 control as itself',
    () => {
      const path = join(tempDir('kubeconfig'), 'config');
      for (const name of ['nel\u0085x', 'del\u007fx', 'c1\u009bx', 'ls\u2028x']) {
        writeFileSync(path, setCurrentContext(yaml, 'apiVersion: v1\nkind: Config\n', name), { mode: 0o600 });
        const shown = execFileSync(
          kubectl?.path as string,
          ['config', 'view', '-o', 'jsonpath={.current-context}'],
          {
            env: { ...process.env, KUBECONFIG: path },
            encoding: 'utf8',
          },
        );
        expect(shown).toBe(name);
      }
    },
  );
});
