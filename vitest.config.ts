import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The renderer is built once here, not by each browser test's server (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // Two cores on CI: run test files in parallel processes, but no more than the machine has.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    // Relaxed SIMD, as the Node hosts turn it on (electron/worker/relaxed-simd.ts): the CPU engine
    // then runs its FMA kernels here too, the build that Node, Electron and Chromium run.
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
