// Where a desktop job's worker runs: WebGPU jobs in the hidden GPU window (file datasets read
// through main's data server), everything else in a utility process; and the job manager tells the host what it needs to choose.
import { describe, expect, it } from 'vitest';
import { findTemplate } from '../../../engine/graph/templates';
import { WorkerRouter, runsInGpuWindow } from '../../../electron/main/worker-router';
import { JobManager } from '../../../electron/services/jobs/job-manager';
import type { SpawnOptions, WorkerHandle, WorkerHost } from '../../../electron/services/jobs/worker-host';

/** A host that records what it was asked and starts nothing (its worker never answers). */
class RecordingHost implements WorkerHost {
  readonly spawned: SpawnOptions[] = [];
  spawn(options: SpawnOptions = {}): WorkerHandle {
    this.spawned.push(options);
    return {
      pid: undefined,
      send: () => undefined,
      onMessage: () => undefined,
      onProtocolError: () => undefined,
      onExit: () => undefined,
      kill: () => undefined,
    };
  }
}

describe('choosing where a worker runs', () => {
  it('sends WebGPU jobs, on datasets made in memory or read from files, to the GPU window, and every other to a utility process', () => {
    for (const datasetKind of ['shapes', 'denoise', 'mnist', 'folder', 'idx', 'csv'])
      expect(runsInGpuWindow({ backend: 'webgpu', datasetKind })).toBe(true);
    expect(runsInGpuWindow({ backend: 'auto', datasetKind: 'shapes' })).toBe(false);
    expect(runsInGpuWindow({ backend: 'cpu', datasetKind: 'mnist' })).toBe(false);
    expect(runsInGpuWindow({ backend: 'cpu', datasetKind: 'denoise' })).toBe(false);
    expect(runsInGpuWindow({})).toBe(false);
  });

  it('gets from the job manager the backend and dataset of each job', () => {
    const utility = new RecordingHost();
    const gpu = new RecordingHost();
    const manager = new JobManager(new WorkerRouter(utility, gpu), { maxConcurrent: 3, workerMemoryMb: 512 });
    const training = { epochs: 1, batchSize: 8, learningRate: 0.01, optimizer: { kind: 'sgd' as const }, seed: 1 };
    manager.submit({
      graph: findTemplate('autoencoder')!.build(),
      dataset: { kind: 'denoise' },
      baseFolder: '/',
      training,
      backend: 'webgpu',
    });
    manager.submit({ graph: findTemplate('lenet5')!.build(), dataset: { kind: 'mnist' }, baseFolder: '/', training, backend: 'webgpu' });
    manager.submit({ graph: findTemplate('lenet5')!.build(), dataset: { kind: 'mnist' }, baseFolder: '/', training, backend: 'cpu' });
    expect(gpu.spawned).toEqual([
      { maxMemoryMb: 512, backend: 'webgpu', datasetKind: 'denoise' },
      { maxMemoryMb: 512, backend: 'webgpu', datasetKind: 'mnist' },
    ]);
    expect(utility.spawned).toEqual([{ maxMemoryMb: 512, backend: 'cpu', datasetKind: 'mnist' }]);
  });
});
