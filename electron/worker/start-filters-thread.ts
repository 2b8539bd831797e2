/**
 * The thread a `previewStartFilters` runs in (worker_threads, started by
 * electron/host/server/start-filter-previews.ts), so that the host's own thread stays free to
 * answer other calls. It computes once from its `workerData` and posts progress, then the
 * preview or the error, and ends; the host stops it early by terminating it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StartFiltersPreview, StartFiltersProgress, TrainingOverrides } from '../api';
import type { ProjectDocument } from '../../engine/project/schema';
import { computeStartFilters } from '../host/server/start-filters';

/** What the thread is given. */
export interface StartFiltersTask {
  readonly project: ProjectDocument;
  readonly overrides: TrainingOverrides;
  readonly nodeId: string;
  readonly baseFolder: string;
}

/** What the thread posts: progress (any number), then one `done` or `failed`. */
export type StartFiltersThreadMessage =
  | { readonly type: 'progress'; readonly progress: StartFiltersProgress }
  | { readonly type: 'done'; readonly preview: StartFiltersPreview }
  | { readonly type: 'failed'; readonly name: string; readonly message: string };

const port = parentPort;
if (!port) throw new Error('the start filters thread must be started by the CNN Studio host (worker_threads)');
const post = (message: StartFiltersThreadMessage) => port.postMessage(message);
const task = workerData as StartFiltersTask;
try {
  const preview = computeStartFilters(task.project, task.overrides, task.nodeId, task.baseFolder, (progress) =>
    post({ type: 'progress', progress }),
  );
  post({ type: 'done', preview });
} catch (error) {
  post({
    type: 'failed',
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
  });
}
