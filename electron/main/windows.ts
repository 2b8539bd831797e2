/**
 * Project windows: one BrowserWindow per project (a file already open in one is not opened in a
 * second: that window comes to the front), each with its own DesktopSession (the Node host's
 * WindowSession) and its job streams. A window is sandboxed and context-isolated, loads only
 * `app://studio/index.html`, and may not navigate elsewhere.
 *
 * - Its title names its project; each file it opens or saves is told to `onProjectFile` (the OS's
 *   recent documents).
 * - It opens where the last one closed (window-bounds.ts).
 * - Closing it with unsaved changes or a run going asks first (close-guard.ts), and stops or
 *   keeps its jobs as the person chose.
 * - Its page's console errors and a renderer that dies are written to the log; a crashed page
 *   is reported in a dialog that offers to reload it.
 *
 * Job streams: `watch` makes two MessageChannelMains per stream and posts one end of each to the
 * window's preload (`webContents.postMessage` with the preload's nonce). The job's worker gets the
 * other end of the second (electron/worker/job-stream.ts) and posts its progress, epochs and
 * checkpoint notices there itself, so they never pass through this process; on the first, main
 * sends the events so far and the ones it makes (state, started, failed, finished with the run
 * record), plus the streamed kinds only until the worker says it has taken over. A job still
 * queued gets its worker's port once it runs (a utility process or the hidden GPU window's page);
 * one whose worker has ended is streamed wholly from here. The two ports are not ordered with each other: a window may see a
 * last progress event after `finished`, which the training panel takes in its stride.
 */
import { basename } from 'node:path';
import { BrowserWindow, MessageChannelMain, dialog, screen, type WebContents } from 'electron';
import type { Unsubscribe } from '../api';
import type { HostServices } from '../host/server/window-session';
import { RequestError } from '../host/server/errors';
import { APP_ENTRY_URL, mayNavigate } from './app-origin';
import { JOB_PORT_CHANNEL, MENU_CHANNEL, type MenuCommandMessage } from './channels';
import { closeChoice, closePrompt } from './close-guard';
import { STREAMED_EVENT_TYPES } from '../worker/job-stream';
import { DesktopSession } from './desktop-session';
import { GpuWindowWorker } from './gpu-window-worker';
import { UtilityWorker } from './utility-worker';
import { DEFAULT_SIZE, MIN_SIZE, placeWindow, readWindowState, writeWindowState } from './window-bounds';

export interface WindowsOptions {
  readonly services: HostServices;
  /** The bundled preload (out/preload/index.cjs). */
  readonly preload: string;
  /** Development run: the developer tools may be opened. */
  readonly development: boolean;
  /** Writes a line to the app's log, as from `source` (main, renderer). */
  readonly log: (line: string, source?: string) => void;
  /** The profile folder, where the window's place is kept. */
  readonly stateFolder: string;
  /** A file a window opened or saved (the OS's recent documents). */
  readonly onProjectFile: (path: string) => void;
  /** The last project window has closed. */
  readonly onLastClosed?: () => void;
}

export class StudioWindow {
  readonly session: DesktopSession;
  /** The file the window was opened for (`?open=`), until its page has opened it. */
  opening: string | null = null;
  private readonly streams = new Map<string, () => void>();

  constructor(
    readonly window: BrowserWindow,
    private readonly services: HostServices,
    onProjectFile: (path: string) => void,
  ) {
    this.session = new DesktopSession(services, (path, name) => {
      this.opening = null;
      onProjectFile(path);
      if (window.isDestroyed()) return;
      window.setTitle(`${name} — ${basename(path)} — CNN Studio`);
      window.setRepresentedFilename(path);
    });
  }

  get contents(): WebContents {
    return this.window.webContents;
  }

  /** Opens a stream of a job's events to the window; its ports go to the preload with `nonce`. */
  async watch(jobId: string, nonce: string): Promise<null> {
    if (this.streams.has(nonce)) throw new RequestError('that stream is already open');
    const fromMain = new MessageChannelMain();
    const fromWorker = new MessageChannelMain();
    let handedOver = false;
    let workerStreams = false;
    let stop: Unsubscribe | null = null;
    const close = (): void => {
      stop?.();
      stop = null;
      this.streams.delete(nonce);
      fromMain.port1.close();
      if (!handedOver) fromWorker.port1.close();
    };
    const handOver = (): void => {
      if (handedOver) return;
      const worker = this.services.jobs.worker(jobId);
      if (worker instanceof UtilityWorker || worker instanceof GpuWindowWorker)
        handedOver = worker.openStream(fromWorker.port1, () => (workerStreams = true));
    };
    try {
      stop = await this.session.watchJob(jobId, (event) => {
        if (!workerStreams || !STREAMED_EVENT_TYPES.includes(event.type)) fromMain.port1.postMessage(event);
        if (event.type === 'state' && event.state === 'running') handOver();
      });
    } catch (error) {
      for (const port of [fromMain.port1, fromMain.port2, fromWorker.port1, fromWorker.port2]) port.close();
      throw error;
    }
    handOver();
    this.streams.set(nonce, close);
    fromMain.port1.on('close', close);
    fromMain.port1.start();
    this.contents.postMessage(JOB_PORT_CHANNEL, { jobId, nonce }, [fromMain.port2, fromWorker.port2]);
    return null;
  }

