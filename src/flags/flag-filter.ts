/**
 * Removes named flags from a get-token argument list, values included, whatever form they were written in
 * (`--name=value`, `--name value`, `-v3`): used to keep secrets out of kubeconfigs that setup writes and
 * convert-kubeconfig rewrites. The flag table says which flags take a separate value.
 */
import { type Flags, flagLookup } from './argv.js';
import { getTokenFlagKinds } from './get-token-flag-kinds.js';

export const secretFlags: ReadonlySet<string> = new Set(['oidc-client-secret', 'password']);

export function withoutFlags(
  args: readonly string[],
  names: ReadonlySet<string>,
  specs: Flags = getTokenFlagKinds,
): { kept: string[]; removed: string[]; removedValues: string[] } {
  const kept: string[] = [];
  const removed: string[] = [];
  const removedValues: string[] = [];
  const lookup = flagLookup(specs);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const shortVerbosity = /^-v\d*$/.test(arg) ? 'v' : undefined;
    const name = shortVerbosity ?? (arg.startsWith('-') ? arg.replace(/^--?/, '').split('=')[0] : undefined);
    if (name === undefined || !names.has(name)) {
      kept.push(arg);
      continue;
    }
    removed.push(name);
    const spec = lookup.flagNamed(name);
    // `--name value`: the next argument is the value (for the verbosity only a bare number, as argv.ts reads it).
    const next = args[i + 1];
    const takesNext =
      !arg.includes('=') &&
      spec?.kind !== 'bool' &&
      next !== undefined &&
      (name !== 'v' || ((arg === '-v' || arg === '--v') && /^\d+$/.test(next)));
    if (arg.includes('=')) removedValues.push(arg.slice(arg.indexOf('=') + 1));
    if (takesNext) removedValues.push(args[++i] as string);
  }
  return { kept, removed, removedValues };
}
