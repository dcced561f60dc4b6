/**
 * What a user sees while a login waits, on a terminal and off one. The terminal is a real pty: util-linux `script`
 * runs the plugin with stdin, stdout and stderr on a pseudo-terminal and copies what the plugin writes there.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pluginBin } from '../rig/build.js';
import { baseEnvironment, getTokenArgs, runPlugin, tempDir } from '../rig/plugin.js';
import { startInTmux, type TmuxScreen, tmuxPresent } from '../rig/tmux.js';
import { useRigProvider } from '../rig/use-provider.js';

const esc = String.fromCharCode(27);
/** Back to the start of the line, and erase it: how the status line replaces itself. */
const eraseLine = `\r${esc}[2K`;

interface PtyRun {
  /** Resolves with the output so far once it matches. */
  waitFor(pattern: RegExp): Promise<string>;
  type(text: string): void;
  readonly done: Promise<{ code: number; output: string }>;
}

/** The plugin on a pty of the given width; everything it writes to the terminal is the output. */
function onTerminal(args: string[], { columns = 100, env = {} as Record<string, string> } = {}): PtyRun {
  const quoted = [pluginBin, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', `stty cols ${columns} rows 40; exec ${quoted}`, '/dev/null'], {
    env: { ...baseEnvironment(), TERM: 'xterm', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: { pattern: RegExp; resolve: (text: string) => void }[] = [];
  child.stdout.on('data', (chunk) => {
    output += chunk;
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(output)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(output);
      }
    }
  });
  const done = new Promise<{ code: number; output: string }>((resolve) => {
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
  return {
    waitFor: (pattern) =>
      pattern.test(output)
        ? Promise.resolve(output)
        : new Promise((resolve, reject) => {
            waiters.push({ pattern, resolve });
            done.then(() => reject(new Error(`ended before printing ${pattern}:\n${output}`)));
          }),
    type: (text) => child.stdin.write(text),
    done,
  };
}

describe('messages while a login waits', () => {
  const provider = useRigProvider();

  const deviceArgs = (extra: string[] = []) =>
    getTokenArgs(provider.issuer, {
      cacheDir: join(tempDir('cache'), 'oidc-login'),
      extra: ['--grant-type=device-code', '--authentication-timeout-sec=2', ...extra],
    });

  it('on a terminal: one status line updated in place with the time left, in bold, and a QR code', async () => {
    const { code, output } = await onTerminal(deviceArgs()).done;
    expect(code).toBe(4);
    expect(output).toContain(`${eraseLine}Waiting for the login at the provider: ${esc}[1m0:0`);
    expect(output).toContain(`${esc}[22m left (Ctrl-C to stop)`);
    expect(output).toContain('Or scan this with your phone:');
    expect(output).toMatch(/[█▀▄]{20}/);
    // The line is erased before the error, which starts at the left margin.
    expect(output.replace(/\r\n/g, '\n')).toContain(`${eraseLine}error: no login completed within 2 s`);
  });

  it('NO_COLOR: no bold, still one updating line', async () => {
    const { output } = await onTerminal(deviceArgs(), { env: { NO_COLOR: '1' } }).done;
    expect(output).not.toContain(`${esc}[1m`);
    expect(output).toContain(`${eraseLine}Waiting for the login at the provider: 0:0`);
  });

  it('no QR code with --skip-qr-code, or on a terminal too narrow for it', async () => {
    const skipped = await onTerminal(deviceArgs(['--skip-qr-code'])).done;
    expect(skipped.output).not.toContain('scan this');
    const narrow = await onTerminal(deviceArgs(), { columns: 30 }).done;
    expect(narrow.output).not.toContain('scan this');
    expect(narrow.output).toContain(`${esc}[22m left, Ctrl-C stops`);
  });

  it('off a terminal: no escape codes, no carriage returns, no QR code, no countdown', async () => {
    const result = await runPlugin(deviceArgs());
    expect(result.code).toBe(4);
    expect(result.stderr).not.toContain(esc);
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).not.toContain('scan this');
    expect(result.stderr).not.toContain('left (Ctrl-C');
    expect(result.stderr).toMatch(/Waiting for the login for 2 s \(the code stays valid for \d+ minutes/);
  });

  it('says why no browser opened, for how long it waits, what must be reachable, and the alternatives', async () => {
    const result = await runPlugin(
      getTokenArgs(provider.issuer, {
        cacheDir: join(tempDir('cache'), 'oidc-login'),
        extra: ['--grant-type=authcode', '--authentication-timeout-sec=1'],
      }),
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'No browser can be opened here (no display: DISPLAY and WAYLAND_DISPLAY are unset). Open the URL above in a browser that can reach http://localhost:8000 on this machine, within 1 s.',
    );
    expect(result.stderr).toContain(
      'Over SSH, forward the port first: ssh -L 8000:localhost:8000 <this host>',
    );
    expect(result.stderr).toContain('--grant-type=device-code');
    expect(result.stderr).toContain('--grant-type=authcode-keyboard');
    expect(result.stderr).toMatch(/hint: .*--grant-type=device-code or --grant-type=authcode-keyboard/);
    // It says no browser can be opened, so it tries none: it never says one thing and does another.
    expect(result.stderr).not.toContain('no browser could be opened');
    expect(result.stderr).not.toContain('opener');
    expect(result.stderr).not.toContain(esc);
    expect(result.stderr).not.toContain('\r');
  });

  it('after a failed login, Enter on the terminal starts a new one at once', async () => {
    const args = deviceArgs(['--skip-qr-code']);
    const first = await runPlugin(args);
    expect(first.code).toBe(4);
    const again = onTerminal(args);
    await again.waitFor(/The last login failed[\s\S]*Press Enter within \d+ s to log in again now: /);
    again.type('\r');
    await again.waitFor(/shows the code/);
    const { code, output } = await again.done;
    expect(code).toBe(4);
    expect(output).toContain('error: no login completed within 2 s');
  });
});

describe.skipIf(!tmuxPresent())('the countdown on a screen (tmux)', () => {
  const provider = useRigProvider();
  let screen: TmuxScreen | undefined;
  afterEach(async () => {
    await screen?.close();
    screen = undefined;
  });

  const start = async (columns: number) => {
    screen = await startInTmux(
      [
        pluginBin,
        ...getTokenArgs(provider.issuer, {
          cacheDir: join(tempDir('cache'), 'oidc-login'),
          extra: ['--grant-type=device-code', '--skip-open-browser', '--authentication-timeout-sec=40'],
        }),
      ],
      baseEnvironment(),
      { columns },
    );
    return screen;
  };
  const countdownRows = (rows: string[]) => rows.filter((row) => /left|Ctrl-C|at the provider:/.test(row));
  /** Waits until the countdown has shown `seconds` more updates after `rows` were read. */
  const afterUpdates = async (on: TmuxScreen, seconds: number) => {
    const shown = (rows: string[]) => Number(/0:(\d\d) left/.exec(rows.join('\n'))?.[1]);
    const first = shown(await on.waitFor(/0:\d\d left/));
    return on.waitFor(new RegExp(`0:${String(first - seconds).padStart(2, '0')} left`));
  };

  it('at 36 columns (a phone over SSH): one row that fits, updated in place, not a new row per second', async () => {
    const on = await start(36);
    const rows = await afterUpdates(on, 3);
    expect(countdownRows(rows)).toEqual([expect.stringMatching(/^0:\d\d left, Ctrl-C stops$/)]);
    expect(countdownRows(rows)[0]?.length).toBeLessThan(36);
  });

  it('redraws cleanly after the terminal narrows under it: no wrapped remains of the wide line', async () => {
    const on = await start(100);
    expect(countdownRows(await on.waitFor(/at the provider: 0:\d\d left \(Ctrl-C to stop\)/))).toHaveLength(
      1,
    );
    await on.resize(36);
    const rows = await on.waitFor(/^0:\d\d left, Ctrl-C stops$/);
    expect(countdownRows(rows)).toEqual([expect.stringMatching(/^0:\d\d left, Ctrl-C stops$/)]);
    // The lines printed before the countdown are still there.
    expect(rows.join('\n')).toContain('Waiting for the login for 40 s');
    const later = await afterUpdates(on, 2);
    expect(countdownRows(later)).toHaveLength(1);
  });
});
