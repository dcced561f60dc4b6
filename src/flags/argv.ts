/**
 * A small, dependency-free parser for pflag-style flags (the syntax kubeconfigs written for the Go plugins use).
 * It runs on every `get-token` call, before any CLI framework is loaded, so it stays tiny and synchronous.
 *
 * Supported forms: `--name=value`, `--name value`, `--flag` / `--flag=true|false` for booleans, and for the
 * verbosity flag `-v`, `-v=3`, `-v3`, `-v 3`, `--v=3`. Repeatable kinds collect every occurrence.
 */
import { type AppError, usageError } from '../app-error.js';

export type FlagKind =
  | 'string'
  | 'bool'
  | 'int'
  /** repeatable, and each value may hold a comma-separated list (pflag `strings`) */
  | 'stringSlice'
  /** repeatable, values kept whole (pflag `stringArray`) */
  | 'stringArray'
  /** repeatable `key=value[,key=value]` pairs (pflag `stringToString`) */
  | 'stringMap';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly description: string;
  /** Shown in help only; defaults are applied by the typed input builder. */
  readonly defaultText?: string;
  /** Single-letter alias, e.g. `v`. */
  readonly short?: string;
  /** Accepted for compatibility but not shown in help. */
  readonly hidden?: boolean;
}

/** What parsing needs of a flag: not its help texts. */
export type FlagShape = Pick<FlagSpec, 'name' | 'kind' | 'short' | 'hidden'>;

/** How a parser finds flags: in a table (flagLookup), or in a form that costs less to load (./get-token-flag-kinds.ts). */
export interface FlagLookup {
  /** The flag of a name or single-letter alias. */
  flagNamed(name: string): FlagShape | undefined;
  /** The names a typo may be near: every flag help shows (asked only to report an unknown flag). */
  visibleNames(): readonly string[];
}

/** A table of flags, or a lookup of them. */
export type Flags = readonly FlagShape[] | FlagLookup;

export function flagLookup(flags: Flags): FlagLookup {
  if ('flagNamed' in flags) return flags;
  const byName = new Map<string, FlagShape>();
  for (const spec of flags) {
    byName.set(spec.name, spec);
    if (spec.short) byName.set(spec.short, spec);
  }
  return {
    flagNamed: (name) => byName.get(name),
    visibleNames: () => flags.filter((spec) => !spec.hidden).map((spec) => spec.name),
  };
}

export type FlagValue = string | boolean | number | string[] | Record<string, string>;

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, FlagValue>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], flags: Flags): ParsedArgs {
  const lookup = flagLookup(flags);
  const values = new Map<string, FlagValue>();
  const positionals: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf('=');
    let name = eq >= 0 ? body.slice(0, eq) : body;
    let inline: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    // `-v3`: a short flag with its value glued on.
    if (
      !arg.startsWith('--') &&
      inline === undefined &&
      name.length > 1 &&
      lookup.flagNamed(name[0] as string)?.short
    ) {
      inline = name.slice(1);
      name = name[0] as string;
    }
    const spec = lookup.flagNamed(name);
    if (!spec) {
      throw unknownFlag(arg, lookup);
    }
    if (spec.kind === 'bool') {
      values.set(spec.name, parseBool(spec.name, inline ?? 'true'));
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (spec.kind === 'int' && spec.short && (next === undefined || !/^\d+$/.test(next))) {
        raw = '1'; // bare `-v` means "a bit more"
      } else if (next === undefined) {
        throw usageError(`flag --${spec.name} needs a value`, `write it as --${spec.name}=VALUE`);
      } else {
        raw = next;
        i++;
      }
    }
    values.set(spec.name, addValue(spec, values.get(spec.name), raw));
  }
  return { values, positionals };
}

/** `unknown flag: --oidc-issuer (did you mean --oidc-issuer-url?)`, as commander suggests a command. */
export function unknownFlag(arg: string, flags: Flags): AppError {
  const given = arg.split('=')[0] as string;
  const near = closestFlag(given.replace(/^--?/, ''), flagLookup(flags).visibleNames());
  return usageError(`unknown flag: ${given}${near ? ` (did you mean --${near}?)` : ''}`);
}

