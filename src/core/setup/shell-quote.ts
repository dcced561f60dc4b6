/** A value as one word for a POSIX shell, in the commands setup prints: bare when safe, else single-quoted. */

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
