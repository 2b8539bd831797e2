/**
 * One window's `previewStartFilters` in flight, each in a thread of its own
 * (electron/worker/start-filters-thread.ts), so the host's thread keeps answering while MNIST is
 * opened and k-means runs. A newer preview of the same layer, `cancel` or the window closing
 * terminates the thread: its promise rejects with a CancelledError and no answer comes.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StartFiltersPreview, StartFiltersProgress } from '../../api';
import { startFiltersProgram } from '../../worker/programs';
import type { StartFiltersTask, StartFiltersThreadMessage } from '../../worker/start-filters-thread';
import { CancelledError, DatasetError, TrainingError } from './errors';

interface Running {
  readonly worker: Worker;
  /** Ends the promise with `error` (once); resolves when the thread is gone. */
  readonly stop: (error: Error) => Promise<void>;
}

/** The thread's code: the bundled program, or the TypeScript source through tsx. */
const threadSource = (): string => {
  const program = startFiltersProgram();
  const entry = JSON.stringify(pathToFileURL(program.path).href);
  // a thread registers tsx through its API (the process-wide `--import` does not reach threads)
  return program.loader
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${entry}); })`
    : `import(${entry})`;
};

/** The host's error for what the thread reported: the titles the page knows, else a plain Error (an internal one). */
const errorFrom = (name: string, message: string): Error => {
  if (name === 'DatasetError') return new DatasetError(message);
  if (name === 'TrainingError') return new TrainingError(message);
  return new Error(`${name}: ${message}`);
};

export class StartFilterPreviews {
  private readonly running = new Map<string, Running>();

  run(task: StartFiltersTask, onProgress: (progress: StartFiltersProgress) => void): Promise<StartFiltersPreview> {
    void this.cancel(task.nodeId, `a newer preview of '${task.nodeId}' replaced this one`);
    return new Promise<StartFiltersPreview>((resolve, reject) => {
      const worker = new Worker(threadSource(), { eval: true, workerData: task, name: `cnn-studio start filters ${task.nodeId}` });
      let over = false;
      const gone = new Promise<void>((ended) => worker.once('exit', () => ended()));
      const end = () => {
        over = true;
        if (this.running.get(task.nodeId)?.worker === worker) this.running.delete(task.nodeId);
      };
      const stop = async (error: Error) => {
        if (!over) {
          end();
          reject(error);
          await worker.terminate();
        }
        await gone;
      };
      this.running.set(task.nodeId, { worker, stop });
      worker.on('message', (message: StartFiltersThreadMessage) => {
        if (over) return;
        if (message.type === 'progress') onProgress(message.progress);
        else if (message.type === 'done') {
          end();
          resolve(message.preview);
        } else void stop(errorFrom(message.name, message.message));
      });
      worker.on('error', (error) => void stop(error));
      worker.on('exit', (code) => void stop(new Error(`the start filters thread ended (exit code ${code}) before it answered`)));
    });
  }

  /** Stops the preview of `nodeId`, if one is going; resolves once its thread is gone. */
  async cancel(nodeId: string, why = `the preview of '${nodeId}' was cancelled`): Promise<void> {
    await this.running.get(nodeId)?.stop(new CancelledError(why));
  }

  /** Stops them all (the window closed). */
  cancelAll(): void {
    for (const nodeId of [...this.running.keys()]) void this.cancel(nodeId);
  }
}
