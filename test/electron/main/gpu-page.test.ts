// The hidden GPU window's page (electron/worker/gpu-page), built for the browser as the desktop
// build builds it, in headless Chromium with its WebGPU (SwiftShader here): handed its worker port
// and data port the way its preload hands them, it announces itself, trains a job on
// navigator.gpu and streams its progress (on its port and on a window's stream port), trains on
// MNIST read by the real data server in Node through its data port, answers to the worker
// protocol only, and fails a job whose files cannot be read with the data server's reason.
//
// The data port's far end is a page MessageChannel bridged to Node (Playwright's exposed function
// one way, page.evaluate the other) and on to a DataServer on a Node MessageChannel.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTemplate } from '../../../engine/graph/templates';
import { DataServer } from '../../../electron/worker/data-server';
import { PROTOCOL_VERSION, type StartMessage, type WorkerMessage } from '../../../electron/worker/protocol';
import { FakePortMain } from './fake-electron';
import { CHROMIUM, ROOT, chromiumMissing } from '../../e2e/harness';

if (chromiumMissing) console.warn(chromiumMissing);

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

let server: Server;
let origin: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** In the page: hands it a port as its preload would, and keeps what comes back on `window.received`. */
type PageGlobals = {
  received: unknown[];
  streamed: unknown[];
  port: { postMessage(message: unknown, transfer?: unknown[]): void };
  dataBridge: { postMessage(message: unknown): void };
  toDataServer(request: unknown): void;
  location: { origin: string };
  postMessage(message: unknown, origin: string, transfer: unknown[]): void;
  MessageChannel: new () => {
    port1: { onmessage: ((event: { data: unknown }) => void) | null; postMessage(m: unknown): void };
    port2: unknown;
  };
  Float32Array: typeof Float32Array;
  Int32Array: typeof Int32Array;
};

/** A data request or reply with its typed arrays as plain arrays, to cross Playwright. */
type Crossing = Record<string, unknown> & { indices?: number[]; x?: number[]; y?: number[]; yIsInt?: boolean };

/** The Node end of the data port's bridge: requests from the page go to the data server serving the current job. */
let dataServer: { server: DataServer; port: MessagePort } | null = null;
const requestsSeen: number[] = [];
const serveData = (message: StartMessage) => {
  if (dataServer) {
    dataServer.server.close();
    dataServer.port.close();
  }
  const { port1, port2 } = new MessageChannel();
  const server = new DataServer(new FakePortMain(port1));
  server.bind(message);
  port2.on('message', (reply: Record<string, unknown>) => {
    const crossing: Crossing = { ...reply };
    if (reply.x instanceof Float32Array) crossing.x = [...reply.x];
    if (reply.y instanceof Int32Array || reply.y instanceof Float32Array) {
      crossing.y = [...reply.y];
      crossing.yIsInt = reply.y instanceof Int32Array;
    }
    void page.evaluate((reply: Crossing) => {
      const g = globalThis as unknown as PageGlobals;
      const { yIsInt, ...rest } = reply;
      g.dataBridge.postMessage({
        ...rest,
        ...(reply.x ? { x: new g.Float32Array(reply.x) } : {}),
        ...(reply.y ? { y: yIsInt ? new g.Int32Array(reply.y) : new g.Float32Array(reply.y) } : {}),
      });
    }, crossing);
  });
  dataServer = { server, port: port2 };
};

const connect = () =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const channel = new g.MessageChannel();
    g.received = [];
    channel.port1.onmessage = (event) => g.received.push(event.data);
    g.port = channel.port1;
    const data = new g.MessageChannel();
    data.port1.onmessage = (event) => {
      const request = event.data as { indices?: Int32Array };
      g.toDataServer({ ...request, ...(request.indices ? { indices: [...request.indices] } : {}) });
    };
    g.dataBridge = data.port1;
    g.postMessage({ source: 'cnn-studio', type: 'gpu-port' }, g.location.origin, [channel.port2, data.port2]);
  });
/** In the page: opens a job stream as main does, keeping its events on `window.streamed`. */
const openStream = () =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const channel = new g.MessageChannel();
    g.streamed = [];
    channel.port1.onmessage = (event) => g.streamed.push(event.data);
    g.port.postMessage({ type: 'stream', streamId: 7 }, [channel.port2]);
  });
const streamed = () => page.evaluate(() => (globalThis as unknown as PageGlobals).streamed as { type: string }[]);
const received = () => page.evaluate(() => (globalThis as unknown as PageGlobals).received as WorkerMessage[]);
const send = (message: unknown) => page.evaluate((message) => (globalThis as unknown as PageGlobals).port.postMessage(message), message);

const start = (overrides: Partial<StartMessage> = {}): StartMessage => ({
  type: 'start',
  protocol: PROTOCOL_VERSION,
  jobId: 'job-1',
  graph: findTemplate('autoencoder')!.build(),
  dataset: { kind: 'denoise', size: 28, channels: 1, samples: 64 },
  baseFolder: '/',
  limit: 32,
  training: { epochs: 1, batchSize: 8, learningRate: 0.001, optimizer: { kind: 'adam' }, seed: 1 },
  backend: 'webgpu',
  progressIntervalMs: 0,
  ...overrides,
});

