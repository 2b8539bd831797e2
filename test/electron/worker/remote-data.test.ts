// The GPU window's file datasets: the page's remote dataset (gpu-page/remote-data.ts) reads through
// a real MessageChannel from the real data server (data-server.ts, on the stand-in for Electron's
// MessagePortMain) and gets the same samples, in the same splits, as the utility worker reads
// from disk: MNIST (a limit) and an image folder (normalised). Errors come back with their path.
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { elementCount } from '../../../engine/graph/shape';
import { findTemplate } from '../../../engine/graph/templates';
import type { Dataset } from '../../../engine/data/dataset';
import { targetBuffer } from '../../../engine/data/preprocess';
import { DataServer } from '../../../electron/worker/data-server';
import { openRemoteTrainingData, type DataPort, type RemoteDataset } from '../../../electron/worker/gpu-page/remote-data';
import { PROTOCOL_VERSION, type StartMessage } from '../../../electron/worker/protocol';
import { openTrainingData } from '../../../electron/worker/training-data';
import { FakePortMain } from '../main/fake-electron';
import { pngBytes, temporaryFolder, writeFile } from '../services/datasets/helpers';

const { folder, remove } = temporaryFolder('remote-data');
afterAll(remove);

const start = (overrides: Partial<StartMessage>): StartMessage => ({
  type: 'start',
  protocol: PROTOCOL_VERSION,
  jobId: 'job-1',
  graph: findTemplate('lenet5')?.build() ?? {},
  dataset: { kind: 'mnist' },
  baseFolder: folder,
  training: { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'sgd' }, seed: 1 },
  backend: 'webgpu',
  ...overrides,
});

const open: { server: DataServer; page: MessagePort }[] = [];
afterEach(() => {
  for (const { server, page } of open.splice(0)) {
    server.close();
    page.close();
  }
});

/** A data server on one end of a real MessageChannel (bound to `message` when given), the page's end of the other. */
const connect = (message?: StartMessage, cacheBytes?: number) => {
  const { port1, port2 } = new MessageChannel();
  const server = new DataServer(new FakePortMain(port1));
  if (message) server.bind(message);
  open.push({ server, page: port2 });
  // Node's MessagePort has the browser's `onmessage` (@types/node does not declare it).
  return { server, page: port2, open: () => openRemoteTrainingData(port2 as unknown as DataPort, cacheBytes) };
};

/** Every sample of a dataset, in the order given, as the trainer's buffers would hold them. */
const readAll = async (dataset: Dataset, order: Int32Array) => {
  const x = new Float32Array(order.length * elementCount(dataset.sampleShape));
  const y = targetBuffer(dataset.target, order.length);
  await dataset.fetchSamples?.(order, 0, order.length);
  dataset.fill(order, 0, order.length, x, y);
  return { x, y };
};

const shuffled = (size: number) => Int32Array.from({ length: size }, (_, i) => (i * 7 + 3) % size);

const expectSameAsLocal = async (message: StartMessage) => {
  const local = openTrainingData(message);
  const remote = await connect(message).open();
  expect(remote.train).toMatchObject({ name: local.train.name, size: local.train.size, sampleShape: [...local.train.sampleShape] });
  expect(remote.train.target).toEqual(local.train.target);
  expect(remote.validation?.size).toBe(local.validation?.size);
  const order = shuffled(local.train.size);
  expect(await readAll(remote.train, order)).toEqual(await readAll(local.train, order));
  const validationOrder = shuffled(local.validation!.size);
  expect(await readAll(remote.validation!, validationOrder)).toEqual(await readAll(local.validation!, validationOrder));
  return remote;
};

