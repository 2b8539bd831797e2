/**
 * The training worker's backends (electron/worker/training-job.ts), in process: `auto` picks
 * the CPU over a software adapter and says why; `webgpu` trains on whatever adapter answers,
 * SwiftShader included, and matches a CPU job; a device lost mid-run fails the job with a clear
 * message after its last checkpoint, from which the run continues on the CPU; `webgpu` without
 * any WebGPU fails saying so. And the measurements behind `cnn-studio bench --backend webgpu`
 * give the CPU bench's figures (on a reduced protocol here: SwiftShader is slow).
 */
import { describe, expect, it } from 'vitest';
import { acquireDevice, DeviceLostError, type GpuContext } from '../../../../engine/backends/webgpu/device';
import { findTemplate } from '../../../../engine/graph/templates';
import { runBench } from '../../../../electron/host/bench/command';
import { benchGemmGpu, benchModelGpu } from '../../../../electron/host/bench/measure';
import { loadMnist } from '../../../../electron/services/datasets/mnist';
import { loadNodeGpu, openGpuBackend } from '../../../../electron/worker/gpu-node';
import { PROTOCOL_VERSION, type CheckpointMessage, type StartMessage, type WorkerMessage } from '../../../../electron/worker/protocol';
import { TrainingJob, type TrainingJobOptions } from '../../../../electron/worker/training-job';
import { expectClose, gpu, warnIfSkipped } from './harness';

warnIfSkipped('worker.test.ts');

const start = (backend: StartMessage['backend'], overrides: Partial<StartMessage> = {}): StartMessage => ({
  type: 'start',
  protocol: PROTOCOL_VERSION,
  jobId: `job-${backend}`,
  graph: findTemplate('lenet5')!.build(),
  dataset: { kind: 'mnist' },
  baseFolder: process.cwd(),
  limit: 64,
  training: { epochs: 2, batchSize: 16, learningRate: 2e-3, optimizer: { kind: 'adam' }, seed: 9 },
  backend,
  progressIntervalMs: 0,
  ...overrides,
});

/** Runs a job to its end; resolves with every message it posted. `onMessage` may act on them (and the job) as they come. */
const runJob = (message: StartMessage, options: TrainingJobOptions = {}, onMessage?: (message: WorkerMessage, job: TrainingJob) => void) =>
  new Promise<WorkerMessage[]>((resolve) => {
    const messages: WorkerMessage[] = [];
    const job: TrainingJob = new TrainingJob((posted) => {
      messages.push(posted);
      onMessage?.(posted, job);
      if (posted.type === 'done' || posted.type === 'failed') resolve(messages);
    }, options);
    job.handle(message);
  });

const find = <T extends WorkerMessage['type']>(messages: WorkerMessage[], type: T) =>
  messages.find((message) => message.type === type) as Extract<WorkerMessage, { type: T }> | undefined;
const all = <T extends WorkerMessage['type']>(messages: WorkerMessage[], type: T) =>
  messages.filter((message) => message.type === type) as Extract<WorkerMessage, { type: T }>[];

