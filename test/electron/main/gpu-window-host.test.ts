// The hidden-window worker host (for WebGPU jobs) under plain Node with the stand-in for electron:
// the window it opens, the MessagePort it hands the page once loaded, the worker protocol over
// that port (validated), and how the window's end is told. The test plays the worker page on the
// other end of the port (gpu-page.test.ts runs the real page in Chromium).
import { describe, expect, it, vi } from 'vitest';
import { findTemplate } from '../../../engine/graph/templates';
import { GPU_PORT_CHANNEL, GpuWindowHost } from '../../../electron/main/gpu-window-host';
import type { GpuWindowWorker } from '../../../electron/main/gpu-window-worker';
import { loadMnist } from '../../../electron/services/datasets/mnist';
import { JobManager, type JobEvent } from '../../../electron/services/jobs/job-manager';
import type { WorkerExit } from '../../../electron/services/jobs/worker-host';
import { PROTOCOL_VERSION, type HostMessage, type WorkerMessage } from '../../../electron/worker/protocol';
import { FakeBrowserWindow, MessageChannelMain, utilityProcess, type FakePortMain } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const PAGE = 'app://studio/gpu-worker.html';
const logged: string[] = [];
const host = new GpuWindowHost({
  preload: '/app/out/preload/gpu.cjs',
  pageUrl: PAGE,
  dataServer: '/app/out/main/data-server.mjs',
  log: (line) => logged.push(line),
});

/** Spawns a worker and plays its page: returns the page's end of the port once the page has "loaded". */
const spawnWithPage = () => {
  const worker = host.spawn() as GpuWindowWorker;
  const window = FakeBrowserWindow.all.at(-1)!;
  expect(window.webContents.posted).toEqual([]);
  window.webContents.emit('did-finish-load');
  const posted = window.webContents.posted.find((entry) => entry.channel === GPU_PORT_CHANNEL)!;
  expect(posted.ports).toHaveLength(2);
  const [page, data] = posted.ports;
  const received: unknown[] = [];
  page.on('message', ({ data }: { data: unknown }) => received.push(data));
  return { worker, window, page, data, received };
};

const startMessage = (kind: 'mnist' | 'denoise'): HostMessage => ({
  type: 'start',
  protocol: PROTOCOL_VERSION,
  jobId: 'job-9',
  graph: findTemplate(kind === 'mnist' ? 'lenet5' : 'autoencoder')!.build(),
  dataset: kind === 'mnist' ? { kind: 'mnist' } : { kind: 'denoise' },
  baseFolder: '/',
  training: { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'sgd' }, seed: 1 },
  backend: 'webgpu',
});

const exitOf = (worker: GpuWindowWorker) => new Promise<WorkerExit>((resolve) => worker.onExit(resolve));
const post = (page: FakePortMain, message: unknown) => page.postMessage(message);

