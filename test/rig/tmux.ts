/**
 * A real terminal for tests of what the user sees on screen: a command in a private tmux server (its own socket in
 * a temporary directory), a window of a chosen size that can be resized while the command runs, and the screen as
 * the user would read it (`capture-pane`: what is visible, after the terminal has wrapped and erased).
 */
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './plugin.js';
import { requirement } from './requirement.js';

const run = promisify(execFile);

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** For `describe.skipIf(!tmuxPresent())`: a missing tmux fails under CI=true and skips loudly elsewhere. */
export function tmuxPresent(): boolean {
  return requirement(hasTmux(), {
    underCi: 'tmux is missing (.ci/run installs it)',
    skipping: 'the screen tests: tmux is not installed (apt-get install tmux)',
  });
}

export interface TmuxScreen {
  /** The visible rows, trailing spaces removed. */
  rows(): Promise<string[]>;
  /** Polls the screen until a row matches; rejects after `ms` with the screen in the message. */
  waitFor(pattern: RegExp, ms?: number): Promise<string[]>;
  resize(columns: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs `argv` with `env` (nothing else inherited but PATH and HOME) in a `columns` × `rows` window. The pane stays
 * after the command ends, so its last screen can be read.
 */
export async function startInTmux(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  { columns, rows: height = 30 }: { columns: number; rows?: number },
): Promise<TmuxScreen> {
  const dir = tempDir('tmux');
  const socket = join(dir, 'socket');
  const script = join(dir, 'run.sh');
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const exports = Object.entries(env).map(([name, value]) => `export ${name}=${quote(value)}`);
  writeFileSync(script, ['#!/bin/sh', ...exports, `exec ${argv.map(quote).join(' ')}`, ''].join('\n'), {
    mode: 0o700,
  });
  const tmux = (...args: string[]) => run('tmux', ['-S', socket, '-f', '/dev/null', ...args]);
  await tmux('new-session', '-d', '-s', 'test', '-x', String(columns), '-y', String(height), 'sh', script);
  await tmux('set-option', '-t', 'test', 'remain-on-exit', 'on');
  const screen = async () =>
    (await tmux('capture-pane', '-p', '-t', 'test')).stdout.split('\n').map((row) => row.trimEnd());
  return {
    rows: screen,
    async waitFor(pattern, ms = 20_000) {
      const until = Date.now() + ms;
      for (;;) {
        const rows = await screen();
        if (rows.some((row) => pattern.test(row))) return rows;
        if (Date.now() > until) throw new Error(`no row matched ${pattern}:\n${rows.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async resize(newColumns) {
      await tmux('resize-window', '-t', 'test', '-x', String(newColumns));
    },
    async close() {
      await tmux('kill-server').catch(() => undefined);
    },
  };
}
