/**
 * Helpers of the visual-request tests (visual-worker.test.ts, visual-analysis-worker.test.ts):
 * a LeNet-5 job request, a host whose forked workers pause before they start (so they hold the
 * weights they were given), waiting for a job's event, and asking a running worker a `visual`
 * request.
 */
import type { Job, JobEvent, JobRequest } from '../../../electron/services/jobs/job-manager';
import { ForkWorkerHost, type WorkerHandle, type WorkerHost } from '../../../electron/services/jobs/worker-host';
import type { VisualReplyMessage, VisualRequestMessage } from '../../../electron/worker/visual-protocol';
import { findTemplate } from '../../../engine/graph/templates';

export const lenetRequest = (epochs: number, limit: number): JobRequest => ({
  graph: findTemplate('lenet5')!.build(),
  dataset: { kind: 'mnist' },
  baseFolder: process.cwd(),
  limit,
  training: { epochs, batchSize: 32, learningRate: 0.003, optimizer: { kind: 'adam' }, seed: 5 },
  backend: 'cpu',
  progressIntervalMs: 20,
});

/** Forked workers that are told to pause before they start: they hold their starting weights. */
export class PausedHost implements WorkerHost {
  private readonly inner = new ForkWorkerHost();
  spawn(options?: { maxMemoryMb?: number }): WorkerHandle {
    const worker = this.inner.spawn(options);
    // Registered before the job manager's listener, so 'pause' goes out before 'start'.
    worker.onMessage((message) => message.type === 'ready' && worker.send({ type: 'pause' }));
    return worker;
  }
}

/** The job's next event that matches. */
export const nextEvent = (job: Job, match: (event: JobEvent) => boolean): Promise<JobEvent> =>
  new Promise((resolve) => {
    const stop = job.subscribe((event) => {
      if (match(event)) {
        stop();
        resolve(event);
      }
    });
  });

let requestId = 1;
/** Sends a `visual` request to the job's worker and waits for its reply. */
export const askVisual = async (job: Job, message: Omit<VisualRequestMessage, 'type' | 'requestId'>): Promise<VisualReplyMessage> => {
  const id = requestId++;
  const reply = nextEvent(job, (event) => event.type === 'visual' && event.requestId === id);
  job.worker!.send({ type: 'visual', requestId: id, ...message });
  return (await reply) as VisualReplyMessage;
};
