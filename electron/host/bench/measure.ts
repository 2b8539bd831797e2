/**
 * The engine benchmark (`npm run bench`), with the protocol of shared/bench/MODELS.md:
 * training images per second = the median of `windows` timed windows of `steps` steps each,
 * after `warmup` steps; inference images per second at batch 64; latency at batch 1; SGEMM
 * GFLOP/s. Batch 64, SGD with learning rate 0.01 and momentum 0.9, MNIST.
 *
 * The WebGPU figures (`benchModelGpu`, `benchGemmGpu`) follow the same protocol on the GPU
 * plan: a timed window ends when the device has finished its steps (steps read their loss every
 * 10 steps, as a run may); an inference or a latency iteration includes reading the predictions
 * back, since that is when a caller has them; SGEMM times the GPU kernel up to its completion.
 */
import { performance } from 'node:perf_hooks';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { gemm } from '../../../engine/backends/cpu/kernels/gemm';
import { uploadStorage, createStorage } from '../../../engine/backends/webgpu/buffers';
import type { GpuContext } from '../../../engine/backends/webgpu/device';
import { gemm as gpuGemm } from '../../../engine/backends/webgpu/kernels/gemm';
import { GpuRunner } from '../../../engine/backends/webgpu/run';
import { GpuTrainer } from '../../../engine/backends/webgpu/trainer';
import type { Dataset } from '../../../engine/data/dataset';
import { elementCount } from '../../../engine/graph/shape';
import { findTemplate } from '../../../engine/graph/templates';
import { compileModel, Plan } from '../../../engine/train/plan';
import { Random } from '../../../engine/train/random';
import { Trainer } from '../../../engine/train/trainer';

export const BENCH_MODELS = { lenet: 'lenet5', convnet: 'convnet', mobilenet: 'mobilenet' } as const;
export type BenchModel = keyof typeof BENCH_MODELS;

export interface BenchOptions {
  readonly warmup: number;
  readonly windows: number;
  readonly steps: number;
  readonly inferenceSteps: number;
  readonly latencyIterations: number;
}

export interface ModelFigures {
  readonly trainImagesPerSecond: number;
  readonly inferImagesPerSecond: number;
  readonly latencyMsBatch1: number;
}

const BATCH = 64;

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const timeSeconds = (work: () => void): number => {
  const start = performance.now();
  work();
  return (performance.now() - start) / 1000;
};

const CONFIG = { epochs: 1_000, batchSize: BATCH, learningRate: 0.01, optimizer: { kind: 'sgd', momentum: 0.9 }, seed: 42 } as const;

export const benchModel = (name: BenchModel, data: Dataset, options: BenchOptions): ModelFigures => {
  const model = compileModel(findTemplate(BENCH_MODELS[name])!.build(), CPU_LAYERS);
  const trainer = new Trainer(model, CONFIG, data);
  trainer.initialiseWeights();
  trainer.beginEpoch();
  const step = () => {
    if (!trainer.step()) {
      trainer.beginEpoch();
      trainer.step();
    }
  };
  for (let i = 0; i < options.warmup; i++) step();
  const trainRates = Array.from({ length: options.windows }, () => {
    const seconds = timeSeconds(() => {
      for (let i = 0; i < options.steps; i++) step();
    });
    return (options.steps * BATCH) / seconds;
  });

  const inferenceRate = (batch: number, iterations: number): number[] => {
    const plan = new Plan(model, batch, () => 0);
    const order = new Int32Array(batch).map((_, i) => i);
    data.fill(order, 0, batch, plan.input, new Int32Array(batch));
    plan.forward(false);
    return Array.from({ length: iterations }, () => timeSeconds(() => plan.forward(false)));
  };
  const inferTimes = Array.from({ length: options.windows }, () => median(inferenceRate(BATCH, options.inferenceSteps)));
  const latencies = inferenceRate(1, options.latencyIterations);
  return {
    trainImagesPerSecond: median(trainRates),
    inferImagesPerSecond: BATCH / median(inferTimes),
    latencyMsBatch1: median(latencies) * 1000,
  };
};

