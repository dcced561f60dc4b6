import { defineConfig } from 'vitest/config';
import { rigConsoleLog } from './test/rig/console-log.js';

// Two projects: unit tests need nothing built and run in parallel; integration and e2e tests run the built plugin
// (built once by their global setup) and bind the default callback ports 8000/18000 and spawn kubectl, so they
// run one file at a time. Both get a private temporary directory, removed after the run.
export default defineConfig({
  test: {
    // The rig's own chatter (oidc-provider's notices, dev-key warnings) goes to .test-out/rig.log, not the console.
    onConsoleLog: rigConsoleLog,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          globalSetup: ['test/rig/temp-root.ts'],
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
    ],
  },
});
