/**
 * Adds or replaces one named entry (a user, a context) in a kubeconfig's text, leaving every other byte as it was:
 * comments, ordering, quoting and the other entries are the user's. The YAML is parsed only to find where the entry
 * is (node ranges of the `yaml` package); the text is spliced. A file in flow style (JSON, `users: []`) is rewritten
 * whole instead, keeping every entry but not its formatting.
 */
import type * as Yaml from 'yaml';
import { doubleQuotedFor11, escapedFor11, lineBreaksIn11OrUnprintable } from '../core/yaml11-text.js';

export type YamlModule = typeof Yaml;
export type Section = 'users' | 'contexts' | 'clusters';

/** kubectl's own style: lists not indented under their key, long strings never folded. */
const yamlStyle = { indentSeq: false, lineWidth: 0 } as const;

/**
 * The YAML text of a value as kubectl will read it back. The `yaml` package writes YAML 1.2, where a bare `yes`,
 * `on`, `0b101` or `1_000` is a string; kubectl reads YAML 1.1 (go-yaml), where they are a boolean or a number,
 * and then refuses the whole file ("cannot unmarshal bool into … of type string"). So every string that YAML 1.1
 * would read as something else is double-quoted; every other string keeps the plain look kubectl writes itself.
 */
function toKubectlYaml(yaml: YamlModule, value: unknown): string {
  const doc = new yaml.Document(value);
  yaml.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !readsBackIn11(yaml, node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  // Only double-quoted scalars can hold these (see readsBackIn11).
  return escapedFor11(doc.toString(yamlStyle));
}

/** Whether the string, written plain, is read back by a YAML 1.1 reader as that same string. */
function readsBackIn11(yaml: YamlModule, text: string): boolean {
  if (text.search(lineBreaksIn11OrUnprintable) >= 0) return false;
  // An alias (`*x`), a map (`a: b`) or a tagged value is no plain scalar: those are quoted too.
  const doc = yaml.parseDocument(text, { version: '1.1' });
  const node = doc.contents;
  return doc.errors.length === 0 && yaml.isScalar(node) && !node.tag && node.value === text;
}

export function upsertNamedEntry(
  yaml: YamlModule,
  text: string,
  section: Section,
  entry: { name: string } & Record<string, unknown>,
): string {
  // A file written on Windows may end its lines with CRLF throughout: edit it with LF and give it back with CRLF,
  // so the lines we insert match. A file that mixes both is edited as it is (inserted lines end with LF).
  const crlf = text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
  if (crlf)
    return upsertInLfText(yaml, text.replaceAll('\r\n', '\n'), section, entry).replaceAll('\n', '\r\n');
  return upsertInLfText(yaml, text, section, entry);
}

function upsertInLfText(
  yaml: YamlModule,
  text: string,
  section: Section,
  entry: { name: string } & Record<string, unknown>,
): string {
  const source = text.trim() === '' ? 'apiVersion: v1\nkind: Config\n' : text;
  const doc = yaml.parseDocument(source);
  if (doc.errors.length > 0) throw new Error(`the kubeconfig is not valid YAML: ${doc.errors[0]?.message}`);
  const list = doc.get(section, true);
  const block = (indent: number) => indentEntry(toKubectlYaml(yaml, entry), indent);

  if (yaml.isSeq(list) && !list.flow && list.items.length > 0 && list.range) {
    const items = list.items.filter(yaml.isMap);
    const existing = items.find((item) => item.get('name') === entry.name);
    const first = items[0];
    if (!first?.range) return rewrite(yaml, doc, section, entry);
    const itemColumn = columnOf(source, first.range[0]);
    if (existing?.range) {
      // Replace the entry's own text; it ends with its newline, like the text replacing it.
      return `${source.slice(0, existing.range[0])}${block(itemColumn).slice(itemColumn)}${source.slice(existing.range[1])}`;
    }
    const at = list.range[1];
    const before = source.slice(0, at);
    const dash = `${' '.repeat(itemColumn - 2)}- `;
    return `${before}${before.endsWith('\n') ? '' : '\n'}${dash}${block(itemColumn).slice(itemColumn)}${source.slice(at)}`;
  }
  if (list === undefined || list === null || (yaml.isScalar(list) && list.value === null)) {
    if (!doc.contents || !yaml.isMap(doc.contents) || (doc.contents as { flow?: boolean }).flow)
      return rewrite(yaml, doc, section, entry);
    // No such section yet: append it at the end of the file.
    return `${source}${source.endsWith('\n') ? '' : '\n'}${section}:\n- ${block(2).slice(2)}`;
  }
  return rewrite(yaml, doc, section, entry);
}

function rewrite(yaml: YamlModule, doc: Yaml.Document, section: Section, entry: { name: string }): string {
  const value = (doc.toJS() ?? {}) as Record<string, unknown>;
  const list = Array.isArray(value[section]) ? (value[section] as { name?: string }[]) : [];
  const index = list.findIndex((item) => item?.name === entry.name);
  if (index >= 0) list[index] = entry;
  else list.push(entry);
  value[section] = list;
  return toKubectlYaml(yaml, value);
}

function indentEntry(text: string, indent: number): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${' '.repeat(indent)}${line}`))
    .join('\n');
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/**
 * Sets the top-level `current-context` (what `kubectl config use-context` does), splicing only its value, or
 * appending the key when the file has none.
 */
export function setCurrentContext(yaml: YamlModule, text: string, name: string): string {
  const source = text.trim() === '' ? 'apiVersion: v1\nkind: Config\n' : text;
  const doc = yaml.parseDocument(source);
  if (doc.errors.length > 0) throw new Error(`the kubeconfig is not valid YAML: ${doc.errors[0]?.message}`);
  // Always quoted: kubectl reads YAML 1.1, where a bare `yes`, `on` or `1.30` is not the string it names.
  const value = doubleQuotedFor11(name);
  const node = doc.get('current-context', true);
  if (yaml.isScalar(node) && node.range) {
    return `${source.slice(0, node.range[0])}${value}${source.slice(node.range[1])}`;
  }
  if (!doc.contents || !yaml.isMap(doc.contents) || (doc.contents as { flow?: boolean }).flow || node) {
    const config = (doc.toJS() ?? {}) as Record<string, unknown>;
    return toKubectlYaml(yaml, { ...config, 'current-context': name });
  }
  return `${source}${source.endsWith('\n') ? '' : '\n'}current-context: ${value}\n`;
}
