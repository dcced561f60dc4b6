/**
 * Messages for the user, on stderr only: stdout belongs to the ExecCredential. Written synchronously with
 * fs.writeSync, so nothing is lost when the process exits right after, and process.stderr is never created on the
 * cache-hit path.
 */
import { writeSync } from 'node:fs';
import { redact } from '../app-error.js';
import type { Logger } from '../core/ports.js';
import { type Charset, consoleCharset, forConsole } from './console-text.js';

export function createStderrLogger(verbosity: number, write: (text: string) => void = writeStderr): Logger {
  // A warning says something once: the cache is read before and again after taking the lock, with the same finding.
  const warned = new Set<string>();
  return {
    info: (message) => write(`${message}\n`),
    warn: (message) => {
      if (warned.has(message)) return;
      warned.add(message);
      write(`warning: ${message}\n`);
    },
    debug: (level, message) => {
      if (verbosity >= level) write(`[${level}] ${message}\n`);
    },
  };
}

/**
 * Control characters other than newline and tab removed: text from a provider (an error description, an issuer)
 * must not reach the terminal as ESC/OSC sequences, BEL or carriage returns that rewrite what the user sees.
 */
export function terminalSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

let stderrCharset: Charset | undefined;

/** Everything the plugin writes to stderr goes through here (prompts aside). */
export function writeStderr(text: string): void {
  // Decided at the first message: most runs (a cache hit) print nothing and pay nothing.
  stderrCharset ??= consoleCharset(process.platform, process.env, () =>
    process.getBuiltinModule('node:tty').isatty(2),
  );
  try {
    // Every known secret redacted and control characters removed, whoever wrote the text (provider text included).
    writeSync(2, forConsole(terminalSafe(redact(text, [])), stderrCharset));
  } catch {
    // stderr closed or not writable: nothing sensible left to do.
  }
}
