/**
 * A job's stream straight from its worker to a window (the desktop app): the main process hands
 * the worker one end of a MessageChannelMain with `{ type: 'stream', streamId }` and the window the
 * other; from then on the worker posts its progress, epoch summaries and checkpoint notices on that
 * port as StudioJobEvents, so they never pass through main. It answers `{ type: 'streaming',
 * streamId }` on its own channel to main: every message before that answer went to main only, and
 * main forwards those of the streamed kinds itself; after it, main forwards only the events it
 * makes (state, started, failed, finished). So the window gets each event once, none lost.
 * These messages are outside the versioned worker protocol (protocol.ts): only a utility process,
 * whose channel carries MessagePorts, receives them. No electron import.
 */
import type { StudioJobEvent } from '../api';
import type { WorkerMessage } from './protocol';

export interface OpenStreamMessage {
  readonly type: 'stream';
  readonly streamId: number;
}

export interface StreamingMessage {
  readonly type: 'streaming';
  readonly streamId: number;
}

/** The StudioJobEvent kinds a worker streams itself; main makes the others. */
export const STREAMED_EVENT_TYPES: readonly StudioJobEvent['type'][] = ['progress', 'epoch', 'checkpoint'];

const hasStreamId = (value: unknown, type: string): boolean => {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return record.type === type && typeof record.streamId === 'number' && Number.isInteger(record.streamId) && record.streamId >= 0;
};

export const isOpenStreamMessage = (value: unknown): value is OpenStreamMessage => hasStreamId(value, 'stream');
export const isStreamingMessage = (value: unknown): value is StreamingMessage => hasStreamId(value, 'streaming');

/**
 * The window's event for a worker message of a streamed kind, else null. The same events main's
 * TrainingJobs makes from them (electron/host/server/training-jobs.ts: toStudioEvent; a test holds
 * the two to that); a checkpoint is told by its epoch and step only, never with its tensors.
 */
export const streamEventOf = (message: WorkerMessage): StudioJobEvent | null => {
  switch (message.type) {
    case 'progress': {
      const { type: _, ...rest } = message;
      return { type: 'progress', ...rest };
    }
    case 'epoch':
      return { type: 'epoch', summary: { ...message.summary } };
    case 'checkpoint':
      return { type: 'checkpoint', epoch: message.checkpoint.epoch, globalStep: message.checkpoint.globalStep };
    default:
      return null;
  }
};

/** A stream port, as the worker sees it (Electron's MessagePortMain, or a page's MessagePort). */
export interface StreamPort {
  postMessage(message: unknown): void;
  close(): void;
}

/**
 * The streams a worker serves: `open` takes a `stream` message's port and answers `streaming`
 * through `answer`; `post` copies each streamed kind of message to every open stream. `onClosed`
 * is how the port tells its end (an event on MessagePortMain, `onclose`-less in a page: a page's
 * stream ends with its window).
 */
export class JobStreams {
  private readonly ports = new Set<StreamPort>();

  constructor(private readonly answer: (message: StreamingMessage) => void) {}

  open(message: OpenStreamMessage, ports: readonly StreamPort[], onClosed?: (port: StreamPort, drop: () => void) => void): void {
    const [port, ...extra] = ports;
    for (const unwanted of extra) unwanted.close();
    if (!port) return;
    this.ports.add(port);
    onClosed?.(port, () => this.ports.delete(port));
    this.answer({ type: 'streaming', streamId: message.streamId });
  }

  post(message: WorkerMessage): void {
    if (this.ports.size === 0) return;
    const event = streamEventOf(message);
    if (event) for (const port of this.ports) port.postMessage(event);
  }
}
