/**
 * Executable used as --browser-command: `browser-driver <url>`. Logs in as RIG_LOGIN (default alice) through the
 * provider's forms. Writes what it did to RIG_DRIVER_LOG when set, and counts its runs in RIG_DRIVER_COUNT (a file
 * that gets one line per run), so tests can assert how many browser windows the plugin opened.
 */
import { appendFileSync } from 'node:fs';
import { completeLoginWithForms } from './provider-forms.js';

const url = process.argv[2];
const logFile = process.env.RIG_DRIVER_LOG;
const log = (line: string) => {
  if (logFile) appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
};
if (process.env.RIG_DRIVER_COUNT) appendFileSync(process.env.RIG_DRIVER_COUNT, 'run\n');

if (!url) {
  log('no URL given');
  process.exit(2);
}
completeLoginWithForms(url, {
  login: process.env.RIG_LOGIN ?? 'alice',
  password: process.env.RIG_PASSWORD ?? 'any-password',
  log,
}).then(
  (result) => {
    log(`done: HTTP ${result.status}`);
    process.exit(0);
  },
  (error: unknown) => {
    log(`failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
