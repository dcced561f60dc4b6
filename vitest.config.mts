import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/rig/global-setup.ts'],
    // Integration tests bind the default callback ports 8000/18000 and spawn kubectl: one file at a time
    // keeps them from fighting over ports and the two cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
