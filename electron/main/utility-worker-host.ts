/**
 * `UtilityWorkerHost`: the desktop app's WorkerHost. Each training job runs the worker entry
 * (electron/worker/utility-entry.ts, bundled to out/main/worker.mjs) in its own Electron utility
 * process, with the same TrainingJob and protocol as the Node host's forked workers; the handle and
 * its exit classification are in utility-worker.ts. `utilityProcess.fork` may only be called once
 * the app is ready.
 *
 * WebGPU jobs: the hidden-window host (main side built: gpu-window-host.ts; page not yet)
 * ------------------------------------------------------------------------------------
 * A utility process has Node but no Blink, so no `navigator.gpu`; and Dawn's Node addon (the
 * `webgpu` package) is refused inside Electron, whose V8 memory cage forbids the external
 * ArrayBuffers it hands out (dawn-gpu/node-webgpu#5). So utility-entry.ts trains on the CPU and
 * says why; a WebGPU job will run in a hidden window, which has Chromium's own WebGPU:
 *
 * 1. `GpuWindowHost implements WorkerHost`: `spawn()` opens `new BrowserWindow({ show: false,
 *    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false,
 *    backgroundThrottling: false, preload: gpu-preload.cjs } })` on `app://studio/gpu-worker.html`
 *    (a second Vite entry in renderer/vite.config.ts), with the same navigation, permission and
 *    CSP rules as a project window. Nothing is ever shown in it.
 * 2. Messages: main creates a MessageChannelMain, keeps port1 for the WorkerHandle and posts port2
 *    with `webContents.postMessage('studio:gpu-port', { nonce }, [port2])`; the preload hands it to
 *    the page with `window.postMessage(…, [port])` after checking the nonce. The page runs
 *    TrainingJob with `openGpu` answering from `navigator.gpu` (engine/backends/webgpu/device.ts
 *    already takes any GPU object) and validates every message with worker/protocol.ts.
 * 3. Data: the sandboxed page cannot read files. A utility process opens the dataset (the code
 *    utility-entry.ts runs today) and streams preprocessed batches (Float32Arrays, transferred)
 *    over a second MessageChannelMain whose ends go to it and to the window, so batches never pass
 *    through main. This needs TrainingJob's data source to be injectable like `openGpu` (today it
 *    calls openTrainingData, which uses node:fs): a change for the worker's owner.
 * 4. Choice: WorkerHost.spawn receives only `{ maxMemoryMb }`; a routing host that sends `webgpu`
 *    and `auto` jobs to the window and `cpu` jobs to a utility process needs the request's backend
 *    passed to spawn (a one-line JobManager change).
 * 5. Exit: `render-process-gone` details (`crashed`, `oom`, `killed`, `launch-failed`,
 *    `clean-exit`) map through classifyUtilityExit as here; an `unresponsive` window is killed
 *    after a grace period; a lost device is already a `failed` message from TrainingJob. On Linux
 *    Chromium enables WebGPU only with `app.commandLine.appendSwitch('enable-unsafe-webgpu')`
 *    (checked in headless Chromium: shared/design/TOOLCHAIN.md), set before `ready`.
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