describe('the hidden-window worker host', () => {
  it('opens a hidden, sandboxed, context-isolated window on the worker page, not throttled in the background', () => {
    const { window, worker } = spawnWithPage();
    expect(window.options).toMatchObject({ show: false });
    expect(window.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/gpu.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      backgroundThrottling: false,
      devTools: false,
    });
    expect(window.url).toBe(PAGE);
    expect(worker.pid).toBe(5000 + window.webContents.id);
    worker.kill();
  });

  it('speaks the worker protocol over the port, validating what the page sends', async () => {
    const { worker, window, page, received } = spawnWithPage();
    const messages: WorkerMessage[] = [];
    const errors: string[] = [];
    worker.onMessage((message) => messages.push(message));
    worker.onProtocolError((error) => errors.push(error.message));
    post(page, { type: 'ready', protocol: PROTOCOL_VERSION, pid: 1 });
    post(page, { type: 'progress', loss: 'low' });
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(messages.map((message) => message.type)).toEqual(['ready']);
    worker.send({ type: 'pause' } satisfies HostMessage);
    await vi.waitFor(() => expect(received).toEqual([{ type: 'pause' }]));
    const exit = exitOf(worker);
    post(page, { type: 'done', status: 'completed', epochs: [], weights: [] });
    expect(await exit).toMatchObject({ reason: 'normal' });
    expect(window.destroyed).toBe(true);
  });

  it('hands the page a window’s stream port once it is ready, and tells when the page serves it', async () => {
    const { worker, page } = spawnWithPage();
    const streams: { data: unknown; ports: FakePortMain[] }[] = [];
    page.on('message', (event: { data: unknown; ports: FakePortMain[] }) => {
      if ((event.data as { type?: string }).type === 'stream') streams.push(event);
    });
    const channel = new MessageChannelMain();
    let serving = false;
    expect(worker.openStream(channel.port1, () => (serving = true))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(streams).toEqual([]);
    post(page, { type: 'ready', protocol: PROTOCOL_VERSION, pid: 1 });
    await vi.waitFor(() => expect(streams).toHaveLength(1));
    expect(streams[0].data).toEqual({ type: 'stream', streamId: 0 });
    expect(streams[0].ports).toHaveLength(1);
    // The page streams on it, straight to the window's end; and says so to main.
    const atWindow: unknown[] = [];
    channel.port2.on('message', ({ data }: { data: unknown }) => atWindow.push(data));
    streams[0].ports[0].postMessage({ type: 'epoch', summary: { epoch: 1 } });
    post(page, { type: 'streaming', streamId: 0 });
    await vi.waitFor(() => expect(serving).toBe(true));
    await vi.waitFor(() => expect(atWindow).toEqual([{ type: 'epoch', summary: { epoch: 1 } }]));
    worker.kill();
  });

  it('tells a crashed, an out-of-memory and a killed window apart', async () => {
    for (const [reason, expected] of [
      ['crashed', 'crashed'],
      ['oom', 'oom'],
      ['killed', 'killed'],
    ] as const) {
      const { worker, window } = spawnWithPage();
      const exit = exitOf(worker);
      window.webContents.emit('console-message', { level: 'error', message: `page error before ${reason}` });
      window.webContents.emit('render-process-gone', {}, { reason, exitCode: 9 });
      expect(await exit).toMatchObject({ reason: expected, code: 9, detail: `page error before ${reason}` });
    }
    const { worker } = spawnWithPage();
    const exit = exitOf(worker);
    worker.kill();
    expect(await exit).toMatchObject({ reason: 'killed' });
  });

  it('reports a page that cannot load as a worker that failed to launch', async () => {
    FakeBrowserWindow.nextLoadFailure = 'ERR_FILE_NOT_FOUND';
    const worker = host.spawn() as GpuWindowWorker;
    expect(await exitOf(worker)).toMatchObject({ reason: 'launch-failed', detail: expect.stringContaining('ERR_FILE_NOT_FOUND') });
    expect(logged.at(-1)).toContain(`could not load ${PAGE}`);
  });

  it('runs a job for the job manager like any other worker host', async () => {
    const manager = new JobManager(host, { maxConcurrent: 1 });
    const job = manager.submit({
      graph: findTemplate('lenet5')!.build(),
      dataset: { kind: 'mnist' },
      baseFolder: '/',
      training: { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'sgd' }, seed: 1 },
      backend: 'webgpu',
    });
    const events: JobEvent[] = [];
    job.subscribe((event) => events.push(event));
    const window = FakeBrowserWindow.all.at(-1)!;
    window.webContents.emit('did-finish-load');
    const [page, dataPort] = window.webContents.posted.find((entry) => entry.channel === GPU_PORT_CHANNEL)!.ports;
    const dataReplies: unknown[] = [];
    dataPort.on('message', ({ data }: { data: unknown }) => dataReplies.push(data));
    page.on('message', async ({ data }: { data: HostMessage }) => {
      if (data.type !== 'start') return;
      expect(data).toMatchObject({ jobId: job.id, backend: 'webgpu', protocol: PROTOCOL_VERSION });
      // The start message bound the window's data server to the job's dataset: the page reads MNIST through it.
      dataPort.postMessage({ type: 'open', requestId: 1 });
      dataPort.postMessage({ type: 'samples', requestId: 2, split: 'train', indices: Int32Array.of(0, 59_999) });
      await vi.waitFor(() => expect(dataReplies).toHaveLength(2), { timeout: 30_000 });
      const started = { type: 'started', backend: 'cpu', backendReason: 'played by the test', trainSamples: 8 };
      post(page, { ...started, validationSamples: 0, stepsPerEpoch: 1, epochs: 1 });
      post(page, { type: 'done', status: 'completed', epochs: [], weights: [['fc.weight', new Float32Array([1, 2])]] });
    });
    post(page, { type: 'ready', protocol: PROTOCOL_VERSION, pid: 1 });
    await job.whenEnded();
    expect(job.state).toBe('completed');
    expect(job.finalWeights).toEqual([['fc.weight', new Float32Array([1, 2])]]);
    expect(events.map((event) => event.type)).toContain('started');
    expect(dataReplies[0]).toMatchObject({
      type: 'meta',
      requestId: 1,
      train: { name: 'MNIST train', size: 60_000, sampleShape: [1, 28, 28] },
    });
    const samples = dataReplies[1] as { x: Float32Array; y: Int32Array };
    expect(samples.x).toHaveLength(2 * 784);
    const mnist = loadMnist('train');
    expect([...samples.y]).toEqual([mnist.classOf(0), mnist.classOf(59_999)]);
  });

  it('starts no data server before the job starts, nor for a dataset the page makes itself', () => {
    const forks = utilityProcess.forks.length;
    const { worker } = spawnWithPage();
    worker.send(startMessage('denoise'));
    expect(utilityProcess.forks.length).toBe(forks);
    worker.kill();
  });

  it('fails the job, saying why, when its data server stops', async () => {
    const { worker } = spawnWithPage();
    const messages: WorkerMessage[] = [];
    worker.onMessage((message) => messages.push(message));
    worker.send(startMessage('mnist'));
    const server = utilityProcess.children.at(-1)!;
    expect(utilityProcess.forks.at(-1)).toMatchObject({
      modulePath: '/app/out/main/data-server.mjs',
      options: { serviceName: expect.stringMatching(/^CNN Studio data server \d+$/) },
    });
    const exit = exitOf(worker);
    server.kill();
    await vi.waitFor(() =>
      expect(messages.at(-1)).toMatchObject({
        type: 'failed',
        kind: 'data',
        reason: expect.stringContaining('the data server reading this dataset stopped'),
      }),
    );
    expect(await exit).toMatchObject({ reason: 'normal' });
  });
});
