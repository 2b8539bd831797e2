// Bundles the desktop app's Node-side code with Vite (no electron-vite needed):
//   out/main/index.mjs    the main process (ESM; Electron >= 28 loads ESM mains)
//   out/main/worker.mjs   the training worker for utilityProcess.fork (ESM entries: electron#40047)
//   out/main/data-server.mjs  the GPU window's data server, also a utility process
//   out/preload/index.cjs the preload: CommonJS, since sandboxed preloads cannot be ESM
//   out/preload/gpu.cjs   the hidden GPU window's preload
// and, with `--renderer`, the renderer (renderer/vite.config.ts → out/renderer) and the GPU
// window's page (build/gpu-page.vite.config.mjs → out/renderer/gpu-worker, after the renderer,
// whose build empties out/renderer).
// Dependencies stay external (resolved from node_modules, packaged by electron-builder); the
// preload's only one is `electron`. Run: node build/build-electron.mjs [--renderer]
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Builds main, worker and preload into `outDir` (default out/); `renderer` also builds the renderer
 * into out/renderer. Resolves when all are written.
 */
export const buildElectron = async ({ outDir = resolve(ROOT, 'out'), renderer = false } = {}) => {
  // React and Vite follow NODE_ENV (a test runner sets it to 'test').
  process.env.NODE_ENV = 'production';
  if (renderer) {
    await build({ configFile: resolve(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
    // Its externalised-module notices are expected: node-stub.ts stands in for those modules.
    await build({ configFile: resolve(ROOT, 'build', 'gpu-page.vite.config.mjs'), logLevel: 'error' });
  }
  const common = { configFile: false, root: ROOT, logLevel: 'warn' };
  await build({
    ...common,
    build: {
      ssr: true,
      outDir: resolve(outDir, 'main'),
      emptyOutDir: true,
      target: 'node22',
      rollupOptions: {
        input: {
          index: resolve(ROOT, 'electron/main/index.ts'),
          worker: resolve(ROOT, 'electron/worker/utility-entry.ts'),
          'data-server': resolve(ROOT, 'electron/worker/data-entry.ts'),
          // electron/worker/programs.ts finds it beside the worker.
          'cpu-helper': resolve(ROOT, 'electron/worker/thread-helper-node.ts'),
          'start-filters': resolve(ROOT, 'electron/worker/start-filters-thread.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
      },
    },
  });
  for (const [name, emptyOutDir] of [
    ['index', true],
    ['gpu', false],
  ]) {
    await build({
      ...common,
      build: {
        ssr: resolve(ROOT, `electron/preload/${name}.ts`),
        outDir: resolve(outDir, 'preload'),
        emptyOutDir,
        target: 'chrome130',
        rollupOptions: { output: { format: 'cjs', entryFileNames: `${name}.cjs` } },
      },
    });
  }
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await buildElectron({ renderer: process.argv.includes('--renderer') });
  console.log(
    `built out/main, out/preload${process.argv.includes('--renderer') ? ', out/renderer' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