describe('the GPU window’s remote training data', () => {
  it('reads MNIST (with a limit) as the utility worker does: the same samples and validation split', async () => {
    const remote = await expectSameAsLocal(start({ dataset: { kind: 'mnist' }, limit: 60 }));
    expect(remote.train.size).toBe(60);
    expect(remote.validation!.size).toBe(10);
  });

  it('reads an image folder, normalised and split, as the utility worker does, with its problems', async () => {
    const root = join(folder, 'pets');
    for (let i = 0; i < 8; i++) {
      writeFile(
        join(root, 'cats', `cat-${i}.png`),
        pngBytes(12, 10, (r, c) => [(r * 20 + i * 3) % 256, c * 20, 40]),
      );
      writeFile(
        join(root, 'dogs', `dog-${i}.png`),
        pngBytes(9, 9, (r, c) => [255 - ((c * 25 + i) % 256), r * 10, 200]),
      );
    }
    writeFile(join(root, 'dogs', 'broken.png'), 'not a png');
    const remote = await expectSameAsLocal(
      start({
        dataset: { kind: 'folder', path: 'pets', size: 8, channels: 3 },
        split: { validation: 0.25, test: 0, seed: 3 },
        preprocess: { normalise: true },
      }),
    );
    expect(remote.train.sampleShape).toEqual([3, 8, 8]);
    expect(remote.problems).toEqual([expect.objectContaining({ path: join(root, 'dogs', 'broken.png') })]);
  });

  it('keeps fetched samples, but fetches an augmented sample again once it has been read', async () => {
    const message = start({ dataset: { kind: 'mnist' }, limit: 16, preprocess: { normalise: false, augment: { noise: 0.1 } } });
    const { page, open } = connect(message);
    const remote = await open();
    const requests: number[] = [];
    const post = page.postMessage.bind(page);
    page.postMessage = (request: { indices?: Int32Array }) => {
      requests.push(request.indices?.length ?? 0);
      post(request);
    };
    const order = shuffled(16);
    const first = await readAll(remote.train, order);
    await remote.train.fetchSamples(order, 0, 16);
    const second = await readAll(remote.train, order);
    expect(requests).toEqual([16, 16]);
    expect(second.y).toEqual(first.y);
    expect(second.x).not.toEqual(first.x);
    // The validation split is not augmented: read once, kept.
    const validation = remote.validation as RemoteDataset;
    await readAll(validation, shuffled(validation.size));
    await readAll(validation, shuffled(validation.size));
    expect(requests).toEqual([16, 16, validation.size]);
  });

  it('answers a dataset that cannot be opened, a sample out of range and an oversized read with errors that say what and where', async () => {
    const missing = join(folder, 'no-such-folder');
    await expect(connect(start({ dataset: { kind: 'folder', path: 'no-such-folder', size: 8, channels: 1 } })).open()).rejects.toThrow(
      missing,
    );
    await expect(connect().open()).rejects.toThrow('no job has started in this window');
    const remote = await connect(start({ dataset: { kind: 'mnist' }, limit: 10 }), 8 * 785 * 4).open();
    await expect(remote.train.fetchSamples(Int32Array.of(3, 10), 0, 2)).rejects.toThrow('sample 10 is outside MNIST train[:10] (0 to 9)');
    await expect(remote.train.fetchSamples(shuffled(10), 0, 10)).rejects.toThrow(
      /10 samples of MNIST train\[:10\] need .* MiB, more than the GPU window keeps/,
    );
    expect(() => remote.train.fill(Int32Array.of(4), 0, 1, new Float32Array(784), new Int32Array(1))).toThrow(
      'sample 4 of MNIST train[:10] was read before it was fetched from the data server',
    );
  });

  it('refuses malformed requests, and only reads the dataset of the job it was bound to', async () => {
    const { server, page } = connect(start({ dataset: { kind: 'mnist' }, limit: 4 }));
    server.bind(start({ dataset: { kind: 'folder', path: '/etc', size: 8, channels: 1 } }));
    const replies: unknown[] = [];
    page.on('message', (reply) => replies.push(reply));
    page.postMessage({ type: 'samples', requestId: 1, split: 'train', indices: [0, 1] });
    page.postMessage({ type: 'rm', requestId: 2 });
    page.postMessage({ type: 'open', requestId: 3 });
    await expect.poll(() => replies.length).toBe(3);
    expect(replies[0]).toEqual({ type: 'error', requestId: 1, reason: 'bad request on the data port: indices must be an Int32Array' });
    expect(replies[1]).toMatchObject({ type: 'error', requestId: 2, reason: expect.stringContaining('unknown type "rm"') });
    expect(replies[2]).toMatchObject({ type: 'meta', requestId: 3, train: { name: 'MNIST train[:4]', size: 4 } });
  });
});
