/**
 * Where console output of test files goes: the rig's chatter (oidc-provider's runtime and dev-key notices, which
 * say nothing about our code) into .test-out/rig.log; only loud notices (lines with `***`, such as a suite that
 * skips because a tool is missing outside CI) reach the terminal. A failing test's own message carries the
 * plugin's stderr; the log is there for the rest.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rigOutDir } from './build.js';

export const rigLogFile = join(rigOutDir, 'rig.log');

export function rigConsoleLog(log: string, type: 'stdout' | 'stderr'): boolean | undefined {
  if (log.includes('***')) return undefined;
  mkdirSync(rigOutDir, { recursive: true });
  appendFileSync(rigLogFile, `[${type}] ${log}`);
  return false;
}
