/**
 * Ctrl-C and SIGTERM end a run with `error: interrupted (…)` and exit 130 or 143 (README's exit codes), instead of
 * Node's silent death by the signal. Installed only when a run may last: before the login machinery, the other stores
 * or the CLI is loaded (a login, a refresh, a keyring that waits to be unlocked, any command but get-token). A cache
 * hit ends in milliseconds and installs none: the handlers cost a Node hit ~0.4 M instructions (docs/performance.md);
 * a signal that lands in a hit ends it as it ends any short command.
 */
import { ExitCode } from '../error-codes.js';
import { writeStderr } from './logger.js';

let installed = false;

export function exitOnInterrupt(): void {
  if (installed) return;
  installed = true;
  const interrupted = (signal: NodeJS.Signals, code: number) => () => {
    writeStderr(`\nerror: interrupted (${signal})\n`);
    process.exit(code);
  };
  process.once('SIGINT', interrupted('SIGINT', ExitCode.interrupted));
  process.once('SIGTERM', interrupted('SIGTERM', ExitCode.terminated));
}
