/**
 * commander's own parse errors (status, clean, convert-kubeconfig, version: an unknown flag, a value not among the
 * choices, a missing value, an extra argument, an unknown command) as the plugin's usage error: one `error:` line
 * and one `hint:` line, exit 2, worded as get-token's parser words them (src/flags/argv.ts), with its "did you mean".
 * commander prints nothing itself (program.ts silences it): this is the only text the user sees.
 */
import type { Command, CommanderError } from 'commander';
import { type AppError, cutForMessage, flagsHint, usageError } from '../app-error.js';
import { closestFlag } from '../flags/argv.js';

export function commanderUsageError(
  error: CommanderError,
  program: Command,
  args: readonly string[],
): AppError {
  const command = program.commands.find(
    (each) => each.name() === args[0] || each.aliases().includes(args[0] ?? ''),
  );
  const hint = command ? flagsHint(command.name()) : 'run `kubectl together-login --help` for the commands';
  // commander's messages (pinned version): `error: <text>`, the values it echoes in single quotes (a value may hold
  // a quote or a newline: the patterns match across them), then for a near name `\n(Did you mean X?)`.
  const text = error.message;
  const echoed = (pattern: RegExp) => pattern.exec(text)?.slice(1);
  switch (error.code) {
    case 'commander.unknownCommand': {
      const [name = '', near] =
        echoed(/^error: unknown command '([\s\S]*)'(?:\n\(Did you mean (\S+)\?\))?$/) ?? [];
      return usageError(`unknown command ${shown(name)}${near ? ` (did you mean ${near}?)` : ''}`, hint);
    }
    case 'commander.unknownOption': {
      const [given = ''] = echoed(/^error: unknown option '([\s\S]*?)'(?:\n\(Did you mean \S+\?\))?$/) ?? [];
      const flag = given.split('=')[0] as string;
      const names = (command ?? program).options.filter((option) => !option.hidden).map(longName);
      const near = closestFlag(flag.replace(/^--?/, ''), names);
      return usageError(`unknown flag: ${oneLine(flag)}${near ? ` (did you mean --${near}?)` : ''}`, hint);
    }
    case 'commander.invalidArgument': {
      const [flag, value = '', choices] =
        echoed(
          /^error: option '[^']*?--([\w-]+)[^']*' argument '([\s\S]*)' is invalid\. Allowed choices are (.*)\.$/,
        ) ?? [];
      if (flag && choices)
        return usageError(`flag --${flag} takes one of ${choices}, not ${shown(value)}`, hint);
      break;
    }
    case 'commander.optionMissingArgument': {
      const [flag] = echoed(/^error: option '[^']*?--([\w-]+)[^']*' argument missing$/) ?? [];
      if (flag) return usageError(`flag --${flag} needs a value`, hint);
      break;
    }
    case 'commander.excessArguments': {
      // commander has put the arguments it did not expect into the command's args.
      const extra = command?.args[0];
      const name = command?.name() ?? 'kubectl together-login';
      return usageError(
        `${name} takes no arguments${extra === undefined ? '' : `, not ${shown(extra)}`}`,
        hint,
      );
    }
  }
  return usageError(oneLine(text.replace(/^error: /, '').replace(/\.$/, '')), hint);
}

/** A value from the command line on one line of the message, quoted, at most 200 characters. */
function shown(value: string): string {
  return `"${oneLine(value)}"`;
}

/** Newlines and quotes escaped as in JSON: a value must not add lines (a fake `hint:`) to the two we print. */
function oneLine(text: string): string {
  return cutForMessage(JSON.stringify(text).slice(1, -1));
}

function longName(option: { long?: string | undefined }): string {
  return (option.long ?? '').replace(/^--/, '');
}
