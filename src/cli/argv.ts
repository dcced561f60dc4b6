/**
 * A small, dependency-free parser for pflag-style flags (the syntax kubeconfigs written for the Go plugins use).
 * It runs on every `get-token` call, before any CLI framework is loaded, so it stays tiny and synchronous.
 *
 * Supported forms: `--name=value`, `--name value`, `--flag` / `--flag=true|false` for booleans, and for the
 * verbosity flag `-v`, `-v=3`, `-v3`, `-v 3`, `--v=3`. Repeatable kinds collect every occurrence.
 */
import { usageError } from '../errors.js';

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

export type FlagValue = string | boolean | number | string[] | Record<string, string>;

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, FlagValue>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set(spec.name, spec);
    if (spec.short) byName.set(spec.short, spec);
  }
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
      byName.get(name[0] as string)?.short
    ) {
      inline = name.slice(1);
      name = name[0] as string;
    }
    const spec = byName.get(name);
    if (!spec) {
      throw usageError(
        `unknown flag: ${arg.split('=')[0]}`,
        'run `kubectl together-login get-token --help` for the flags',
      );
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

function parseBool(name: string, raw: string): boolean {
  if (/^(true|1|t)$/i.test(raw)) return true;
  if (/^(false|0|f)$/i.test(raw)) return false;
  throw usageError(`flag --${name} takes true or false, not "${raw}"`);
}

function addValue(spec: FlagSpec, previous: FlagValue | undefined, raw: string): FlagValue {
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
    case 'stringMap': {
      const map = { ...((previous as Record<string, string> | undefined) ?? {}) };
      for (const pair of splitList(raw)) {
        const at = pair.indexOf('=');
        if (at <= 0) throw usageError(`flag --${spec.name} takes key=value pairs, not "${pair}"`);
        map[pair.slice(0, at)] = pair.slice(at + 1);
      }
      return map;
    }
    case 'bool':
      return parseBool(spec.name, raw);
  }
}

function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
