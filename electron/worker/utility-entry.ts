/**
 * The training worker's entry inside an Electron utility process (forked by UtilityWorkerHost in
 * electron/main): the same TrainingJob and protocol as node-entry.ts, over `process.parentPort`
 * instead of a child_process IPC channel. Messages are validated on arrival; a malformed one is
 * reported and ignored. The host ends the process once `done` or `failed` has arrived.
 *
 * GPU: Dawn's Node addon is refused inside Electron (its external ArrayBuffers break the V8 memory
 * cage: dawn-gpu/node-webgpu#5) and a utility process has no `navigator.gpu`, so jobs here train on
 * the CPU; WebGPU jobs run in the hidden GPU window instead (electron/main/worker-router.ts).
 */
import { GpuUnavailableError } from '../../engine/backends/webgpu/device';
import type { GpuBackendChoice } from './gpu-node';
import { JobStreams, isOpenStreamMessage } from './job-stream';
import { PROTOCOL_VERSION, ProtocolError, validateHostMessage, type WorkerMessage } from './protocol';
import { useNodeThreads } from './thread-pool-node';
import { TrainingJob } from './training-job';

/** Electron's MessagePortMain, the parts used here. */
export interface StreamPortLike {
  postMessage(message: unknown): void;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** Electron's ParentPort, the parts used here (the worker folder never imports electron). */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports?: readonly StreamPortLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

/** The backend choice inside a utility process: the CPU, with the reason. */
export const utilityProcessGpu = async (requested: 'webgpu' | 'auto'): Promise<GpuBackendChoice> => {
  if (requested === 'auto')
    return {
      backend: 'cpu',
      reason: 'the desktop app trains on the CPU unless the WebGPU backend is asked for (WebGPU jobs train in its GPU window)',
      context: null,
    };
  throw new GpuUnavailableError(
    'a utility process has no WebGPU: the desktop app trains WebGPU jobs in its GPU window, not here; choose the CPU backend to train here',
  );
};

/**
 * Serves one training job over `port`; announces itself with `ready`. Windows' streams (job-stream.ts)
 * get the job's progress, epochs and checkpoint notices straight from here.
 */
export const runUtilityWorker = (port: ParentPortLike, pid: number = process.pid): TrainingJob => {
  const streams = new JobStreams((answer) => port.postMessage(answer));
  const post = (message: WorkerMessage): void => {
    port.postMessage(message);
    streams.post(message);
  };
  const job = new TrainingJob(post, { openGpu: utilityProcessGpu });
  port.on('message', (event) => {
    if (isOpenStreamMessage(event.data)) {
      streams.open(event.data, event.ports ?? [], (stream, drop) => {
        (stream as StreamPortLike).on('close', drop);
        (stream as StreamPortLike).start();
      });
      return;
    }
    try {
      job.handle(validateHostMessage(event.data));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      post({ type: 'failed', kind: 'internal', reason: error.message });
    }
  });
  post({ type: 'ready', protocol: PROTOCOL_VERSION, pid });
  return job;
};

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (parentPort) {
  // The CPU engine trains on every core (helper threads: thread-pool-node.ts, bundled as cpu-helper.mjs).
  useNodeThreads();
  runUtilityWorker(parentPort);
} else {
  console.error('the training worker must be started by CNN Studio in an Electron utility process (utilityProcess.fork)');
  process.exitCode = 2;
}
