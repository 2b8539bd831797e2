// Builds the renderer (React) into out/renderer; `cnn-studio serve` runs this build when the
// output is missing or stale, and `npm run build` runs it too. (This file runs in Node, but
// imports nothing from it: the renderer folder's lint rules forbid Node modules.)
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    // Relative to root.
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'es2023',
    chunkSizeWarningLimit: 1500,
  },
});