/** The flag a typo most likely meant: one it begins, or within a few edits of it; undefined when none is close. */
export function closestFlag(name: string, names: readonly string[]): string | undefined {
  if (name.length < 2) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of names) {
    const distance = candidate.startsWith(name) ? 1 : editDistance(name, candidate);
    if (distance <= Math.max(2, Math.floor(name.length / 4)) && (!best || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance with transpositions (a swapped pair of letters is one typo). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const up = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

function parseBool(name: string, raw: string): boolean {
  if (/^(true|1|t)$/i.test(raw)) return true;
  if (/^(false|0|f)$/i.test(raw)) return false;
  throw usageError(`flag --${name} takes true or false, not "${raw}"`);
}

function addValue(spec: FlagShape, previous: FlagValue | undefined, raw: string): FlagValue {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'int': {
      if (!/^-?\d+$/.test(raw)) throw usageError(`flag --${spec.name} takes a whole number, not "${raw}"`);
      return Number.parseInt(raw, 10);
    }
    case 'stringSlice':
      return [...((previous as string[] | undefined) ?? []), ...splitList(raw)];
    case 'stringArray':
      return [...((previous as string[] | undefined) ?? []), raw];
    case 'stringMap':
      return {
        ...((previous as Record<string, string> | undefined) ?? {}),
        ...parseStringToString(spec.name, raw),
      };
    case 'bool':
      return parseBool(spec.name, raw);
  }
}

/** A loop, not map() and filter(): the standalone compiles each array builtin on first use (docs/performance.md). */
function splitList(raw: string): string[] {
  const parts: string[] = [];
  for (const part of raw.split(',')) {
    const trimmed = part.trim();
    if (trimmed.length > 0) parts.push(trimmed);
  }
  return parts;
}

/**
 * One value of a pflag `stringToString` flag, read as pflag reads it: with a single `=` the whole argument is one
 * pair (its value may hold commas: `Accept=text/html, application/json`), surrounding double quotes removed; with
 * several, the argument is one CSV record of pairs (`a=1,b=2`, quoting a value that holds a comma: `"a=1,2",b=3`).
 */
export function parseStringToString(flag: string, raw: string): Record<string, string> {
  if (raw === '') return {};
  const equals = raw.split('=').length - 1;
  if (equals === 0) throw usageError(`flag --${flag} takes key=value pairs, not "${raw}"`);
  const pairs = equals === 1 ? [raw.replace(/^"+|"+$/g, '')] : readCsvRecord(flag, raw);
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 0) throw usageError(`flag --${flag} takes key=value pairs, not "${pair}"`);
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}

/** The first record of a CSV text as Go's encoding/csv reads it (comma-separated, `"` quoting, `""` escapes). */
function readCsvRecord(flag: string, text: string): string[] {
  const fields: string[] = [];
  const malformed = (why: string) =>
    usageError(
      `flag --${flag}: ${why} in "${text}"`,
      'quote a value that holds a comma: --flag=\'"a=1,2",b=3\'',
    );
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw malformed('a quoted field is not closed');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r')
        throw malformed('a quote ends a field too early');
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        if (text[i] === '"') throw malformed('a bare quote is not allowed in an unquoted field');
        field += text[i++];
      }
    }
    fields.push(field);
    if (text[i] !== ',') return fields;
    i++;
  }
}

/**
 * Moves global flags written before the subcommand (`-v1 get-token …`, `--logtostderr setup …`) behind it, where
 * the subcommand's own table reads them, as cobra does with persistent flags. Leaves argv alone when anything else
 * comes first (`--help`, `--version`).
 */
export function hoistGlobalFlags(
  argv: readonly string[],
  flags: Flags,
  globalNames: ReadonlySet<string>,
): readonly string[] {
  const lookup = flagLookup(flags);
  const globals: string[] = [];
  let i = 0;
  while (i < argv.length && (argv[i] as string).startsWith('-')) {
    const arg = argv[i] as string;
    const body = arg.replace(/^--?/, '');
    const glued = /^v\d+$/.test(body) && !arg.startsWith('--');
    const name = glued ? 'v' : (body.split('=')[0] as string);
    const spec = lookup.flagNamed(name);
    if (!spec || !globalNames.has(spec.name)) return argv;
    globals.push(arg);
    i++;
    const next = argv[i];
    const takesNext =
      !glued &&
      !arg.includes('=') &&
      spec.kind !== 'bool' &&
      next !== undefined &&
      (!spec.short || /^\d+$/.test(next));
    if (takesNext) globals.push(argv[i++] as string);
  }
  if (globals.length === 0 || i >= argv.length) return argv;
  return [argv[i] as string, ...globals, ...argv.slice(i + 1)];
}
