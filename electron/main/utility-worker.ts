/**
 * A training worker in an Electron utility process, seen through the WorkerHandle interface the
 * job manager knows (electron/services/jobs/worker-host.ts). This file holds the handle and the
 * classification of its exit; utility-worker-host.ts forks the process. No electron import: the
 * child is anything shaped like Electron's UtilityProcess, so tests drive it with a Node child.
 *
 * Exit reasons are mapped as ForkWorkerHost maps them: a utility process reports only an exit
 * code, so the reason Chromium saw comes from `app`'s `child-process-gone` event (`oom`,
 * `killed`, `crashed`, `launch-failed`, …, matched by the worker's unique service name) and from
 * the last stderr lines and V8 fatal errors.
 */
import type { ExitReason, WorkerExit, WorkerHandle } from '../services/jobs/worker-host';
import { PortWorkerHandle } from './port-worker-handle';

/** The parts of Electron's UtilityProcess the handle uses. */
export interface UtilityChild {
  readonly pid: number | undefined;
  readonly stderr: NodeJS.ReadableStream | null;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
  postMessage(message: unknown, transfer?: unknown[]): void;
  kill(): boolean;
}

/** `child-process-gone` details for a utility process (Electron's Details, the fields we read). */
export interface GoneDetails {
  readonly reason: string;
  readonly exitCode: number;
}

export interface UtilityExitFacts {
  readonly code: number | null;
  readonly gone: GoneDetails | undefined;
  readonly killedByUs: boolean;
  /** The worker had sent `done` or `failed`: its work was over. */
  readonly finished: boolean;
  readonly stderrTail: string;
  /** A V8 fatal error the process reported (`error` event), e.g. its location. */
  readonly fatalError?: string;
}

const OUT_OF_MEMORY = /heap out of memory|Allocation failed|ERR_MEMORY|out of memory/i;

/** What ended a utility worker, in the terms ForkWorkerHost uses. */
export const classifyUtilityExit = (facts: UtilityExitFacts): WorkerExit => {
  const lastLines = facts.stderrTail.trim().split('\n').slice(-3).join('\n');
  const detail = [facts.fatalError, lastLines].filter(Boolean).join('\n');
  const gone = facts.gone?.reason;
  const outOfMemory = gone === 'oom' || OUT_OF_MEMORY.test(facts.stderrTail) || OUT_OF_MEMORY.test(facts.fatalError ?? '');
  let reason: ExitReason;
  if (gone === 'launch-failed') reason = 'launch-failed';
  else if (facts.finished) reason = 'normal';
  else if (outOfMemory) reason = 'oom';
  else if (facts.killedByUs || gone === 'killed') reason = 'killed';
  else if (facts.code === 0 && (gone === undefined || gone === 'clean-exit')) reason = 'normal';
  else reason = 'crashed';
  return { reason, code: facts.gone?.exitCode ?? facts.code, signal: null, detail };
};

export interface UtilityWorkerOptions {
  /** The `child-process-gone` details of this worker, if Electron has reported them. */
  readonly gone?: () => GoneDetails | undefined;
  /** How long to wait after `exit` for `child-process-gone`, whose order Electron does not promise. */
  readonly settleMs?: number;
}

export class UtilityWorker extends PortWorkerHandle {
  private stderrTail = '';
  private fatalError: string | undefined;

  constructor(
    private readonly child: UtilityChild,
    private readonly options: UtilityWorkerOptions = {},
  ) {
    super();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    child.on('message', (raw) => this.receive(raw));
    child.on('error', (type, location) => {
      this.fatalError = `${type} at ${location}`;
    });
    child.on('exit', (code) => {
      setTimeout(() => this.exit(code), this.options.settleMs ?? 50);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  protected post(message: unknown, transfer?: unknown[]): void {
    this.child.postMessage(message, transfer);
  }

  // A utility process has no channel to close after its last message (the Node entry disconnects
  // and exits by itself), so it is ended.
  protected end(): void {
    this.child.kill();
  }

  private exit(code: number): void {
    if (this.hasExited) return;
    this.reportExit(
      classifyUtilityExit({
        code,
        gone: this.options.gone?.(),
        killedByUs: this.killedByUs,
        finished: this.finished,
        stderrTail: this.stderrTail,
        fatalError: this.fatalError,
      }),
    );
  }
}

/** A worker that could not be forked at all: it reports `launch-failed` and does nothing else. */
export class UnlaunchedWorker implements WorkerHandle {
  readonly pid = undefined;
  private readonly exit: WorkerExit;

  constructor(detail: string) {
    this.exit = { reason: 'launch-failed', code: null, signal: null, detail };
  }

  send(): void {}
  onMessage(): void {}
  onProtocolError(): void {}
  onExit(listener: (exit: WorkerExit) => void): void {
    queueMicrotask(() => listener(this.exit));
  }
  kill(): void {}
}
