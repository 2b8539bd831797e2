/**
 * A training worker in a hidden window (for WebGPU jobs: a window has Chromium's `navigator.gpu`,
 * which a utility process lacks), seen through the WorkerHandle interface the job manager knows.
 * The window's page speaks the worker protocol over a MessagePort (main keeps one end, the page
 * gets the other from gpu-window-host.ts). Every message is validated on arrival, as from any
 * worker. The start message binds the window's data server (which reads file datasets for the
 * page) to the job's dataset. The window's end is classified like a utility process's
 * (classifyUtilityExit), from `render-process-gone`. No electron import: the window and port are
 * anything shaped like Electron's, so tests drive the handle under plain Node.
 */
import type { HostMessage, StartMessage } from '../worker/protocol';
import { PortWorkerHandle } from './port-worker-handle';
import { classifyUtilityExit, type GoneDetails } from './utility-worker';

/** The parts of Electron's MessagePortMain used here. */
export interface WorkerPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown, transfer?: unknown[]): void;
  start(): void;
  close(): void;
}

/** The parts of Electron's BrowserWindow used here. */
export interface HiddenWindow {
  readonly webContents: {
    on(event: 'render-process-gone', listener: (event: unknown, details: GoneDetails) => void): unknown;
    on(event: 'console-message', listener: (event: { level: string; message: string }) => void): unknown;
    getOSProcessId(): number;
  };
  on(event: 'closed', listener: () => void): unknown;
  isDestroyed(): boolean;
  destroy(): void;
}

export class GpuWindowWorker extends PortWorkerHandle {
  private gone: GoneDetails | undefined;
  private consoleTail = '';

  constructor(
    private readonly window: HiddenWindow,
    private readonly port: WorkerPort,
    private readonly data?: { bind(start: StartMessage): void; close(): void },
  ) {
    super();
    port.on('message', (event) => this.receive(event.data));
    port.start();
    window.webContents.on('render-process-gone', (_event, details) => {
      this.gone = details;
      if (!window.isDestroyed()) window.destroy();
    });
    // The page's errors stand in for a process's stderr in the failure message.
    window.webContents.on('console-message', (event) => {
      if (event.level === 'error') this.consoleTail = `${this.consoleTail}${event.message}\n`.slice(-4000);
    });
    window.on('closed', () => this.exit());
  }

  get pid(): number | undefined {
    try {
      return this.window.isDestroyed() ? undefined : this.window.webContents.getOSProcessId();
    } catch {
      return undefined;
    }
  }

  /** The page could not be loaded: the worker never started. */
  launchFailed(detail: string): void {
    this.gone = { reason: 'launch-failed', exitCode: 0 };
    this.consoleTail = detail;
    this.end();
  }

  /** The data server stopped: the job fails with the reason (the page would wait for its samples for ever). */
  dataFailed(reason: string): void {
    if (!this.hasExited && !this.finished) this.receive({ type: 'failed', kind: 'data', reason });
  }

  override send(message: HostMessage): void {
    if (message.type === 'start') this.data?.bind(message);
    super.send(message);
  }

  protected post(message: unknown, transfer?: unknown[]): void {
    this.port.postMessage(message, transfer);
  }

  protected end(): void {
    if (!this.window.isDestroyed()) this.window.destroy();
  }

  private exit(): void {
    if (this.hasExited) return;
    this.port.close();
    this.data?.close();
    this.reportExit(
      classifyUtilityExit({
        code: this.gone?.exitCode ?? 0,
        gone: this.gone,
        killedByUs: this.killedByUs,
        finished: this.finished,
        stderrTail: this.consoleTail,
      }),
    );
  }
}
