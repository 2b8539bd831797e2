/**
 * The worker's programs and how to start them. From the sources they are TypeScript files run
 * through tsx's loader. In a bundle (`npm run build` → out/cli/, the desktop build → out/main/)
 * each is a plain .mjs file beside the bundle, built from the same source, and needs no loader:
 * `import.meta.url` is then the bundle's own address, so the sibling is found there.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerProgram {
  /** The file to run. */
  readonly path: string;
  /** The ESM loader to `--import` first (tsx, for TypeScript sources), or null for a bundled program. */
  readonly loader: string | null;
}

/** The file names that the builds give the programs (scripts/build.mjs, build/build-electron.mjs). */
export const BUNDLED_PROGRAMS = {
  trainingWorker: 'training-worker.mjs',
  cpuHelper: 'cpu-helper.mjs',
  startFilters: 'start-filters.mjs',
} as const;

const locate = (bundledName: string, source: URL): WorkerProgram => {
  // Beside the bundle, or one folder up when this module landed in a shared chunk (out/main/chunks/).
  for (const where of [`./${bundledName}`, `../${bundledName}`]) {
    const bundled = fileURLToPath(new URL(where, import.meta.url));
    if (existsSync(bundled)) return { path: bundled, loader: null };
  }
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { path: fileURLToPath(source), loader: tsx };
};

/** The training worker for `child_process.fork` (node-entry.ts). */
export const trainingWorkerProgram = (): WorkerProgram =>
  locate(BUNDLED_PROGRAMS.trainingWorker, new URL('./node-entry.ts', import.meta.url));

/** The CPU engine's helper thread for `worker_threads` (thread-helper-node.ts). */
export const cpuHelperProgram = (): WorkerProgram =>
  locate(BUNDLED_PROGRAMS.cpuHelper, new URL('./thread-helper-node.ts', import.meta.url));

/** The thread that previews a layer's start filters for `worker_threads` (start-filters-thread.ts). */
export const startFiltersProgram = (): WorkerProgram =>
  locate(BUNDLED_PROGRAMS.startFilters, new URL('./start-filters-thread.ts', import.meta.url));
