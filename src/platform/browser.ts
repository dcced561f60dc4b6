/**
 * Opens a URL in the user's browser, or runs --browser-command with the URL appended as its last argument, after
 * the command's own. Opens only http(s) URLs (src/core/browser-url.ts): anything else is refused with exit 3, since
 * a URL starting with `-` would be a browser switch. Never waits for the browser, never lets its output reach our
 * stdout (kubectl reads that), and otherwise never fails the login: the URL is always printed on stderr before, and
 * when no browser could be opened we say so there, so the user knows to open it themselves.
 *
 * The launch itself is decided by pure functions (table-tested for every platform): the quote-aware split of
 * --browser-command, how a Windows batch file is run through cmd.exe without letting it interpret the URL, and
 * wslview on WSL.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { checkedBrowserUrl } from '../core/browser-url.js';
import type { Logger } from '../core/ports.js';
import { onPath } from './environment.js';

export interface BrowserOptions {
  /** Where the URL comes from (a provider field such as `verification_uri`), named when it is refused. */
  readonly source: string;
  readonly command: string | undefined;
  readonly verbosity: number;
  readonly logger: Logger;
}

/** One process to start: what spawn gets. */
export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  /** Windows: pass `args` to the command line exactly as they are (cmd.exe's own quoting is in them). */
  readonly verbatim: boolean;
  /** Variables added to the child's environment. */
  readonly env: Readonly<Record<string, string>>;
}

/** The child's environment variable that carries the URL to a batch file (see batchLaunch). */
export const urlVariable = 'KUBECTL_TOGETHER_LOGIN_URL';

/** What openInBrowser asks of the machine; unit tests answer it. */
export interface SystemSeam {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  spawn(launch: Launch, stdio: 'ignore' | 'inherit-stderr'): ReturnType<typeof spawn>;
  onPath(name: string): boolean;
}

export async function openInBrowser(
  url: string,
  { source, command, verbosity, logger }: BrowserOptions,
  system: SystemSeam = {
    platform: process.platform,
    env: process.env,
    spawn: spawnLaunch,
    onPath: (name) => onPath(name, process.env.PATH),
  },
): Promise<void> {
  // The last line of defence: whatever the caller checked, nothing but an http(s) URL becomes a browser's argument.
  checkedBrowserUrl(url, source);
  // The opener's chatter goes to our stderr only when the user asked for details.
  const stdio = verbosity >= 2 ? 'inherit-stderr' : 'ignore';
  const noBrowser = (why: string) =>
    logger.warn(`no browser could be opened (${why}); open the URL above in your browser`);
  if (command) {
    const parts = splitCommand(command, system.platform, existsSync);
    const launch = commandLaunch(parts, url, system.platform, system.env);
    logger.debug(1, `opening the browser with ${parts[0]}`);
    try {
      const child = system.spawn(launch, stdio);
      child.on('error', (error) => noBrowser(`--browser-command ${parts[0]}: ${error.message}`));
      child.unref();
    } catch (error) {
      // spawn throws synchronously for some files (a .cmd on Windows without a shell: EINVAL).
      noBrowser(`--browser-command ${parts[0]}: ${(error as Error).message}`);
    }
    return;
  }
  const wslview = wslOpener(url, system.platform, system.env, system.onPath);
  if (wslview) {
    try {
      watchOpener(system.spawn(wslview, stdio), 'wslview', noBrowser);
    } catch (error) {
      noBrowser(`wslview: ${(error as Error).message}`);
    }
    return;
  }
  // `open` waits for PowerShell on Windows: never hold the login up for it, and report its failure when it comes.
  import('open')
    .then(({ default: open }) => open(url, { wait: false }))
    .then(
      (child) => watchOpener(child, 'the system opener', noBrowser),
      (error: Error) => noBrowser(error.message),
    );
}

