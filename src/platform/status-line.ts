/**
 * One line on stderr that updates in place while a login waits ("… 2:47 left"). Only on a terminal: when stderr is
 * a file or a pipe (CI logs, kubectl under a script) it writes nothing at all, so no escape codes and no hundreds of
 * countdown lines end up in a log. Colour (the time left in bold) only when NO_COLOR is unset and TERM is not dumb.
 */
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { clockDuration } from '../core/login-attempt.js';
import { terminalSafe } from './logger.js';

export interface Countdown {
  /** Removes the line, so that what is printed next starts at the left margin. */
  stop(): void;
}

export interface TerminalInfo {
  readonly isTerminal: boolean;
  readonly colour: boolean;
  readonly columns: number;
}

export function stderrTerminal(env: Readonly<Record<string, string | undefined>>): TerminalInfo {
  const isTerminal = isatty(2);
  return {
    isTerminal,
    colour: isTerminal && !env.NO_COLOR && env.TERM !== 'dumb',
    columns: isTerminal ? process.stderr.columns || 80 : 0,
  };
}

/** Shows `label: M:SS left` until deadline, refreshed every second; nothing when stderr is not a terminal. */
export function startCountdown(
  label: string,
  deadline: number,
  terminal: TerminalInfo,
  write: (text: string) => void = writeControlled,
): Countdown {
  if (!terminal.isTerminal) return { stop: () => undefined };
  const bold = (text: string) => (terminal.colour ? `\x1b[1m${text}\x1b[22m` : text);
  const render = () => {
    const line = `${terminalSafe(label)}: ${bold(clockDuration(deadline - Date.now()))} left (Ctrl-C to stop)`;
    // \r and "erase line": the new text replaces the old one, whatever their lengths.
    write(`\r\x1b[2K${line}`);
  };
  render();
  const timer = setInterval(render, 1000);
  timer.unref();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      write('\r\x1b[2K');
    },
  };
}

/**
 * Straight to stderr: writeStderr removes control characters from every message (provider text must not steer the
 * terminal), and these are ours, the only ones the plugin sends on purpose; the text between them is made safe above.
 */
function writeControlled(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // stderr closed: nothing to show the countdown on.
  }
}
