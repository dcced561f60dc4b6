import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const rigOutDir = join(dirname(fileURLToPath(import.meta.url)), '.test-out');

/**
 * Console output of test files: the rig's chatter (oidc-provider's runtime and dev-key notices, which say nothing
 * about our code) goes to .test-out/rig.log; only loud notices (lines with `***`, such as a suite that skips because
 * a tool is missing outside CI) reach the terminal. A failing test's message carries the plugin's own stderr.
 */
function rigConsoleLog(log: string, type: 'stdout' | 'stderr'): false | undefined {
  if (log.includes('***')) return undefined;
  mkdirSync(rigOutDir, { recursive: true });
  appendFileSync(join(rigOutDir, 'rig.log'), `[${type}] ${log}`);
  return false;
}

// Three projects: unit tests need nothing built and run in parallel; integration and e2e tests run the built plugin
// (built once by their global setup) and bind the default callback ports 8000/18000 and spawn kubectl, so they
// run one file at a time; release tests check what `npm run release` left in release/. Each gets a private
// temporary directory, removed after the run.
export default defineConfig({
  test: {
    onConsoleLog: rigConsoleLog,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          globalSetup: ['test/rig/temp-root.ts'],
          // Property tests are CPU-bound: on a busy 2-core machine they need more than vitest's default 5 s.
          testTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          globalSetup: ['test/rig/temp-root.ts', 'test/rig/default-ports.ts', 'test/rig/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The artifacts of `npm run release` (release/): zips, checksums, krew manifest, per-target executables.
        test: {
          name: 'release',
          include: ['test/release/**/*.test.ts'],
          globalSetup: ['test/rig/temp-root.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
