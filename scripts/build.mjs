// `npm run build`: bundles the command line into out/cli/cnn-studio.mjs, a plain Node program
// that needs neither TypeScript nor tsx, with its training worker, the CPU engine's helper
// thread and the start-filter preview's thread beside it (electron/worker/programs.ts finds them there). Run after `tsc` has
// type-checked the sources.
// `node scripts/build.mjs --out DIR` puts the four files in DIR instead (the bundle test does).
import { build } from 'vite';

const at = process.argv.indexOf('--out');
const outDir = at > 0 ? process.argv[at + 1] : 'out/cli';

const bundle = (entry, fileName, emptyOutDir) =>
  build({
    configFile: false,
    logLevel: 'warn',
    build: {
      ssr: entry,
      outDir,
      emptyOutDir,
      target: 'node20',
      rollupOptions: { output: { entryFileNames: fileName, format: 'es' } },
    },
  });

await bundle('electron/host/cli/entry.ts', 'cnn-studio.mjs', true);
await bundle('electron/worker/node-entry.ts', 'training-worker.mjs', false);
await bundle('electron/worker/thread-helper-node.ts', 'cpu-helper.mjs', false);
await bundle('electron/worker/start-filters-thread.ts', 'start-filters.mjs', false);
// The GPU correctness check for a lent GPU machine (bench/device), beside the CLI.
if (process.argv.includes('--device-checks')) await bundle('bench/device/parity.ts', 'parity.mjs', false);
console.log(`built ${outDir}/cnn-studio.mjs, training-worker.mjs, cpu-helper.mjs and start-filters.mjs`);