/** An opener (xdg-open, open, PowerShell, wslview) that exits with a failure opened nothing. */
function watchOpener(child: ReturnType<typeof spawn>, name: string, noBrowser: (why: string) => void): void {
  const exited = (code: number | null) => {
    if (code !== 0 && code !== null) noBrowser(`${name} exited with code ${code}`);
  };
  child.on('error', (error) => noBrowser(`${name}: ${error.message}`));
  if (child.exitCode !== null) exited(child.exitCode);
  else child.once('exit', exited);
  child.unref();
}

function spawnLaunch(launch: Launch, stdio: 'ignore' | 'inherit-stderr'): ReturnType<typeof spawn> {
  return spawn(launch.file, [...launch.args], {
    stdio: stdio === 'ignore' ? 'ignore' : ['ignore', 2, 2],
    detached: true,
    windowsVerbatimArguments: launch.verbatim,
    windowsHide: true,
    env: { ...process.env, ...launch.env },
  });
}

/**
 * int128/kubelogin runs --browser-command as one executable. We do the same when the value names an existing file;
 * otherwise it is split into words the way a shell would: on spaces, except inside '…' or "…" (so
 * `"C:\Program Files\Firefox\firefox.exe" -private-window` works), and outside Windows a backslash escapes the next
 * character (`/Applications/Google\ Chrome.app`); on Windows a backslash is a path separator.
 */
export function splitCommand(
  command: string,
  platform: NodeJS.Platform,
  exists: (path: string) => boolean,
): string[] {
  if (exists(command)) return [command];
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command[i] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && platform !== 'win32' && /["\\]/.test(command[i + 1] ?? '')) {
        word = (word ?? '') + command[++i];
      } else word = (word ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === '\\' && platform !== 'win32' && i + 1 < command.length) {
      word = (word ?? '') + command[++i];
    } else word = (word ?? '') + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * How to run --browser-command's words with the URL. A Windows .exe/.com is started directly (Node quotes each
 * argument for CreateProcess). Anything else there (a .cmd or .bat, or a name that PATHEXT resolves, such as `code`)
 * can only be run by cmd.exe, which would interpret & | < > ^ % in a command line: the URL, which has & in its
 * query, is therefore handed over in an environment variable and expanded inside double quotes, where cmd.exe takes
 * it literally (a URL never contains a double quote: it is percent-encoded).
 */
export function commandLaunch(
  words: readonly string[],
  url: string,
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
): Launch {
  const [file = '', ...args] = words;
  if (platform !== 'win32' || /\.(exe|com)$/i.test(file)) {
    return { file, args: [...args, url], verbatim: false, env: {} };
  }
  const line = [file, ...args].map(quoteForCmd).join(' ');
  return {
    file: env.ComSpec || 'cmd.exe',
    // /d: no AutoRun commands; /v:off: no !delayed! expansion; /s /c "…": run the line between the outer quotes.
    args: ['/d', '/v:off', '/s', '/c', `"${line} "%${urlVariable}%""`],
    verbatim: true,
    env: { [urlVariable]: url.replaceAll('"', '%22') },
  };
}

/** A word for cmd.exe's command line: quoted when it has spaces or characters cmd.exe would act on. */
function quoteForCmd(word: string): string {
  return /^[\w:\\/.=+-]+$/.test(word) ? word : `"${word.replaceAll('"', '""')}"`;
}

/** On WSL, wslview (wslu) opens the Windows default browser directly; `open` goes through PowerShell otherwise. */
export function wslOpener(
  url: string,
  platform: NodeJS.Platform,
  env: Readonly<Record<string, string | undefined>>,
  onPathHas: (name: string) => boolean,
): Launch | undefined {
  const onWsl = platform === 'linux' && Boolean(env.WSL_DISTRO_NAME || env.WSL_INTEROP);
  if (!onWsl || !onPathHas('wslview')) return undefined;
  return { file: 'wslview', args: [url], verbatim: false, env: {} };
}
