/**
 * The desktop app's main process: lifecycle, windows, menu, dialogs and the IPC wiring over the
 * same services as the Node host (project store, job manager, recent list); training runs in
 * utility processes (UtilityWorkerHost). Bundled by build/build-electron.mjs to out/main/index.mjs,
 * beside out/main/worker.mjs, out/preload/index.cjs and out/renderer.
 *
 * - One instance: a second launch hands its project files to this one and quits.
 * - Project files arrive on the command line (also as file:// URLs from Linux desktop files) and,
 *   on macOS, through `open-file`; each opens in a new window (`?open=<path>` on the page's URL).
 * - Every window is sandboxed and context-isolated, loads only `app://studio`, and may neither
 *   navigate away nor open windows; https links are opened outside only when the app made them.
 *
 * - Everything worth knowing goes to main.log in the app's log folder (log-file.ts): uncaught
 *   errors and rejections here (also shown in an error box), the pages' console errors, processes
 *   that die, and the training workers' stderr.
 *
 * - A job's stream reaches its window on MessagePorts: the worker's progress straight from its
 *   utility process, the events main makes on a second port (windows.ts, worker/job-stream.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, Menu, session, shell, type WebContents } from 'electron';
import { RecentProjects, configFolder } from '../host/server/recent';
import { memoryLimitBytes } from '../host/server/start-run';
import { TrainingJobs } from '../host/server/training-jobs';
import type { HostServices } from '../host/server/window-session';
import { JobManager } from '../services/jobs/job-manager';
import { RecoveryStore } from '../services/recovery/recovery-store';
import { APP_ORIGIN, ExternalLinks } from './app-origin';
import { hardenSession, registerAppScheme, serveRenderer } from './app-protocol';
import type { MenuCommand } from './channels';
import { askProjectToOpen, askWhereToSave } from './dialogs';
import { registerIpc } from './ipc';
import { projectPathsFromArgv } from './launch';
import { LogFile, describeThrown } from './log-file';
import { menuTemplate } from './menu';
import { watchRendererBuild } from './renderer-reload';
import { GpuWindowHost } from './gpu-window-host';
import { UtilityWorkerHost } from './utility-worker-host';
import { WorkerRouter } from './worker-router';
import { StudioWindows } from './windows';

const here = dirname(fileURLToPath(import.meta.url));
const RENDERER = join(here, '..', 'renderer');
const PRELOAD = join(here, '..', 'preload', 'index.cjs');
const GPU_PRELOAD = join(here, '..', 'preload', 'gpu.cjs');
const GPU_PAGE = `${APP_ORIGIN}/gpu-worker/index.html`;
const WORKER = join(here, 'worker.mjs');
const DATA_SERVER = join(here, 'data-server.mjs');
const development = !app.isPackaged;

app.setName('CNN Studio');
// Tests (and people running two development copies) give each run its own profile, and so its
// own single-instance lock.
if (process.env.CNN_STUDIO_USER_DATA) app.setPath('userData', process.env.CNN_STUDIO_USER_DATA);
// The log folder: ~/Library/Logs/CNN Studio on macOS, <userData>/logs elsewhere.
app.setAppLogsPath();
const logFile = new LogFile(app.getPath('logs'));
const log = (line: string, source = 'main'): void => logFile.write(source, line);

/** An error nothing caught: logged, and shown, since the app may no longer work as it should. */
const unexpected = (what: string, error: unknown): void => {
  log(`${what}: ${describeThrown(error)}`);
  dialog.showErrorBox(
    'CNN Studio: unexpected error',
    `${error instanceof Error ? error.message : String(error)}\n\nThe details are in ${logFile.path}. Save your work and restart CNN Studio if it misbehaves.`,
  );
};
process.on('uncaughtException', (error) => unexpected('uncaught exception', error));
process.on('unhandledRejection', (reason) => unexpected('unhandled rejection', reason));

