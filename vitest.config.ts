import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores on CI: run test files in parallel processes, but no more than the machine has.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
