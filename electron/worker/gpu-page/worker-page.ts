/**
 * The page of the hidden GPU window (electron/main/gpu-window-host.ts): the same TrainingJob as the
 * utility worker, on Chromium's `navigator.gpu`, speaking the worker protocol over the MessagePort
 * its preload hands it (posted to the page as `{ source: 'cnn-studio', type: 'gpu-port' }` with the
 * worker port and the data port). Every message is validated on arrival. A sandboxed page has no
 * disk: it makes the datasets made in memory (shapes, denoise) itself and reads the others from
 * the data server process over the data port (remote-data.ts). Bundled for the
 * browser by build/gpu-page.vite.config.mjs, which stands in for Node's modules (node-stub.ts):
 * the code paths that would need them are not taken here.
 */
import { acquireDevice, adapterName, chooseBackend, requestAdapter, summariseAdapter } from '../../../engine/backends/webgpu/device';
import { GpuUnavailableError } from '../../../engine/backends/webgpu/device';
import type { GpuBackendChoice } from '../gpu-node';
import { JobStreams, isOpenStreamMessage } from '../job-stream';
import { PROTOCOL_VERSION, ProtocolError, validateHostMessage, type StartMessage, type WorkerMessage } from '../protocol';
import { openTrainingData } from '../training-data';
import { TrainingJob } from '../training-job';
import { GPU_WINDOW_DATASETS } from './datasets';
import { openRemoteTrainingData, type DataPort } from './remote-data';

/** The browser's MessagePort and window, the parts used (the project's TypeScript has no DOM library). */
interface PagePort {
  onmessage: ((event: { data: unknown; ports: readonly PagePort[] }) => void) | null;
  postMessage(message: unknown, transfer?: unknown[]): void;
  close(): void;
}

interface PageWindow {
  addEventListener(
    type: 'message',
    // The ports are the browser's MessagePorts: the worker port and the data port.
    listener: (event: { source: unknown; origin: string; data: unknown; ports: readonly [PagePort, DataPort] }) => void,
  ): void;
  location: { origin: string };
  navigator: { gpu?: GPU };
}

/** A job's data: made in the page when the dataset is made in memory, else read from files by the data server over the data port. */
export const pageTrainingData =
  (dataPort: DataPort) =>
  (message: StartMessage): ReturnType<typeof openTrainingData> | ReturnType<typeof openRemoteTrainingData> =>
    GPU_WINDOW_DATASETS.includes(message.dataset.kind) ? openTrainingData(message) : openRemoteTrainingData(dataPort);

/** The backend for a job, from the page's WebGPU: as gpu-node.ts chooses, on `navigator.gpu`. */
export const pageGpu =
  (gpu: GPU | undefined) =>
  async (requested: 'webgpu' | 'auto'): Promise<GpuBackendChoice> => {
    if (requested === 'auto') {
      const { adapter, reason } = await requestAdapter(gpu);
      const choice = chooseBackend(adapter ? summariseAdapter(adapter) : null, reason);
      if (choice.backend === 'cpu') return { ...choice, context: null };
      return { ...choice, context: await acquireDevice(gpu) };
    }
    if (!gpu) throw new GpuUnavailableError('the WebGPU backend was asked for, but this window has no WebGPU');
    const context = await acquireDevice(gpu);
    return { backend: 'webgpu', reason: `the WebGPU backend was asked for: training on ${adapterName(context.adapter)}`, context };
  };

/**
 * Serves one training job over `port`, reading file datasets over `dataPort`; announces itself
 * with `ready`. Windows' streams (electron/worker/job-stream.ts) get the job's progress, epochs
 * and checkpoint notices straight from here, as from a utility worker.
 */
export const serveJob = (port: PagePort, dataPort: DataPort, gpu: GPU | undefined): TrainingJob => {
  const streams = new JobStreams((answer) => port.postMessage(answer));
  const post = (message: WorkerMessage): void => {
    port.postMessage(message);
    streams.post(message);
  };
  const job = new TrainingJob(post, { openGpu: pageGpu(gpu), openData: pageTrainingData(dataPort) });
  port.onmessage = (event) => {
    if (isOpenStreamMessage(event.data)) return streams.open(event.data, event.ports);
    try {
      job.handle(validateHostMessage(event.data));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      post({ type: 'failed', kind: 'internal', reason: error.message });
    }
  };
  post({ type: 'ready', protocol: PROTOCOL_VERSION, pid: 0 });
  return job;
};

const page = globalThis as unknown as PageWindow;

// TrainingJob yields between its slices with setImmediate, which a page lacks; a MessageChannel
// message is the page's own next macrotask (setTimeout(0) would be held to 4 ms after a few).
const timers = globalThis as unknown as {
  setImmediate?: (callback: () => void) => unknown;
  MessageChannel: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(message: null): void } };
};
if (!timers.setImmediate) {
  const channel = new timers.MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  timers.setImmediate = (callback) => {
    waiting.push(callback);
    channel.port2.postMessage(null);
  };
}
let serving = false;
page.addEventListener('message', (event) => {
  const data = event.data as { source?: unknown; type?: unknown } | null;
  if (serving || event.source !== page || event.origin !== page.location.origin) return;
  if (data?.source !== 'cnn-studio' || data.type !== 'gpu-port' || event.ports.length !== 2) return;
  serving = true;
  serveJob(event.ports[0], event.ports[1], page.navigator.gpu);
});
