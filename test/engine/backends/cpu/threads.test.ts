/**
 * The CPU engine on helper threads (engine/backends/cpu/parallel.ts, started with worker_threads
 * by electron/worker/thread-pool-node.ts): the same bits as on one thread, for SGEMM and for
 * training steps of the benchmark models, whatever thread runs which work item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heap, heapFloats } from '../../../../engine/backends/cpu/heap';
import { reluForwardHeap } from '../../../../engine/backends/cpu/kernels/elementwise-heap';
import { gemm } from '../../../../engine/backends/cpu/kernels/gemm';
import { CPU_LAYERS } from '../../../../engine/backends/cpu/layers';
import { defineJob, parallelFor, readyThreads, startHelpers, threadCount, useThreads } from '../../../../engine/backends/cpu/parallel';
import { ByteImageDataset, type Dataset } from '../../../../engine/data/dataset';
import { findTemplate } from '../../../../engine/graph/templates';
import { compileModel } from '../../../../engine/train/plan';
import { Trainer } from '../../../../engine/train/trainer';
import { useNodeThreads } from '../../../../electron/worker/thread-pool-node';
import { seededRandom } from './harness';

const THREADS = 3;

/** Starts the helpers and waits until they take work. */
const startPool = async (): Promise<void> => {
  useNodeThreads(THREADS);
  startHelpers();
  for (let waited = 0; readyThreads() < THREADS && waited < 30_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
};

/** MNIST-shaped random images with labels, enough for a few batches. */
const randomImages = (count: number): Dataset => {
  const random = seededRandom(4);
  const pixels = new Uint8Array(count * 784).map(() => Math.floor(random() * 256));
  const labels = new Uint8Array(count).map(() => Math.floor(random() * 10));
  return new ByteImageDataset('random', [1, 28, 28], pixels, labels, 10);
};

/** The weights after a few SGD steps of a template on the current number of threads. */
const train = (template: string, steps: number, batch: number): Map<string, Float32Array> => {
  const model = compileModel(findTemplate(template)!.build(), CPU_LAYERS);
  const trainer = new Trainer(
    model,
    { epochs: 1, batchSize: batch, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 }, seed: 3 },
    randomImages(batch * steps + 5),
  );
  trainer.initialiseWeights();
  trainer.beginEpoch();
  for (let i = 0; i < steps; i++) trainer.step();
  return model.weights;
};

const bits = (values: Float32Array) => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

describe.runIf(heap()?.shared)('helper threads', () => {
  beforeAll(startPool, 60_000);
  afterAll(() => void useThreads(1));

  it('start, take work items, and report a failure without losing the pool', () => {
    expect(threadCount()).toBe(THREADS);
    expect(readyThreads()).toBe(THREADS);
    // A job this file defines is unknown to the helpers (they load the engine, not the tests): the
    // items they take fail, which the caller reports once every item is over. (The caller may do
    // every item itself before a helper wakes, so it tries again until a helper took one.)
    const ran = new Int32Array(100);
    const slow = (item: number) => {
      const until = performance.now() + 0.05;
      while (performance.now() < until) ran[item] += 0;
      ran[item]++;
    };
    const local = defineJob('test.local', (_args, item) => slow(item));
    let failed = false;
    for (let attempt = 0; attempt < 50 && !failed; attempt++) {
      ran.fill(0);
      try {
        parallelFor(local, ran.length, new Float64Array(0));
        expect(ran.every((count) => count === 1)).toBe(true);
      } catch (error) {
        expect(String(error)).toMatch(/helper thread failed in job 'test.local'/);
        expect(ran.every((count) => count <= 1) && ran.some((count) => count === 0)).toBe(true);
        failed = true;
      }
    }
    expect(failed).toBe(true);
    // The pool goes on: an engine job runs every item once.
    const random = seededRandom(2);
    const x = heapFloats(1 << 18);
    for (let i = 0; i < x.length; i++) x[i] = random() - 0.5;
    const y = heapFloats(x.length).fill(Number.NaN);
    expect(reluForwardHeap(x, y, x.length)).toBe(true);
    expect(y.every((value, i) => value === Math.max(x[i], 0))).toBe(true);
  });

  it('give SGEMM the bits of one thread', () => {
    const random = seededRandom(8);
    const [M, N, K] = [300, 700, 500];
    const a = Float32Array.from({ length: M * K }, () => random() - 0.5);
    const b = Float32Array.from({ length: K * N }, () => random() - 0.5);
    const product = () => {
      const c = new Float32Array(M * N);
      gemm(false, true, M, N, K, 1, a, 0, K, b, 0, K, 0, c, 0, N);
      return c;
    };
    const threaded = product();
    useThreads(1);
    const single = product();
    expect(bits(threaded).equals(bits(single))).toBe(true);
    return startPool();
  }, 60_000);

  for (const [template, batch] of [
    ['lenet5', 64],
    ['mobilenet', 24],
    ['convnet', 9],
  ] as const) {
    it(`train ${template} to the bits of one thread`, async () => {
      const threaded = train(template, 3, batch);
      useThreads(1);
      const single = train(template, 3, batch);
      await startPool();
      for (const [name, values] of single) expect(bits(threaded.get(name)!).equals(bits(values)), name).toBe(true);
    }, 120_000);
  }
});
