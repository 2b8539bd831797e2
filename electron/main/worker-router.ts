/**
 * Where a desktop job's worker runs: a job that asks for WebGPU goes to the hidden GPU window (the
 * only place in the desktop app with WebGPU; it reads file datasets from a data server process),
 * every other job to a utility process. No electron import.
 */
import type { SpawnOptions, WorkerHandle, WorkerHost } from '../services/jobs/worker-host';

export const runsInGpuWindow = (options: SpawnOptions): boolean => options.backend === 'webgpu';

export class WorkerRouter implements WorkerHost {
  constructor(
    private readonly utility: WorkerHost,
    private readonly gpuWindow: WorkerHost,
  ) {}

  spawn(options: SpawnOptions = {}): WorkerHandle {
    return runsInGpuWindow(options) ? this.gpuWindow.spawn(options) : this.utility.spawn(options);
  }
}
