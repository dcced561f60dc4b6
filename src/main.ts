/**
 * The process edge: argv/env/stdio → run → exit code. The only place that exits, but for a signal during a run that
 * may last (platform/interrupts.ts).
 *
 * `get-token` is dispatched here, before any CLI framework is loaded, because kubectl runs it before every API call
 * and a cache hit must cost little more than starting Node. Everything else goes through commander (cli/program.ts).
 */
import { writeSync } from 'node:fs';
import { runGetToken } from './app/get-token.js';
import { isAppError, redact } from './app-error.js';
import { ExitCode } from './error-codes.js';
import { hoistGlobalFlags } from './flags/argv.js';
import { getTokenFlagKinds, globalFlagNames } from './flags/get-token-flag-kinds.js';
import { loadFull } from './load-full.js';
import { exitOnInterrupt } from './platform/interrupts.js';
import { writeStderr } from './platform/logger.js';

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let verbosity = 0;
  try {
    // Only a flag first has anything to hoist: a hit then never runs (nor links) the hoisting code.
    const args = argv[0]?.startsWith('-') ? hoistGlobalFlags(argv, getTokenFlagKinds, globalFlagNames) : argv;
    const [command, ...rest] = args;
    // includes(), not some(): the standalone compiles an array builtin written in JavaScript on first use.
    if (command === 'get-token' && !rest.includes('-h') && !rest.includes('--help')) {
      const credential = await runGetToken(rest, env, (level) => {
        verbosity = level;
      });
      writeSync(1, credential);
      return ExitCode.ok;
    }
    exitOnInterrupt();
    const { runProgram } = await loadFull();
    return await runProgram(args, env);
  } catch (error) {
    // setup's checklist on stderr has already said what failed and how to fix it.
    if (!(isAppError(error) && error.code === 'setup.failed')) reportError(error, verbosity);
    return isAppError(error) ? error.exitCode : ExitCode.unexpected;
  }
}

const escapes: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A message may quote a value from outside (a flag, a file, a provider's answer): a line break or another control
 * character in it is shown escaped, so that it can neither add a line (a fake `hint:`) nor move the cursor.
 */
function onOneLine(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (char) => escapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `error:` and `hint:` lines; the code, cause chain and stack only with -v. Everything passes through redact. */
function reportError(error: unknown, verbosity: number): void {
  const lines: string[] = [];
  if (isAppError(error)) {
    lines.push(`error: ${onOneLine(error.message)}`);
    if (error.hint) lines.push(`hint: ${onOneLine(error.hint)}`);
  } else {
    lines.push(`error: unexpected failure: ${onOneLine((error as Error)?.message ?? String(error))}`);
    lines.push('hint: run again with -v=1 and report the output (it never contains tokens)');
  }
  if (verbosity >= 1) {
    let current: unknown = error;
    for (let depth = 0; current && depth < 5; depth++) {
      if (!(current instanceof Error)) {
        // openid-client keeps the refused HTTP response as the cause: its status, never its body.
        const status = (current as { status?: unknown }).status;
        if (typeof status === 'number') lines.push(`  caused by: HTTP ${status} response`);
        break;
      }
      const e = current as Error & { code?: unknown };
      lines.push(
        `  ${depth === 0 ? 'detail' : 'caused by'}: ${e.name ?? 'Error'}${e.code ? ` [${String(e.code)}]` : ''}: ${e.message}`,
      );
      if (verbosity >= 2 && e.stack) lines.push(e.stack.split('\n').slice(1).join('\n'));
      current = e.cause;
    }
  }
  writeStderr(`${redact(lines.join('\n'), [])}\n`);
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  () => process.exit(ExitCode.unexpected),
);
