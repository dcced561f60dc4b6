/**
 * Text that kubectl's YAML 1.1 reader (go-yaml) reads back exactly. The `yaml` package and JSON.stringify both leave
 * some characters raw inside double quotes that YAML 1.1 takes as a line break (NEL, LS, PS: folded into a space) or
 * refuses as unprintable (DEL, the C1 controls, a BOM, U+FFFE/U+FFFF); written as `\uXXXX` they read back as
 * themselves. Pure text: used where a kubeconfig is written (kube/kubeconfig-edit.ts) and where setup prints one.
 */

export const lineBreaksIn11OrUnprintable = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** A double-quoted YAML scalar with the characters above escaped as `\uXXXX`. */
export function escapedFor11(doubleQuoted: string): string {
  return doubleQuoted.replace(
    lineBreaksIn11OrUnprintable,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Any string as a double-quoted scalar kubectl reads back as itself (a JSON string is a valid one). */
export function doubleQuotedFor11(text: string): string {
  return escapedFor11(JSON.stringify(text));
}
