/**
 * What the desktop's two worker handles share (utility-worker.ts: a utility process;
 * gpu-window-worker.ts: a hidden window's page): listeners, validation of every message on
 * arrival, the handshake that hands the worker a window's job stream once it is ready, ending it
 * after its last message, and reporting its exit once. A subclass says how a message reaches its
 * worker (`post`) and how the worker is ended (`end`), and calls `reportExit`.
 */
import type { WorkerExit, WorkerHandle } from '../services/jobs/worker-host';
import { isStreamingMessage } from '../worker/job-stream';
import { validateWorkerMessage, type HostMessage, type WorkerMessage } from '../worker/protocol';

export abstract class PortWorkerHandle implements WorkerHandle {
  abstract readonly pid: number | undefined;
  protected killedByUs = false;
  /** The worker sent `done` or `failed`: it has nothing left to do. */
  protected finished = false;
  private exited: WorkerExit | null = null;
  private readonly messageListeners: ((message: WorkerMessage) => void)[] = [];
  private readonly errorListeners: ((error: Error) => void)[] = [];
  private readonly exitListeners: ((exit: WorkerExit) => void)[] = [];
  private ready = false;
  private nextStreamId = 0;
  /** Streams handed to the worker that it has not yet said it serves, by id. */
  private readonly pendingStreams = new Map<number, () => void>();
  private readonly unsentStreams: [streamId: number, port: unknown][] = [];

  /** Sends one message to the worker, with ports to transfer. */
  protected abstract post(message: unknown, transfer?: unknown[]): void;
  /** Ends the worker (after its last message, or when killed). */
  protected abstract end(): void;

  protected get hasExited(): boolean {
    return this.exited !== null;
  }

  send(message: HostMessage): void {
    if (!this.exited) this.post(message);
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

  kill(): void {
    this.killedByUs = true;
    this.end();
  }

  /**
   * Hands the worker one end of a window's job stream (electron/worker/job-stream.ts).
   * `onStreaming` runs when the worker says it serves the port, in order with its other messages:
   * those before went to main only. False when the worker has already ended.
   */
  openStream(port: unknown, onStreaming: () => void): boolean {
    if (this.exited || this.finished) return false;
    const streamId = this.nextStreamId++;
    this.pendingStreams.set(streamId, onStreaming);
    // Before `ready` the worker may not be listening yet, and a message then would be lost.
    if (this.ready) this.post({ type: 'stream', streamId }, [port]);
    else this.unsentStreams.push([streamId, port]);
    return true;
  }

  /** A message from the worker, as it arrived. */
  protected receive(raw: unknown): void {
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
      for (const [streamId, port] of this.unsentStreams.splice(0)) this.post({ type: 'stream', streamId }, [port]);
    }
    for (const listener of this.messageListeners) listener(message);
    if (message.type === 'done' || message.type === 'failed') {
      this.finished = true;
      this.end();
    }
  }

  /** The worker is gone: tells the listeners once. */
  protected reportExit(exit: WorkerExit): void {
    if (this.exited) return;
    this.exited = exit;
    for (const listener of this.exitListeners) listener(exit);
  }
}