  unwatch(nonce: string): null {
    this.streams.get(nonce)?.();
    return null;
  }

  /** Whether the window shows a project (or is opening one), rather than the start page. */
  get hasProject(): boolean {
    return this.session.projectName !== null || this.opening !== null;
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

  /**
   * A new window on the start page, or opening `projectPath` (passed to the page as `?open=`);
   * a project already open in a window brings that window to the front instead.
   */
  open(projectPath?: string): StudioWindow {
    const already = projectPath === undefined ? undefined : this.showing(projectPath);
    if (already) {
      if (already.window.isMinimized()) already.window.restore();
      already.window.focus();
      return already;
    }
    const saved = readWindowState(this.options.stateFolder);
    const others = [...this.byContents.values()].map((studio) => studio.window.getNormalBounds());
    const place = placeWindow(
      saved?.bounds ?? null,
      screen.getAllDisplays().map((display) => display.workArea),
      others,
    );
    const window = new BrowserWindow({
      ...(place ?? DEFAULT_SIZE),
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      title: 'CNN Studio',
      backgroundColor: '#1e1e1e',
      webPreferences: {
        preload: this.options.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
        devTools: this.options.development,
      },
    });
    const studio = new StudioWindow(window, this.options.services, this.options.onProjectFile);
    studio.opening = projectPath ?? null;
    const id = window.webContents.id;
    this.byContents.set(id, studio);
    const contents = window.webContents;
    contents.on('will-navigate', (event, url) => {
      if (!mayNavigate(url)) {
        event.preventDefault();
        this.options.log(`refused to navigate a window to ${url}`);
      }
    });
    contents.on('will-redirect', (event, url) => {
      if (!mayNavigate(url)) event.preventDefault();
    });
    contents.on('will-prevent-unload', (event) => {
      // The page asked to stay (unsaved changes or a run going); preventing the event lets it go.
      const canKeepRunning = process.platform === 'darwin' || this.byContents.size > 1;
      const prompt = closePrompt(studio.session.projectName, studio.session.runningJobs().length, canKeepRunning);
      const { choices: _choices, ...options } = prompt;
      const choice = closeChoice(prompt, dialog.showMessageBoxSync(window, options));
      if (choice === 'cancel') return;
      if (choice === 'close-and-stop') studio.session.stopJobs();
      event.preventDefault();
    });
    contents.on('console-message', (event) => {
      if (event.level === 'error') this.options.log(`${event.message} (${event.sourceId}:${event.lineNumber})`, `renderer ${id}`);
    });
    contents.on('render-process-gone', (_event, details) => {
      if (details.reason === 'clean-exit') return;
      this.options.log(`the page's process is gone: ${details.reason} (exit code ${details.exitCode})`, `renderer ${id}`);
      if (window.isDestroyed()) return;
      const answer = dialog.showMessageBoxSync(window, {
        type: 'error',
        title: 'CNN Studio',
        message: 'This window stopped working.',
        detail: `Its page ${details.reason === 'oom' ? 'ran out of memory' : `ended (${details.reason})`}. Unsaved changes in it are lost; training runs go on.`,
        buttons: ['Reload', 'Close Window'],
        defaultId: 0,
        cancelId: 1,
      });
      if (answer === 0) contents.reload();
      else window.destroy();
    });
    window.once('ready-to-show', () => {
      if (saved?.maximized && place) window.maximize();
      window.show();
    });
    window.on('close', () => {
      const failure = writeWindowState(this.options.stateFolder, { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
      if (failure) this.options.log(failure);
    });
    window.on('closed', () => {
      studio.dispose();
      this.byContents.delete(id);
      if (this.byContents.size === 0) this.options.onLastClosed?.();
    });
    const url = new URL(APP_ENTRY_URL);
    if (projectPath) url.searchParams.set('open', projectPath);
    void window.loadURL(url.href);
    return studio;
  }

  /** The window showing the project file `path`, if one does. */
  showing(path: string): StudioWindow | undefined {
    return [...this.byContents.values()].find((studio) => studio.session.projectPath === path || studio.opening === path);
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

  /** Every open window. */
  all(): StudioWindow[] {
    return [...this.byContents.values()];
  }

  get count(): number {
    return this.byContents.size;
  }
}
