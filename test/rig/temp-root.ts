/**
 * vitest global setup: one private temporary directory per test run, removed when the run ends, pass or fail.
 *
 * Everything the tests create (cache entries with valid tokens, kubeconfigs, the rig's private CA key, D-Bus and
 * keyring homes) goes below it: `tempDir()` and every process the rig starts use it as TMPDIR. The worker processes
 * are forked after this runs, so they inherit the variables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const testTempRootVariable = 'TOGETHER_LOGIN_TEST_TMP';

export default function setup(): (() => void) | undefined {
  // Each vitest project runs its global setup; the first one in this process makes the directory.
  if (process.env[testTempRootVariable]) return undefined;
  const root = mkdtempSync(join(tmpdir(), 'together-login-tests-'));
  process.env[testTempRootVariable] = root;
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
