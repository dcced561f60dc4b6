/**
 * Opens a URL in the user's browser, or runs --browser-command with the URL appended. Never waits for the browser,
 * never lets its output reach our stdout (kubectl reads that), and never fails the login: the URL is always printed
 * on stderr as well, because openers on headless machines fail silently.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '../core/ports.js';

export interface BrowserOptions {
  readonly command: string | undefined;
  readonly verbosity: number;
  readonly logger: Logger;
}

export async function openInBrowser(
  url: string,
  { command, verbosity, logger }: BrowserOptions,
): Promise<void> {
  // The opener's chatter goes to our stderr only when the user asked for details.
  const stdio: ['ignore', 'ignore' | 2, 'ignore' | 2] =
    verbosity >= 2 ? ['ignore', 2, 2] : ['ignore', 'ignore', 'ignore'];
  if (command) {
    const [file, ...args] = splitCommand(command);
    logger.debug(1, `opening the browser with ${file}`);
    const child = spawn(file as string, [...args, url], { stdio, detached: true });
    child.on('error', (error) => logger.warn(`could not run --browser-command ${file}: ${error.message}`));
    child.unref();
    return;
  }
  try {
    const { default: open } = await import('open');
    const child = await open(url, { wait: false });
    child.on('error', () => undefined);
    child.unref();
  } catch (error) {
    logger.debug(1, `could not open a browser: ${(error as Error).message}`);
  }
}

/**
 * int128/kubelogin runs --browser-command as one executable. We do the same when the value names an existing file,
 * and otherwise split it on spaces, so `--browser-command="open -a Firefox"` works too.
 */
export function splitCommand(command: string): string[] {
  if (existsSync(command)) return [command];
  return command.split(/\s+/).filter((part) => part.length > 0);
}
