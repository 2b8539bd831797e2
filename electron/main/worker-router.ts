/**
 * Where a desktop job's worker runs: a job that asks for WebGPU on a dataset made in memory goes
 * to the hidden GPU window (the only place in the desktop app with WebGPU; it cannot read files),
 * every other job to a utility process, which trains on the CPU (and says so when WebGPU was asked
 * for). No electron import.
 */
import type { SpawnOptions, WorkerHandle, WorkerHost } from '../services/jobs/worker-host';
import { GPU_WINDOW_DATASETS } from '../worker/gpu-page/datasets';

export const runsInGpuWindow = (options: SpawnOptions): boolean =>
  options.backend === 'webgpu' && GPU_WINDOW_DATASETS.includes(options.datasetKind ?? '');

export class WorkerRouter implements WorkerHost {
  constructor(
    private readonly utility: WorkerHost,
    private readonly gpuWindow: WorkerHost,
  ) {}

  spawn(options: SpawnOptions = {}): WorkerHandle {
    return runsInGpuWindow(options) ? this.gpuWindow.spawn(options) : this.utility.spawn(options);
  }
}
