// `npm run build`: bundles the command line into out/cli/cnn-studio.mjs, a plain Node program
// that needs neither TypeScript nor tsx. Run after `tsc` has type-checked the sources.
import { build } from 'vite';

await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: 'electron/host/cli/entry.ts',
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    rollupOptions: { output: { entryFileNames: 'cnn-studio.mjs', format: 'es' } },
  },
});
console.log('built out/cli/cnn-studio.mjs');