describe.skipIf(!gpu)('the worker honours the backend', () => {
  it('auto trains on the CPU over a software adapter, saying why (on a hardware GPU, on it)', { timeout: 60_000 }, async () => {
    const messages = await runJob(start('auto', { training: { ...start('auto').training, epochs: 1 } }));
    const started = find(messages, 'started')!;
    if (gpu!.context.adapter.software) {
      expect(started.backend).toBe('cpu');
      expect(started.backendReason).toMatch(
        /^the only GPU adapter is .*, a software renderer that is slower than the CPU engine; training on the CPU$/,
      );
    } else {
      expect(started.backend).toBe('webgpu');
      expect(started.backendReason).toMatch(/^training on the GPU: /);
    }
    expect(find(messages, 'done')!.status).toBe('completed');
  });

  it(
    'webgpu trains on the GPU (SwiftShader too), reports as the CPU does, and ends where a CPU job ends',
    { timeout: 120_000 },
    async () => {
      // While it trains: a filter snapshot (read from the GPU), and a pause and resume between async steps.
      let progressSeen = 0;
      const onGpu = await runJob(start('webgpu'), {}, (posted, job) => {
        if (posted.type !== 'progress' || ++progressSeen !== 2) return;
        job.handle({ type: 'snapshot', requestId: 7, tensor: 'conv1.weight' });
        // an analysis runs on the CPU model, from weights fetched from the GPU first
        job.handle({ type: 'visual', requestId: 8, kind: 'saliency', sample: 0 });
        job.handle({ type: 'pause' });
        setTimeout(() => job.handle({ type: 'resume' }), 30);
      });
      const onCpu = await runJob(start('cpu'));
      const started = find(onGpu, 'started')!;
      expect(started.backend).toBe('webgpu');
      expect(started.backendReason).toMatch(/^the WebGPU backend was asked for: training on /);
      if (gpu!.context.adapter.software) expect(started.backendReason).toMatch(/a software renderer that is slower than the CPU engine$/);
      expect(find(onCpu, 'started')!.backendReason).toBe('the CPU backend was asked for');
      expect(all(onGpu, 'progress').length).toBeGreaterThan(1);
      const snapshot = find(onGpu, 'snapshot')!;
      expect(snapshot).toMatchObject({ requestId: 7, tensor: 'conv1.weight', shape: [6, 1, 5, 5] });
      expect(snapshot.values).toHaveLength(150);
      expect(snapshot.values!.every(Number.isFinite)).toBe(true);
      const salient = all(onGpu, 'visual').find((reply) => reply.requestId === 8)!;
      expect(salient.error).toBeUndefined();
      expect(salient.analysis).toMatchObject({ kind: 'saliency', map: { shape: [28, 28] } });
      expect(salient.analysis!.kind === 'saliency' && salient.analysis!.map.scale).toBeGreaterThan(0);
      expect(onGpu.map((message) => message.type)).toEqual(expect.arrayContaining(['paused', 'resumed']));
      expect(all(onGpu, 'checkpoint').map(({ checkpoint }) => checkpoint.epoch)).toEqual([1, 2]);
      // epoch statistics from weights fetched from the GPU; its gradients stay there
      const [gpuStats, cpuStats] = [all(onGpu, 'epoch-stats'), all(onCpu, 'epoch-stats')];
      expect(gpuStats.map(({ stats }) => stats.epoch)).toEqual([1, 2]);
      for (const [i, { stats, snapshot }] of gpuStats.entries()) {
        expect(stats.layers.map((layer) => layer.gradientNorm)).toEqual(stats.layers.map(() => undefined));
        expect(cpuStats[i].stats.layers.every((layer) => layer.gradientNorm! > 0)).toBe(true);
        expectClose(
          stats.layers.map((layer) => layer.weightNorm),
          cpuStats[i].stats.layers.map((layer) => layer.weightNorm),
          'weight norms',
        );
        expectClose(snapshot!.filters.values, cpuStats[i].snapshot!.filters.values, 'conv1 snapshot', 1e-2);
      }
      const [gpuDone, cpuDone] = [find(onGpu, 'done')!, find(onCpu, 'done')!];
      expect(gpuDone.status).toBe('completed');
      expectClose(
        gpuDone.epochs.map((epoch) => epoch.trainLoss),
        cpuDone.epochs.map((epoch) => epoch.trainLoss),
        'epoch losses',
      );
      expectClose(
        gpuDone.epochs.map((epoch) => epoch.validationLoss!),
        cpuDone.epochs.map((epoch) => epoch.validationLoss!),
        'validation losses',
      );
      expect(gpuDone.weights.map(([name]) => name)).toEqual(cpuDone.weights.map(([name]) => name));
      for (const [i, [name, values]] of gpuDone.weights.entries()) expectClose(values, cpuDone.weights[i][1], name, 1e-2);
    },
  );

  it('a device lost mid-run fails the job after its checkpoint, and the run continues on the CPU', { timeout: 120_000 }, async () => {
    let lose: (error: DeviceLostError) => void = () => {};
    const openGpu = async (): Promise<{ backend: 'webgpu'; reason: string; context: GpuContext }> => {
      const { gpu: nodeGpu } = await loadNodeGpu();
      const real = await acquireDevice(nodeGpu);
      // The real device, with a `lost` the test controls (a driver reset cannot be staged).
      const lost = new Promise<never>((_, reject) => (lose = reject));
      lost.catch(() => undefined);
      return { backend: 'webgpu', reason: 'test device', context: { ...real, lost, destroy: () => real.destroy() } };
    };
    const message = start('webgpu', { training: { ...start('webgpu').training, epochs: 3 } });
    const failed = await runJob(message, { openGpu }, (posted) => {
      if (posted.type === 'checkpoint') lose(new DeviceLostError('unknown', 'simulated driver reset'));
    });
    const failure = find(failed, 'failed')!;
    expect(failure.kind).toBe('internal');
    expect(failure.reason).toMatch(
      /^training on the GPU stopped: the GPU device was lost: simulated driver reset; .*its last checkpoint \(epoch 1\) is kept; continue the run with the CPU backend$/,
    );
    expect(find(failed, 'done')).toBeUndefined();

    // The job manager's resume request: the same start, from the last checkpoint, on the CPU.
    const checkpoint: CheckpointMessage = all(failed, 'checkpoint').at(-1)!.checkpoint;
    const resumed = await runJob({ ...message, backend: 'cpu', resume: checkpoint });
    expect(find(resumed, 'started')!.backend).toBe('cpu');
    const done = find(resumed, 'done')!;
    expect(done.status).toBe('completed');
    expect(done.epochs.map((epoch) => epoch.epoch)).toEqual([2, 3]);
  });

  it('without WebGPU, webgpu fails saying why and auto trains on the CPU saying why', async () => {
    const none = async () => ({ gpu: null, how: 'no GPU driver answered' });
    const openGpu = (requested: 'webgpu' | 'auto') => openGpuBackend(requested, none);
    const failed = await runJob(start('webgpu'), { openGpu });
    expect(find(failed, 'failed')!.reason).toBe('the WebGPU backend was asked for, but there is no WebGPU here: no GPU driver answered');
    const auto = await openGpuBackend('auto', none);
    expect(auto).toEqual({
      backend: 'cpu',
      reason: 'there is no WebGPU here (no GPU driver answered); training on the CPU',
      context: null,
    });
  });
});

describe.skipIf(!gpu)('cnn-studio bench --backend webgpu', () => {
  // The command's own protocol (20 inference and 100 latency iterations at batch 64, SGEMM up to
  // 1024³) takes a minute on SwiftShader; here the same measurements run on a reduced protocol.
  it('measures the CPU bench figures with the GPU plan', { timeout: 120_000 }, async () => {
    const options = { warmup: 1, windows: 1, steps: 2, inferenceSteps: 2, latencyIterations: 3 };
    const figures = await benchModelGpu('lenet', loadMnist('train'), options, gpu!.context);
    for (const value of [figures.trainImagesPerSecond, figures.inferImagesPerSecond, figures.latencyMsBatch1]) {
      expect(value).toBeGreaterThan(0);
      expect(Number.isFinite(value)).toBe(true);
    }
    expect(await benchGemmGpu(96, 2, gpu!.context)).toBeGreaterThan(0);
  });

  it('names the backends it has', async () => {
    await expect(runBench({ backend: 'tpu', json: false }, () => {})).rejects.toThrow(/--backend tpu: the backends are cpu and webgpu/);
  });
});
