// The utility-process worker handle: exit reasons mapped as ForkWorkerHost maps them, messages
// validated on arrival, the process ended once its work is over.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  UnlaunchedWorker,
  UtilityWorker,
  classifyUtilityExit,
  type UtilityChild,
  type UtilityExitFacts,
} from '../../../electron/main/utility-worker';
import type { WorkerExit } from '../../../electron/services/jobs/worker-host';
import { PROTOCOL_VERSION, type WorkerMessage } from '../../../electron/worker/protocol';

const facts = (overrides: Partial<UtilityExitFacts>): UtilityExitFacts => ({
  code: 0,
  gone: undefined,
  killedByUs: false,
  finished: false,
  stderrTail: '',
  ...overrides,
});

describe('classifying a utility worker’s exit', () => {
  it.each<[string, Partial<UtilityExitFacts>, WorkerExit['reason']]>([
    ['a clean exit', { code: 0 }, 'normal'],
    ['a clean exit Chromium reported', { code: 0, gone: { reason: 'clean-exit', exitCode: 0 } }, 'normal'],
    ['an exit after the last message, however it ended', { code: 15, finished: true, killedByUs: true }, 'normal'],
    ['Chromium’s out-of-memory verdict', { code: 133, gone: { reason: 'oom', exitCode: 133 } }, 'oom'],
    [
      'V8’s heap message on stderr',
      { code: 134, stderrTail: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' },
      'oom',
    ],
    [
      'a V8 fatal error about memory',
      { code: 5, fatalError: 'FatalError at Ineffective mark-compacts near heap limit Allocation failed' },
      'oom',
    ],
    ['our kill', { code: 15, killedByUs: true }, 'killed'],
    ['someone else’s kill', { code: 9, gone: { reason: 'killed', exitCode: 9 } }, 'killed'],
    ['a crash', { code: 11, gone: { reason: 'crashed', exitCode: 11 } }, 'crashed'],
    ['an abnormal exit', { code: 1, gone: { reason: 'abnormal-exit', exitCode: 1 } }, 'crashed'],
    ['a failed integrity check', { code: 1, gone: { reason: 'integrity-failure', exitCode: 1 } }, 'crashed'],
    ['a non-zero code alone', { code: 3 }, 'crashed'],
    ['a failed launch', { code: 1, gone: { reason: 'launch-failed', exitCode: 1 } }, 'launch-failed'],
  ])('%s', (_what, overrides, reason) => {
    expect(classifyUtilityExit(facts(overrides)).reason).toBe(reason);
  });

  it('keeps Chromium’s exit code and the last stderr lines for the failure message', () => {
    const exit = classifyUtilityExit(
      facts({ code: 1, gone: { reason: 'crashed', exitCode: 139 }, stderrTail: 'a\nb\nc\nd\n', fatalError: 'FatalError at x' }),
    );
    expect(exit).toEqual({ reason: 'crashed', code: 139, signal: null, detail: 'FatalError at x\nb\nc\nd' });
  });
});

/** Electron's UtilityProcess, as far as the handle uses it. */
class FakeChild extends EventEmitter implements UtilityChild {
  readonly pid = 4242;
  readonly stderr = new PassThrough();
  readonly posted: unknown[] = [];
  kills = 0;
  readonly transferred: unknown[][] = [];
  postMessage(message: unknown, transfer: unknown[] = []): void {
    this.posted.push(message);
    this.transferred.push(transfer);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
}

const exitOf = (worker: UtilityWorker): Promise<WorkerExit> => new Promise((resolve) => worker.onExit(resolve));

describe('a utility worker handle', () => {
  it('delivers valid messages, reports invalid ones, and ends the process after done', async () => {
    const child = new FakeChild();
    const worker = new UtilityWorker(child, { settleMs: 1 });
    const messages: WorkerMessage[] = [];
    const errors: Error[] = [];
    worker.onMessage((message) => messages.push(message));
    worker.onProtocolError((error) => errors.push(error));
    child.emit('message', { type: 'ready', protocol: PROTOCOL_VERSION, pid: 4242 });
    child.emit('message', { type: 'ready', protocol: 99, pid: 4242 });
    child.emit('message', 'nonsense');
    expect(messages.map((m) => m.type)).toEqual(['ready']);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('protocol version 99'),
      expect.stringContaining('must be an object'),
    ]);
    worker.send({ type: 'pause' });
    expect(child.posted).toEqual([{ type: 'pause' }]);
    expect(worker.pid).toBe(4242);

    child.emit('message', { type: 'done', status: 'completed', epochs: [], weights: [] });
    expect(child.kills).toBe(1);
    child.emit('exit', 15);
    expect(await exitOf(worker)).toEqual({ reason: 'normal', code: 15, signal: null, detail: '' });
    worker.send({ type: 'stop' });
    expect(child.posted).toHaveLength(1);
  });

  it('waits for Chromium’s verdict after the exit, and keeps stderr for the message', async () => {
    const child = new FakeChild();
    const verdict: { gone?: { reason: string; exitCode: number } } = {};
    const worker = new UtilityWorker(child, { settleMs: 20, gone: () => verdict.gone });
    child.stderr.write('allocating the next batch\n');
    await new Promise((resolve) => setImmediate(resolve));
    child.emit('exit', 0);
    verdict.gone = { reason: 'oom', exitCode: 133 };
    expect(await exitOf(worker)).toEqual({ reason: 'oom', code: 133, signal: null, detail: 'allocating the next batch' });
  });

  it('reports its own kill as killed', async () => {
    const child = new FakeChild();
    const worker = new UtilityWorker(child, { settleMs: 1 });
    worker.kill();
    child.emit('exit', 15);
    expect((await exitOf(worker)).reason).toBe('killed');
  });

  it('hands a window’s stream port to the worker once it is ready, and tells when the worker serves it', () => {
    const child = new FakeChild();
    const worker = new UtilityWorker(child, { settleMs: 1 });
    const messages: WorkerMessage[] = [];
    worker.onMessage((message) => messages.push(message));
    const served: string[] = [];
    const port = { name: 'the window’s port' };
    expect(worker.openStream(port, () => served.push('first'))).toBe(true);
    expect(child.posted).toEqual([]);
    child.emit('message', { type: 'ready', protocol: PROTOCOL_VERSION, pid: 4242 });
    expect(child.posted).toEqual([{ type: 'stream', streamId: 0 }]);
    expect(child.transferred).toEqual([[port]]);
    expect(worker.openStream({}, () => served.push('second'))).toBe(true);
    expect(child.posted.at(-1)).toEqual({ type: 'stream', streamId: 1 });
    child.emit('message', { type: 'streaming', streamId: 1 });
    child.emit('message', { type: 'streaming', streamId: 0 });
    child.emit('message', { type: 'streaming', streamId: 0 });
    expect(served).toEqual(['second', 'first']);
    // The answers are the handle's business, not the job manager's.
    expect(messages.map((m) => m.type)).toEqual(['ready']);
    child.emit('message', { type: 'done', status: 'completed', epochs: [], weights: [] });
    expect(worker.openStream({}, () => served.push('late'))).toBe(false);
  });

  it('stands for a process that could not be forked', async () => {
    const worker = new UnlaunchedWorker('no such file: worker.mjs');
    const exit = await new Promise<WorkerExit>((resolve) => worker.onExit(resolve));
    expect(exit).toEqual({ reason: 'launch-failed', code: null, signal: null, detail: 'no such file: worker.mjs' });
  });
});
