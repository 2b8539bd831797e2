/**
 * Where training workers run. The job manager talks to a `WorkerHost` and never knows which:
 * `ForkWorkerHost` (here) starts a Node child process for the CLI, `serve` and tests; the desktop
 * app adds an Electron utilityProcess host and a hidden-window host for WebGPU (electron/main).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { trainingWorkerProgram } from '../../worker/programs';
import { validateWorkerMessage, type Backend, type HostMessage, type WorkerMessage } from '../../worker/protocol';

export type ExitReason = 'normal' | 'crashed' | 'killed' | 'oom' | 'launch-failed';

export interface WorkerExit {
  readonly reason: ExitReason;
  readonly code: number | null;
  readonly signal: string | null;
  /** What the process said last on stderr, for the failure message. */
  readonly detail: string;
}

export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: HostMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** A message that failed validation: reported, never delivered. */
  onProtocolError(listener: (error: Error) => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Ends the process at once (SIGKILL). */
  kill(): void;
}

/** What a host may want to know to choose where a worker runs. */
export interface SpawnOptions {
  readonly maxMemoryMb?: number;
  /** The backend the job asked for. */
  readonly backend?: Backend;
  /** The kind of its dataset. */
  readonly datasetKind?: string;
}

export interface WorkerHost {
  spawn(options?: SpawnOptions): WorkerHandle;
}

const OUT_OF_MEMORY = /heap out of memory|Allocation failed|ERR_MEMORY|out of memory/i;

/** Runs each worker as a `child_process.fork` of Node: the TypeScript sources through tsx, or the bundled worker. */
export class ForkWorkerHost implements WorkerHost {
  private readonly program = trainingWorkerProgram();

  spawn(options: { maxMemoryMb?: number } = {}): WorkerHandle {
    const execArgv = this.program.loader ? ['--import', this.program.loader] : [];
    if (options.maxMemoryMb) execArgv.push(`--max-old-space-size=${options.maxMemoryMb}`);
    const child = fork(this.program.path, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    return new ForkedWorker(child);
  }
}

class ForkedWorker implements WorkerHandle {
  private stderrTail = '';
  private killedByUs = false;
  private readonly messageListeners: ((message: WorkerMessage) => void)[] = [];
  private readonly errorListeners: ((error: Error) => void)[] = [];
  private readonly exitListeners: ((exit: WorkerExit) => void)[] = [];
  private exited: WorkerExit | null = null;

  constructor(private readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    child.on('message', (raw) => {
      let message: WorkerMessage;
      try {
        message = validateWorkerMessage(raw);
      } catch (error) {
        for (const listener of this.errorListeners) listener(error as Error);
        return;
      }
      for (const listener of this.messageListeners) listener(message);
    });
    child.on('error', (error) => this.exit({ reason: 'launch-failed', code: null, signal: null, detail: error.message }));
    child.on('exit', (code, signal) => {
      const lines = this.stderrTail.trim().split('\n');
      // V8's own line says what ran out; the native stack printed after it does not.
      const memoryLine = lines.find((line) => OUT_OF_MEMORY.test(line));
      const outOfMemory = memoryLine !== undefined;
      const reason: ExitReason = outOfMemory
        ? 'oom'
        : this.killedByUs || signal === 'SIGKILL'
          ? 'killed'
          : code === 0
            ? 'normal'
            : 'crashed';
      this.exit({ reason, code, signal, detail: memoryLine?.trim() ?? lines.slice(-3).join('\n') });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: HostMessage): void {
    if (this.child.connected) this.child.send(message);
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
    this.child.kill('SIGKILL');
  }

  private exit(exit: WorkerExit): void {
    if (this.exited) return;
    this.exited = exit;
    for (const listener of this.exitListeners) listener(exit);
  }
}
