/**
 * `UtilityWorkerHost`: the desktop app's WorkerHost. Each training job runs the worker entry
 * (electron/worker/utility-entry.ts, bundled to out/main/worker.mjs) in its own Electron utility
 * process, with the same TrainingJob and protocol as the Node host's forked workers; the handle and
 * its exit classification are in utility-worker.ts. `utilityProcess.fork` may only be called once
 * the app is ready.
 *
 * A utility process has Node but no Blink, so no `navigator.gpu`; and Dawn's Node addon (the
 * `webgpu` package) is refused inside Electron, whose V8 memory cage forbids the external
 * ArrayBuffers it hands out (dawn-gpu/node-webgpu#5). So WebGPU jobs run in a hidden window
 * instead (gpu-window-host.ts; worker-router.ts chooses), whose page reads file datasets from a
 * data server in a utility process of its own (data-process.ts).
 */
import { app, utilityProcess } from 'electron';
import type { WorkerHandle, WorkerHost } from '../services/jobs/worker-host';
import { UnlaunchedWorker, UtilityWorker, type GoneDetails } from './utility-worker';

export class UtilityWorkerHost implements WorkerHost {
  private count = 0;
  /** `child-process-gone` details by service name (each worker's is unique). */
  private readonly gone = new Map<string, GoneDetails>();

  /** `entry`: the bundled worker entry (out/main/worker.mjs); `log` gets each worker's stderr and an exit that was not normal. */
  constructor(
    private readonly entry: string,
    private readonly log: (line: string, source: string) => void = () => {},
  ) {
    app.on('child-process-gone', (_event, details) => {
      const name = details.serviceName ?? details.name;
      if (details.type === 'Utility' && name?.startsWith('CNN Studio training worker'))
        this.gone.set(name, { reason: details.reason, exitCode: details.exitCode });
    });
  }

  spawn(options: { maxMemoryMb?: number } = {}): WorkerHandle {
    const serviceName = `CNN Studio training worker ${++this.count}`;
    const execArgv = options.maxMemoryMb ? [`--max-old-space-size=${options.maxMemoryMb}`] : [];
    try {
      const child = utilityProcess.fork(this.entry, [], { serviceName, execArgv, stdio: ['ignore', 'inherit', 'pipe'] });
      const source = `worker ${this.count}`;
      child.stderr?.on('data', (chunk: Buffer | string) => this.log(String(chunk).trimEnd(), source));
      const worker = new UtilityWorker(child, {
        gone: () => {
          const details = this.gone.get(serviceName);
          this.gone.delete(serviceName);
          return details;
        },
      });
      worker.onExit((exit) => {
        if (exit.reason !== 'normal') this.log(`ended: ${exit.reason} (code ${exit.code})${exit.detail ? `\n${exit.detail}` : ''}`, source);
      });
      return worker;
    } catch (error) {
      return new UnlaunchedWorker(error instanceof Error ? error.message : String(error));
    }
  }
}
