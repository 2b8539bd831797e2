// Builds the hidden GPU window's page (electron/worker/gpu-page) for the browser into
// out/renderer/gpu-worker/, served at app://studio/gpu-worker/index.html. Node's modules and the
// image decoders, which the shared training code imports for files and threads, are replaced by
// node-stub.ts.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const ROOT = resolve(import.meta.dirname, '..');
const STUB = resolve(ROOT, 'electron', 'worker', 'gpu-page', 'node-stub.ts');

export default defineConfig({
  root: resolve(ROOT, 'electron', 'worker', 'gpu-page'),
  base: './',
  logLevel: 'warn',
  resolve: { alias: [{ find: /^(node:[a-z_/]+|pngjs|jpeg-js)$/, replacement: STUB }] },
  build: {
    outDir: resolve(ROOT, 'out', 'renderer', 'gpu-worker'),
    emptyOutDir: true,
    target: 'es2023',
    chunkSizeWarningLimit: 2000,
  },
});
