/**
 * Helper threads for the CPU engine under Node: worker_threads behind the engine's
 * `ThreadSpawner` (engine/backends/cpu/parallel.ts). Each helper loads the engine's CPU backend
 * (thread-helper-node.ts) and serves work items over the shared WebAssembly heap until the
 * process ends; helpers are unref'd, so they never keep it alive.
 *
 * From the sources a helper first loads tsx (programs.ts), as the training worker's fork does; in
 * a bundle it runs the bundled helper. Where a helper cannot start, it never reports ready and the
 * engine keeps running on the calling thread.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { useThreads, type HelperStart, type ThreadSpawner } from '../../engine/backends/cpu/parallel';
import { cpuHelperProgram } from './programs';

/** Starts helpers with worker_threads; `onError` hears of a helper that failed to start or died. */
export const nodeThreadSpawner = (onError: (error: Error) => void = () => {}): ThreadSpawner => {
  const program = cpuHelperProgram();
  const helper = JSON.stringify(pathToFileURL(program.path).href);
  // A thread registers tsx through its API (the process-wide `--import` does not reach threads).
  const load = program.loader
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${helper}); })`
    : `import(${helper})`;
  return {
    spawn: (start: HelperStart) => {
      const worker = new Worker(load, { eval: true, workerData: start, name: `cnn-studio cpu helper ${start.index}` });
      worker.on('error', onError);
      worker.unref();
      return { terminate: () => void worker.terminate() };
    },
  };
};

/** The cores this process may use. */
export const coreCount = (): number => availableParallelism();

/** Runs the CPU engine on `threads` threads (default: every core); returns how many it will use. Helpers start with the first work for them. */
export const useNodeThreads = (threads = coreCount(), onError?: (error: Error) => void): number =>
  useThreads(threads, nodeThreadSpawner(onError));
