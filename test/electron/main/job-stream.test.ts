// A job's stream straight from the worker (electron/worker/job-stream.ts): the worker entry serves
// a port it is handed with the events main would have made from the same messages, and nothing
// else; a stream that closes is dropped.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../electron/services/jobs/job-manager';
import { toStudioEvent } from '../../../electron/host/server/training-jobs';
import { isOpenStreamMessage, isStreamingMessage, streamEventOf } from '../../../electron/worker/job-stream';
import { PROTOCOL_VERSION, type WorkerMessage } from '../../../electron/worker/protocol';
import { runUtilityWorker, type ParentPortLike, type StreamPortLike } from '../../../electron/worker/utility-entry';

const SUMMARY = { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, learningRate: 0.01, seconds: 2 };
const MESSAGES: WorkerMessage[] = [
  {
    type: 'progress',
    epoch: 1,
    stepInEpoch: 3,
    stepsPerEpoch: 8,
    globalStep: 3,
    loss: 1.5,
    learningRate: 0.01,
    imagesPerSecond: 900,
    etaSeconds: 4,
  },
  { type: 'epoch', summary: SUMMARY },
  {
    type: 'checkpoint',
    checkpoint: {
      epoch: 1,
      globalStep: 8,
      weights: [['conv1.weight', new Float32Array(4)]],
      optimizerState: [],
      optimizerSteps: 8,
      bestValidationLoss: 1,
      epochsWithoutImprovement: 0,
      plateauScale: 1,
    },
  },
];

class Port extends EventEmitter implements StreamPortLike {
  readonly posted: unknown[] = [];
  closed = false;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  start(): void {}
  close(): void {
    this.closed = true;
  }
}

class Parent extends EventEmitter implements ParentPortLike {
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
}

describe('the job stream', () => {
  it('gives the window the same events main makes, and a checkpoint without its tensors', () => {
    for (const message of MESSAGES) expect(streamEventOf(message)).toEqual(toStudioEvent(message as JobEvent));
    expect(streamEventOf(MESSAGES[2])).toEqual({ type: 'checkpoint', epoch: 1, globalStep: 8 });
    expect(streamEventOf({ type: 'paused' })).toBeNull();
    expect(streamEventOf({ type: 'failed', kind: 'data', reason: 'no file' })).toBeNull();
  });

  it('knows its two messages', () => {
    expect(isOpenStreamMessage({ type: 'stream', streamId: 3 })).toBe(true);
    expect(isOpenStreamMessage({ type: 'stream', streamId: -1 })).toBe(false);
    expect(isOpenStreamMessage({ type: 'stream', streamId: '3' })).toBe(false);
    expect(isStreamingMessage({ type: 'streaming', streamId: 0 })).toBe(true);
    expect(isStreamingMessage(null)).toBe(false);
  });

  it('is served by the worker entry: it answers `streaming`, posts the streamed kinds there, and drops a closed port', () => {
    const parent = new Parent();
    const job = runUtilityWorker(parent, 77);
    expect(parent.posted).toEqual([{ type: 'ready', protocol: PROTOCOL_VERSION, pid: 77 }]);
    const port = new Port();
    const extra = new Port();
    parent.emit('message', { data: { type: 'stream', streamId: 5 }, ports: [port, extra] });
    expect(parent.posted.at(-1)).toEqual({ type: 'streaming', streamId: 5 });
    expect(extra.closed).toBe(true);
    // What the job posts goes to main as before, and the streamed kinds to the port as well.
    const post = (job as unknown as { post: (message: WorkerMessage) => void }).post;
    for (const message of [...MESSAGES, { type: 'paused' } as const]) post(message);
    expect(parent.posted.slice(-4)).toEqual([...MESSAGES, { type: 'paused' }]);
    expect(port.posted).toEqual(MESSAGES.map(streamEventOf));
    port.emit('close');
    post(MESSAGES[0]);
    expect(port.posted).toHaveLength(3);
  });
});
