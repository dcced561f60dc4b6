/**
 * The browser drivers' log (RIG_DRIVER_LOG), written by a driver process and read by a test.
 *
 * A driver is started by the plugin, not by the test, and it goes on writing after the plugin has its callback and
 * exits. So a reader must not trust the file the moment the plugin ends: every run writes `start` first and
 * `exit <code>` last, and readDriverLog waits until each started run has exited.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface DriverLog {
  log(line: string): void;
  /** Writes the closing line and ends the process: the only way a driver ends. */
  exit(code: number): never;
}

export function openDriverLog(file: string | undefined): DriverLog {
  const log = (line: string) => {
    if (file) appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
  };
  log('start');
  return {
    log,
    exit(code) {
      log(`exit ${code}`);
      process.exit(code);
    },
  };
}

const runsStarted = (text: string) => (text.match(/ start$/gm) ?? []).length;
const runsEnded = (text: string) => (text.match(/ exit \d+$/gm) ?? []).length;

/** The log once every driver run that wrote to it has ended; fails with the log so far after `timeoutMs`. */
export async function readDriverLog(file: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const started = runsStarted(text);
    if (started > 0 && runsEnded(text) >= started) return text;
    if (Date.now() > deadline) {
      throw new Error(
        `the browser driver did not finish within ${timeoutMs / 1000} s (${started} run(s) started); its log: ${file}\n${text}`,
      );
    }
    // Polling a file another process appends to: fs.watch misses appends on some file systems.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
