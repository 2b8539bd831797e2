/**
 * Project windows: one BrowserWindow per project, each with its own DesktopSession (the Node
 * host's WindowSession) and its job streams. A window is sandboxed and context-isolated, loads
 * only `app://studio/index.html`, and may not navigate elsewhere.
 *
 * Job streams: `watch` makes a MessageChannelMain per stream, keeps port1 and posts port2 to the
 * window's preload with `webContents.postMessage` and the preload's nonce. The job's events reach
 * the window over that port, not over ipc. They still leave from this process, because the
 * events a renderer sees (StudioJobEvent: state, finished with the run record) are made here by
 * TrainingJobs from the worker's messages; see docs in index.ts for what remains.
 */
import { BrowserWindow, MessageChannelMain, type WebContents } from 'electron';
import type { Unsubscribe } from '../api';
import type { HostServices } from '../host/server/window-session';
import { RequestError } from '../host/server/errors';
import { APP_ENTRY_URL, mayNavigate } from './app-origin';
import { JOB_PORT_CHANNEL, MENU_CHANNEL, type MenuCommandMessage } from './channels';
import { DesktopSession } from './desktop-session';

export interface WindowsOptions {
  readonly services: HostServices;
  /** The bundled preload (out/preload/index.cjs). */
  readonly preload: string;
  /** Development run: the developer tools may be opened. */
  readonly development: boolean;
  readonly log: (line: string) => void;
}

export class StudioWindow {
  readonly session: DesktopSession;
  private readonly streams = new Map<string, () => void>();

  constructor(
    readonly window: BrowserWindow,
    services: HostServices,
  ) {
    this.session = new DesktopSession(services);
  }

  get contents(): WebContents {
    return this.window.webContents;
  }

  /** Opens a stream of a job's events to the window; the port goes to the preload with `nonce`. */
  async watch(jobId: string, nonce: string): Promise<null> {
    if (this.streams.has(nonce)) throw new RequestError('that stream is already open');
    const { port1, port2 } = new MessageChannelMain();
    let stop: Unsubscribe | null = null;
    const close = (): void => {
      stop?.();
      stop = null;
      this.streams.delete(nonce);
      port1.close();
    };
    try {
      stop = await this.session.watchJob(jobId, (event) => port1.postMessage(event));
    } catch (error) {
      port1.close();
      port2.close();
      throw error;
    }
    this.streams.set(nonce, close);
    port1.on('close', close);
    port1.start();
    this.contents.postMessage(JOB_PORT_CHANNEL, { jobId, nonce }, [port2]);
    return null;
  }

  unwatch(nonce: string): null {
    this.streams.get(nonce)?.();
    return null;
  }

  /** A menu command for the page (see channels.ts). */
  command(message: MenuCommandMessage): void {
    if (!this.contents.isDestroyed()) this.contents.send(MENU_CHANNEL, message);
  }

  dispose(): void {
    for (const close of [...this.streams.values()]) close();
    this.session.dispose();
  }
}

export class StudioWindows {
  private readonly byContents = new Map<number, StudioWindow>();

  constructor(private readonly options: WindowsOptions) {}

  /** A new window on the start page, or opening `projectPath` (passed to the page as `?open=`). */
  open(projectPath?: string): StudioWindow {
    const window = new BrowserWindow({
      width: 1400,
      height: 900,
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: 'CNN Studio',
      backgroundColor: '#1e1e1e',
      webPreferences: {
        preload: this.options.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        spellcheck: false,
        devTools: this.options.development,
      },
    });
    const studio = new StudioWindow(window, this.options.services);
    const id = window.webContents.id;
    this.byContents.set(id, studio);
    window.webContents.on('will-navigate', (event, url) => {
      if (!mayNavigate(url)) {
        event.preventDefault();
        this.options.log(`refused to navigate a window to ${url}`);
      }
    });
    window.webContents.on('will-redirect', (event, url) => {
      if (!mayNavigate(url)) event.preventDefault();
    });
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      studio.dispose();
      this.byContents.delete(id);
    });
    const url = new URL(APP_ENTRY_URL);
    if (projectPath) url.searchParams.set('open', projectPath);
    void window.loadURL(url.href);
    return studio;
  }

  /** The window of an IPC sender. */
  forContents(contents: WebContents): StudioWindow | undefined {
    return this.byContents.get(contents.id);
  }

  /** The focused window, else the most recent one. */
  current(): StudioWindow | undefined {
    const focused = BrowserWindow.getFocusedWindow();
    if (focused) {
      const studio = this.byContents.get(focused.webContents.id);
      if (studio) return studio;
    }
    return [...this.byContents.values()].at(-1);
  }

  get count(): number {
    return this.byContents.size;
  }
}
