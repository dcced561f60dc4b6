/**
 * Text for a console that may not show Unicode. We write stderr with fs.writeSync, which on Windows hands UTF-8 bytes
 * to the console as they are: a console whose code page is not UTF-8 (437, 850, 1252: most of them) shows ✓ ✗ … as
 * mojibake, and its default fonts lack ✓ anyway. There we use ASCII marks. Through kubectl, stderr is a pipe and
 * kubectl (Go) converts UTF-8 for the console itself, so only a Windows console we write to directly gets ASCII.
 * Elsewhere terminals are UTF-8 unless the locale says otherwise (LC_ALL, LC_CTYPE, LANG; unset means UTF-8).
 */
export type Charset = 'unicode' | 'ascii';

export function consoleCharset(
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
  isConsole: () => boolean,
): Charset {
  if (platform === 'win32') return isConsole() ? 'ascii' : 'unicode';
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG;
  return locale === undefined || /utf-?8/i.test(locale) ? 'unicode' : 'ascii';
}

/** The characters we print, and what stands for them in ASCII (a mark keeps a short, distinct shape). */
const asciiFor: Readonly<Record<string, string>> = {
  '✓': 'OK',
  '✗': 'X',
  '…': '...',
  '→': '->',
  '–': '-',
  '·': '-',
};
/** asciiFor's keys, written out (escaped: esbuild keeps a raw one, and a non-ASCII byte makes V8 read the whole
 * entry as two-byte text, +0.3 M instructions a hit); a literal, not a pattern built from the keys at every start. */
const ours = /[\u2713\u2717\u2026\u2192\u2013\u00b7]/g;

/** Our own marks become ASCII; anything else (a name, a path) is the user's and stays as it is. */
export function forConsole(text: string, charset: Charset): string {
  return charset === 'unicode' ? text : text.replace(ours, (char) => asciiFor[char] as string);
}