/** SGEMM GFLOP/s on square float32 matrices: the median of `runs`. */
export const benchGemm = (size: number, runs: number): number => {
  const random = new Random(size);
  const make = () => Float32Array.from({ length: size * size }, () => random.uniform() - 0.5);
  const a = make();
  const b = make();
  const c = new Float32Array(size * size);
  gemm(false, false, size, size, size, 1, a, 0, size, b, 0, size, 0, c, 0, size);
  const seconds = Array.from({ length: runs }, () =>
    timeSeconds(() => gemm(false, false, size, size, size, 1, a, 0, size, b, 0, size, 0, c, 0, size)),
  );
  return (2 * size ** 3) / median(seconds) / 1e9;
};

const timeSecondsAsync = async (work: () => Promise<void>): Promise<number> => {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
};

/** The same figures as `benchModel`, training and inferring with the GPU plan on `context`'s device. */
export const benchModelGpu = async (name: BenchModel, data: Dataset, options: BenchOptions, context: GpuContext): Promise<ModelFigures> => {
  const model = compileModel(findTemplate(BENCH_MODELS[name])!.build(), CPU_LAYERS);
  const trainer = await GpuTrainer.create(context, model, CONFIG, data, undefined, { lossInterval: 10 });
  try {
    trainer.initialiseWeights();
    trainer.beginEpoch();
    const step = async () => {
      if (!(await trainer.step())) {
        trainer.beginEpoch();
        await trainer.step();
      }
    };
    for (let i = 0; i < options.warmup; i++) await step();
    await trainer.sync();
    const trainRates: number[] = [];
    for (let window = 0; window < options.windows; window++) {
      const seconds = await timeSecondsAsync(async () => {
        for (let i = 0; i < options.steps; i++) await step();
        await trainer.sync();
      });
      trainRates.push((options.steps * BATCH) / seconds);
    }

    const inferenceTimes = async (batch: number, iterations: number): Promise<number[]> => {
      const plan = trainer.plan(batch);
      const order = new Int32Array(batch).map((_, i) => i);
      const input = new Float32Array(batch * elementCount(model.input.outputShape));
      data.fill(order, 0, batch, input, new Int32Array(batch));
      trainer.runner.write(plan.input, input);
      const outputs = batch * elementCount(model.head.outputShape);
      const infer = async () => {
        plan.forward(false);
        await trainer.runner.readFloats(plan.output, outputs);
      };
      await infer();
      const times: number[] = [];
      for (let i = 0; i < iterations; i++) times.push(await timeSecondsAsync(infer));
      return times;
    };
    const inferTimes: number[] = [];
    for (let window = 0; window < options.windows; window++) inferTimes.push(median(await inferenceTimes(BATCH, options.inferenceSteps)));
    const latencies = await inferenceTimes(1, options.latencyIterations);
    return {
      trainImagesPerSecond: median(trainRates),
      inferImagesPerSecond: BATCH / median(inferTimes),
      latencyMsBatch1: median(latencies) * 1000,
    };
  } finally {
    trainer.destroy();
  }
};

/** SGEMM GFLOP/s of the GPU kernel on square float32 matrices, up to the kernel's completion: the median of `runs`. */
export const benchGemmGpu = async (size: number, runs: number, context: GpuContext): Promise<number> => {
  const runner = new GpuRunner(context.device, undefined, { software: context.adapter.software });
  const random = new Random(size);
  const make = () =>
    uploadStorage(
      context.device,
      Float32Array.from({ length: size * size }, () => random.uniform() - 0.5),
      'gemm operand',
    );
  const [a, b] = [make(), make()];
  const c = createStorage(context.device, size * size, 'gemm result');
  try {
    const run = async () => {
      gpuGemm(runner, false, false, size, size, size, 1, a, 0, size, b, 0, size, 0, c, 0, size);
      await runner.flush();
    };
    await run();
    const seconds: number[] = [];
    for (let i = 0; i < runs; i++) seconds.push(await timeSecondsAsync(run));
    return (2 * size ** 3) / median(seconds) / 1e9;
  } finally {
    for (const buffer of [a, b, c]) buffer.destroy();
    runner.destroy();
  }
};