/** The app's version: Electron's answer in a package, the repository's package.json in development. */
const appVersion = (): string => {
  if (app.isPackaged) return app.getVersion();
  try {
    return (JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return app.getVersion();
  }
};

/** Links the app itself made; nothing else reaches shell.openExternal. */
const links = new ExternalLinks();

/** Every web contents: no new windows (trusted https links open outside), no webviews. */
const hardenContents = (contents: WebContents): void => {
  contents.setWindowOpenHandler(({ url }) => {
    if (links.mayOpen(url)) void shell.openExternal(url);
    else log(`refused to open a window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
};

const start = (): void => {
  const pending = projectPathsFromArgv(process.argv.slice(1), process.cwd());
  let windows: StudioWindows | null = null;
  let services: HostServices | null = null;

  const openPath = (path: string): void => {
    if (windows) windows.open(path);
    else pending.push(path);
  };
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openPath(path);
  });
  app.on('second-instance', (_event, argv, cwd) => {
    const paths = projectPathsFromArgv(argv.slice(1), cwd);
    for (const path of paths) openPath(path);
    const current = windows?.current()?.window;
    if (paths.length === 0 && current) {
      if (current.isMinimized()) current.restore();
      current.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('child-process-gone', (_event, details) => {
    if (details.reason !== 'clean-exit')
      log(`${details.serviceName ?? details.name ?? details.type} process gone: ${details.reason} (exit code ${details.exitCode})`);
  });

  const ready = (): void => {
    hardenSession(session.defaultSession);
    serveRenderer(session.defaultSession, RENDERER);
    const application = `CNN Studio ${appVersion()}`;
    // WebGPU jobs on in-memory datasets train in a hidden window (the only place with WebGPU here).
    const workers = new WorkerRouter(
      new UtilityWorkerHost(WORKER, log),
      new GpuWindowHost({ preload: GPU_PRELOAD, pageUrl: GPU_PAGE, dataServer: DATA_SERVER, log }),
    );
    const manager = new JobManager(workers, { maxConcurrent: 1, memoryLimitBytes: memoryLimitBytes() });
    services = {
      jobs: new TrainingJobs(manager),
      recent: new RecentProjects(configFolder()),
      // Unsaved documents are the user's data, so they live in the app's user-data folder.
      recovery: new RecoveryStore(join(app.getPath('userData'), 'recovery'), { application }),
      application,
      defaultFolder: app.getPath('documents'),
    };
    const studio = new StudioWindows({
      services,
      preload: PRELOAD,
      development,
      log,
      stateFolder: app.getPath('userData'),
      onProjectFile: (path) => app.addRecentDocument(path),
      // A hidden GPU window is a window too: 'window-all-closed' would wait for it.
      onLastClosed: () => {
        if (process.platform !== 'darwin') app.quit();
      },
    });
    windows = studio;
    registerIpc(studio, log);

    const send = (command: MenuCommand, path?: string) => studio.current()?.command(path === undefined ? { command } : { command, path });
    const defaultPath = () => {
      const session = studio.current()?.session;
      const name = (session?.projectName ?? 'project').replace(/[^\p{L}\p{N} _-]+/gu, '-').trim() || 'project';
      return session?.projectPath ?? join(app.getPath('documents'), `${name}.cnnproj`);
    };
    // One window per project: a window already showing one gets its company in a new window.
    const actions = {
      newWindow: () => void studio.open(),
      newProject: () => {
        const current = studio.current();
        if (current && !current.hasProject) current.window.focus();
        else studio.open();
      },
      open: () =>
        void askProjectToOpen(studio.current()?.window, dirname(defaultPath())).then((path) => {
          if (!path) return;
          const current = studio.current();
          if (current && !current.hasProject && !studio.showing(path)) {
            current.opening = path;
            send('open', path);
          } else studio.open(path);
        }),
      // A project never saved has no file yet: Save asks where, in the native dialog.
      save: () => (studio.current()?.session.projectPath ? send('save') : actions.saveAs()),
      saveAs: () => void askWhereToSave(studio.current()?.window, defaultPath()).then((path) => path && send('saveAs', path)),
      undo: () => send('undo'),
      redo: () => send('redo'),
      trainStart: () => send('trainStart'),
      trainPause: () => send('trainPause'),
      trainStop: () => send('trainStop'),
      shortcuts: () => send('shortcuts'),
      toggleTheme: () => send('toggleTheme'),
      openLogFolder: () => void shell.openPath(logFile.folder),
    };
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ platform: process.platform, development, appName: app.name, actions })));

    // `npm start` rebuilds the renderer as its sources change; the windows follow.
    if (development && process.env.CNN_STUDIO_RENDERER_WATCH === '1') {
      const stop = watchRendererBuild(RENDERER, () => {
        log('the renderer was rebuilt: reloading the windows');
        for (const window of studio.all()) window.contents.reload();
      });
      app.on('will-quit', stop);
    }

    const first = pending.splice(0);
    if (first.length === 0) studio.open();
    for (const path of first) studio.open(path);
    app.on('activate', () => {
      if (studio.count === 0) studio.open();
    });
  };
  app
    .whenReady()
    .then(ready)
    .catch((error: unknown) => {
      log(`could not start: ${describeThrown(error)}`);
      app.exit(1);
    });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // After every window has closed (each may have asked whether to stop its runs), not before.
  app.on('will-quit', () => services?.jobs.stopAll());
};

// Every renderer sandboxed, whatever its webPreferences say (security checklist item 4).
app.enableSandbox();
// Chromium on Linux offers WebGPU (to the hidden GPU window) only with this switch.
if (process.platform === 'linux') app.commandLine.appendSwitch('enable-unsafe-webgpu');
registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();
else start();
