/**
 * A training worker in a hidden window (for WebGPU jobs: a window has Chromium's `navigator.gpu`,
 * which a utility process lacks), seen through the WorkerHandle interface the job manager knows.
 * The window's page speaks the worker protocol over a MessagePort (main keeps one end, the page
 * gets the other from gpu-window-host.ts). Every message is validated on arrival, as from any
 * worker. The window's end is classified like a utility process's (classifyUtilityExit), from
 * `render-process-gone`. No electron import: the window and port are anything shaped like
 * Electron's, so tests drive the handle under plain Node.
 */
import type { WorkerExit, WorkerHandle } from '../services/jobs/worker-host';
import { isStreamingMessage } from '../worker/job-stream';
import { validateWorkerMessage, type HostMessage, type WorkerMessage } from '../worker/protocol';
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

export class GpuWindowWorker implements WorkerHandle {
  private gone: GoneDetails | undefined;
  private consoleTail = '';
  private killedByUs = false;
  private finished = false;
  private exited: WorkerExit | null = null;
  private readonly messageListeners: ((message: WorkerMessage) => void)[] = [];
  private readonly errorListeners: ((error: Error) => void)[] = [];
  private readonly exitListeners: ((exit: WorkerExit) => void)[] = [];
  private ready = false;
  private nextStreamId = 0;
  private readonly pendingStreams = new Map<number, () => void>();
  private readonly unsentStreams: [streamId: number, port: unknown][] = [];

  constructor(
    private readonly window: HiddenWindow,
    private readonly port: WorkerPort,
  ) {
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

  send(message: HostMessage): void {
    if (!this.exited) this.port.postMessage(message);
  }

  onMessage(listener: (message: WorkerMessage) => void): void {
    this.messageListeners.push(listener);
  }

  onProtocolError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    if (this.exited) listener(this.exited);
    else this.exitListeners.push(listener);
  }

  /**
   * Hands the page one end of a window's job stream (electron/worker/job-stream.ts), once it is
   * ready; `onStreaming` runs when the page says it serves it. False once the worker has ended.
   */
  openStream(port: unknown, onStreaming: () => void): boolean {
    if (this.exited || this.finished) return false;
    const streamId = this.nextStreamId++;
    this.pendingStreams.set(streamId, onStreaming);
    if (this.ready) this.port.postMessage({ type: 'stream', streamId }, [port]);
    else this.unsentStreams.push([streamId, port]);
    return true;
  }

  /** The page could not be loaded: the worker never started. */
  launchFailed(detail: string): void {
    this.gone = { reason: 'launch-failed', exitCode: 0 };
    this.consoleTail = detail;
    if (!this.window.isDestroyed()) this.window.destroy();
  }

  kill(): void {
    this.killedByUs = true;
    if (!this.window.isDestroyed()) this.window.destroy();
  }

  private receive(raw: unknown): void {
    if (isStreamingMessage(raw)) {
      const onStreaming = this.pendingStreams.get(raw.streamId);
      this.pendingStreams.delete(raw.streamId);
      onStreaming?.();
      return;
    }
    let message: WorkerMessage;
    try {
      message = validateWorkerMessage(raw);
    } catch (error) {
      for (const listener of this.errorListeners) listener(error as Error);
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      for (const [streamId, port] of this.unsentStreams.splice(0)) this.port.postMessage({ type: 'stream', streamId }, [port]);
    }
    for (const listener of this.messageListeners) listener(message);
    // Its last message delivered, the window has nothing left to do.
    if (message.type === 'done' || message.type === 'failed') {
      this.finished = true;
      if (!this.window.isDestroyed()) this.window.destroy();
    }
  }

  private exit(): void {
    if (this.exited) return;
    this.port.close();
    this.exited = classifyUtilityExit({
      code: this.gone?.exitCode ?? 0,
      gone: this.gone,
      killedByUs: this.killedByUs,
      finished: this.finished,
      stderrTail: this.consoleTail,
    });
    for (const listener of this.exitListeners) listener(this.exited);
  }
}
