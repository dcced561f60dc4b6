/**
 * The text of the countdown while a login waits, fitted to the terminal's width. A line wider than the terminal
 * wraps, and "\r + erase line" then clears only its last row: every update would add a row (a phone over SSH at
 * 36 columns, the very case the device code exists for). So the line never reaches the last column: the full
 * sentence where it fits, a short one where not, and at worst the time alone, cut.
 */
import { clockDuration } from './duration.js';

/** The line in three parts, so that the caller can set the time in bold. */
export interface CountdownLine {
  readonly before: string;
  readonly time: string;
  readonly after: string;
}

export function countdownLine(label: string, leftMs: number, columns: number): CountdownLine {
  const time = clockDuration(leftMs);
  // Writing into the last column leaves some terminals' cursor in a pending wrap: one column stays free.
  const room = Math.max(1, columns - 1);
  const candidates: CountdownLine[] = [
    { before: `${label}: `, time, after: ' left (Ctrl-C to stop)' },
    { before: '', time, after: ' left, Ctrl-C stops' },
    { before: '', time, after: ' left' },
  ];
  const fits = candidates.find((line) => width(line) <= room);
  return fits ?? { before: '', time: time.slice(0, room), after: '' };
}

export function width(line: CountdownLine): number {
  return line.before.length + line.time.length + line.after.length;
}

/**
 * How many rows a line of `length` characters takes after the terminal narrowed to `columns` and re-wrapped it
 * (tmux, VTE, iTerm2, Windows Terminal and kitty re-wrap; the redraw goes up that many rows minus one).
 */
export function rowsAfterResize(length: number, columns: number): number {
  return Math.max(1, Math.ceil(length / Math.max(1, columns)));
}
