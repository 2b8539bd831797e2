/**
 * `GpuWindowHost`: runs each training worker in a hidden, sandboxed window, whose page has
 * Chromium's WebGPU (`navigator.gpu`), behind the WorkerHost interface the job manager knows; the
 * handle is GpuWindowWorker (gpu-window-worker.ts). Main keeps one end of a MessageChannelMain
 * and posts the other to the window's preload on `studio:gpu-port` once its page has loaded; the
 * worker protocol runs over that port. A second channel is the data port: for a job whose dataset
 * is read from files, main hands its end, with the start message, to a data server in a utility
 * process of its own (data-process.ts), which reads that dataset for the page.
 *
 * The page (electron/worker/gpu-page, built to out/renderer/gpu-worker/) runs TrainingJob on
 * `navigator.gpu`; worker-router.ts sends it every WebGPU job.
 */
import { BrowserWindow, MessageChannelMain } from 'electron';
import type { WorkerHandle, WorkerHost } from '../services/jobs/worker-host';
import { mayNavigate } from './app-origin';
import { DataProcess } from './data-process';
import { GpuWindowWorker } from './gpu-window-worker';
import { UnlaunchedWorker } from './utility-worker';

/** Main → the hidden window's preload: the worker's MessagePort, then the data port. */
export const GPU_PORT_CHANNEL = 'studio:gpu-port';

export interface GpuWindowHostOptions {
  /** The hidden window's preload (hands the port to the page). */
  readonly preload: string;
  /** The worker page, on the app's own origin (app://studio/…). */
  readonly pageUrl: string;
  /** The data server's bundled entry (out/main/data-server.mjs). */
  readonly dataServer: string;
  readonly log: (line: string, source?: string) => void;
}

export class GpuWindowHost implements WorkerHost {
  private count = 0;

  constructor(private readonly options: GpuWindowHostOptions) {}

  spawn(): WorkerHandle {
    const source = `gpu window ${++this.count}`;
    try {
      const window = new BrowserWindow({
        show: false,
        width: 320,
        height: 240,
        title: `CNN Studio training worker (GPU) ${this.count}`,
        webPreferences: {
          preload: this.options.preload,
          sandbox: true,
          contextIsolation: true,
          nodeIntegration: false,
          nodeIntegrationInWorker: false,
          nodeIntegrationInSubFrames: false,
          webSecurity: true,
          allowRunningInsecureContent: false,
          experimentalFeatures: false,
          webviewTag: false,
          // A hidden window's timers would be slowed to a crawl otherwise.
          backgroundThrottling: false,
          devTools: false,
          spellcheck: false,
        },
      });
      const contents = window.webContents;
      contents.on('will-navigate', (event, url) => {
        if (!mayNavigate(url)) event.preventDefault();
      });
      contents.on('console-message', (event) => {
        if (event.level === 'error' || event.level === 'warning') this.options.log(event.message, source);
      });
      const { port1, port2 } = new MessageChannelMain();
      const data = new MessageChannelMain();
      const server = new DataProcess({
        entry: this.options.dataServer,
        number: this.count,
        port: data.port1,
        log: (line) => this.options.log(line, `data server ${this.count}`),
        onFailure: (reason) => worker.dataFailed(reason),
      });
      const worker = new GpuWindowWorker(window, port1, server);
      contents.once('did-finish-load', () => contents.postMessage(GPU_PORT_CHANNEL, null, [port2, data.port2]));
      void window.loadURL(this.options.pageUrl).catch((error: unknown) => {
        const detail = `could not load ${this.options.pageUrl}: ${error instanceof Error ? error.message : String(error)}`;
        this.options.log(detail, source);
        worker.launchFailed(detail);
      });
      return worker;
    } catch (error) {
      return new UnlaunchedWorker(error instanceof Error ? error.message : String(error));
    }
  }
}
