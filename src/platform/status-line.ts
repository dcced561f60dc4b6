/**
 * One line on stderr that updates in place while a login waits ("… 2:47 left"). Only on a terminal: when stderr is
 * a file or a pipe (CI logs, kubectl under a script) it writes nothing at all, so no escape codes and no hundreds of
 * countdown lines end up in a log. Colour (the time left in bold) only when NO_COLOR is unset and TERM is not dumb.
 */
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { countdownLine, rowsAfterResize, width } from '../core/countdown-line.js';
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

/** The terminal's width now, and a way to hear when it changes. */
export interface TerminalSize {
  columns(): number;
  /** Calls back after a resize; returns the way to stop listening. */
  onResize(listener: () => void): () => void;
}

/** stderr's size: Node re-reads it on SIGWINCH and emits 'resize'. */
const stderrSize = (fallback: number): TerminalSize => ({
  columns: () => process.stderr.columns || fallback,
  onResize(listener) {
    process.stderr.on('resize', listener);
    return () => process.stderr.off('resize', listener);
  },
});

/**
 * Shows `label: M:SS left` until deadline, refreshed every second and at once after a resize, never wider than the
 * terminal (core/countdown-line.ts); nothing when stderr is not a terminal.
 */
export function startCountdown(
  label: string,
  deadline: number,
  terminal: TerminalInfo,
  write: (text: string) => void = writeControlled,
  size: TerminalSize = stderrSize(terminal.columns),
): Countdown {
  if (!terminal.isTerminal) return { stop: () => undefined };
  const bold = (text: string) => (terminal.colour ? `\x1b[1m${text}\x1b[22m` : text);
  const safeLabel = terminalSafe(label);
  let drawn = 0;
  const render = () => {
    const columns = size.columns();
    // A narrower terminal re-wraps the line drawn before over several rows: back to its first row, erase downwards.
    const rows = rowsAfterResize(drawn, columns);
    const back = rows > 1 ? `\x1b[${rows - 1}A\r\x1b[J` : '\r\x1b[2K';
    const line = countdownLine(safeLabel, deadline - Date.now(), columns);
    drawn = width(line);
    write(`${back}${line.before}${bold(line.time)}${line.after}`);
  };
  render();
  const timer = setInterval(render, 1000);
  timer.unref();
  const stopListening = size.onResize(render);
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stopListening();
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
