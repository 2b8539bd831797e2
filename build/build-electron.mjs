// Bundles the desktop app's Node-side code with Vite (no electron-vite needed):
//   out/main/index.mjs    the main process (ESM; Electron >= 28 loads ESM mains)
//   out/main/worker.mjs   the training worker for utilityProcess.fork (ESM entries: electron#40047)
//   out/preload/index.cjs the preload: CommonJS, since sandboxed preloads cannot be ESM
// and, with `--renderer`, the renderer (renderer/vite.config.ts → out/renderer).
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
  if (renderer) await build({ configFile: resolve(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
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
          // electron/worker/programs.ts finds it beside the worker.
          'cpu-helper': resolve(ROOT, 'electron/worker/thread-helper-node.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
      },
    },
  });
  await build({
    ...common,
    build: {
      ssr: resolve(ROOT, 'electron/preload/index.ts'),
      outDir: resolve(outDir, 'preload'),
      emptyOutDir: true,
      target: 'chrome130',
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'index.cjs' } },
    },
  });
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  await buildElectron({ renderer: process.argv.includes('--renderer') });
  console.log(
    `built out/main, out/preload${process.argv.includes('--renderer') ? ', out/renderer' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