describe.skipIf(chromiumMissing !== null)('the GPU window’s page in Chromium', () => {
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'cnn-studio-gpu-page-'));
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'build', 'gpu-page.vite.config.mjs'), logLevel: 'error', build: { outDir: out } });
    server = createServer((request, response) => {
      const path = normalize(new URL(request.url ?? '/', 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
      try {
        const body = readFileSync(join(out, path === '/' ? 'index.html' : path));
        response.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'text/html' }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--enable-unsafe-webgpu'],
      env: { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER_ICD },
    });
    page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.exposeFunction('toDataServer', (request: Crossing) => {
      requestsSeen.push(request.indices?.length ?? 0);
      dataServer?.port.postMessage({ ...request, ...(request.indices ? { indices: Int32Array.from(request.indices) } : {}) });
    });
    await page.goto(`${origin}/index.html`);
  }, 180_000);

  afterAll(async () => {
    dataServer?.server.close();
    dataServer?.port.close();
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('announces itself on the port it is handed, and trains a job on WebGPU, streaming its progress', async () => {
    await connect();
    await expect.poll(received).toEqual([{ type: 'ready', protocol: PROTOCOL_VERSION, pid: 0 }]);
    await openStream();
    await expect.poll(async () => (await received()).at(-1)).toEqual({ type: 'streaming', streamId: 7 });
    await send(start());
    await expect.poll(async () => (await received()).at(-1)?.type, { timeout: 150_000, interval: 500 }).toMatch(/^(done|failed)$/);
    const messages = await received();
    expect(messages.find((message) => message.type === 'failed')).toBeUndefined();
    expect(messages.find((message) => message.type === 'started')).toMatchObject({
      backend: 'webgpu',
      backendReason: expect.stringMatching(/SwiftShader|swiftshader/i),
    });
    const progress = messages.filter((message) => message.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    // The GPU trainer waits for its loss only every few steps (GpuTrainer's lossInterval); the
    // others report none (NaN). The last step's is always read.
    expect(Number.isFinite(progress.at(-1)!.loss)).toBe(true);
    expect(progress.at(-1)!.globalStep).toBe(4);
    const done = messages.at(-1) as Extract<WorkerMessage, { type: 'done' }>;
    expect(done.status).toBe('completed');
    expect(done.weights.length).toBeGreaterThan(0);
    expect(done.weights[0][1]).toBeInstanceOf(Float32Array);
    // The stream got the progress, the epoch and the checkpoint notice as a window sees them.
    await expect
      .poll(async () => (await streamed()).map((event) => event.type))
      .toEqual([...progress.map(() => 'progress'), 'epoch', 'checkpoint']);
    expect((await streamed()).at(-1)).toEqual({ type: 'checkpoint', epoch: 1, globalStep: 4 });
  }, 200_000);

  it('trains an MNIST subset on WebGPU, its samples read by the data server and fetched through the data port', async () => {
    const message = start({
      graph: findTemplate('lenet5')!.build(),
      dataset: { kind: 'mnist' },
      limit: 24,
      training: { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 }, seed: 2 },
    });
    serveData(message);
    requestsSeen.length = 0;
    await page.reload();
    await connect();
    await expect.poll(async () => (await received()).length).toBe(1);
    await send(message);
    await expect.poll(async () => (await received()).at(-1)?.type, { timeout: 150_000, interval: 500 }).toMatch(/^(done|failed)$/);
    const messages = await received();
    expect(messages.find((each) => each.type === 'failed')).toBeUndefined();
    expect(messages.find((each) => each.type === 'started')).toMatchObject({ backend: 'webgpu', trainSamples: 24, validationSamples: 4 });
    const done = messages.at(-1) as Extract<WorkerMessage, { type: 'done' }>;
    expect(done.status).toBe('completed');
    expect(Number.isFinite(done.epochs[0].trainLoss)).toBe(true);
    expect(done.epochs[0].validationAccuracy).toBeGreaterThanOrEqual(0);
    // open, then the three training batches (each fetched ahead, once), the validation set once;
    // the epoch statistics' probe reads training samples already held.
    expect(requestsSeen[0]).toBe(0);
    expect(requestsSeen.slice(1).reduce((sum, count) => sum + count, 0)).toBe(24 + 4);
  }, 200_000);

  it('answers a malformed message, and a dataset whose files cannot be read, with a failure saying why', async () => {
    await page.reload();
    await connect();
    await expect.poll(async () => (await received()).length).toBe(1);
    await send({ type: 'start', protocol: 99 });
    await expect.poll(async () => (await received()).at(-1)).toMatchObject({ type: 'failed', kind: 'internal' });
    await page.reload();
    await connect();
    await expect.poll(async () => (await received()).length).toBe(1);
    const missing = start({ dataset: { kind: 'folder', path: 'no-such-pictures', size: 28, channels: 1 }, baseFolder: tmpdir() });
    serveData(missing);
    await send(missing);
    await expect
      .poll(async () => (await received()).at(-1))
      .toMatchObject({ type: 'failed', kind: 'data', reason: expect.stringContaining(join(tmpdir(), 'no-such-pictures')) });
  }, 60_000);

  it('had no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
