/**
 * The data server of one GPU window, in its own utility process (electron/worker/data-entry.ts,
 * bundled to out/main/data-server.mjs), so that reading and decoding a job's files never holds up
 * main. Forked when the job's start message names a dataset read from files (the page makes the
 * others itself), and handed main's end of the window's data port with that message; ended with
 * the window. A data server that ends on its own fails the job (`onFailure`), since the page would
 * otherwise wait for its samples for ever.
 */
import { utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import { GPU_WINDOW_DATASETS } from '../worker/gpu-page/datasets';
import type { StartMessage } from '../worker/protocol';

export interface DataProcessOptions {
  /** The bundled entry (out/main/data-server.mjs). */
  readonly entry: string;
  /** For its service name: `CNN Studio data server N`. */
  readonly number: number;
  /** Main's end of the window's data port. */
  readonly port: MessagePortMain;
  readonly log: (line: string) => void;
  /** The process ended before the window did: why, for the job's failure. */
  readonly onFailure: (reason: string) => void;
}

export class DataProcess {
  private child: UtilityProcess | null = null;
  private closed = false;
  private stderrTail = '';

  constructor(private readonly options: DataProcessOptions) {}

  bind(start: StartMessage): void {
    if (this.child || this.closed || GPU_WINDOW_DATASETS.includes(start.dataset.kind)) return;
    const serviceName = `CNN Studio data server ${this.options.number}`;
    try {
      const child = utilityProcess.fork(this.options.entry, [], { serviceName, stdio: ['ignore', 'inherit', 'pipe'] });
      this.child = child;
      child.stderr?.on('data', (chunk: Buffer | string) => {
        const text = String(chunk);
        this.stderrTail = `${this.stderrTail}${text}`.slice(-2000);
        this.options.log(text.trimEnd());
      });
      child.on('exit', (code) => {
        if (this.closed) return;
        const lastLines = this.stderrTail.trim().split('\n').slice(-3).join('\n');
        this.options.onFailure(`the data server reading this dataset stopped (exit code ${code})${lastLines ? `: ${lastLines}` : ''}`);
      });
      // Its parentPort may not listen before its module has loaded: it says when it does.
      child.on('message', (message: { type?: unknown }) => {
        if (message?.type === 'ready' && !this.closed) child.postMessage({ type: 'serve', start }, [this.options.port]);
      });
    } catch (error) {
      this.options.onFailure(`the data server could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child?.kill();
    this.options.port.close();
  }
}
