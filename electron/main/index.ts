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
 * What remains (see the report of the desktop issue): the job stream leaves from this process
 * (MessageChannelMain, not ipc), because the renderer's StudioJobEvents are made here by
 * TrainingJobs; a worker-to-window port needs TrainingJobs to hand a job's worker a port, and
 * the lifecycle events (state, finished) to follow on it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, Menu, session, shell, type WebContents } from 'electron';
import { RecentProjects, configFolder } from '../host/server/recent';
import { memoryLimitBytes } from '../host/server/start-run';
import { TrainingJobs } from '../host/server/training-jobs';
import type { HostServices } from '../host/server/window-session';
import { JobManager } from '../services/jobs/job-manager';
import { RecoveryStore } from '../services/recovery/recovery-store';
import { ExternalLinks } from './app-origin';
import { hardenSession, registerAppScheme, serveRenderer } from './app-protocol';
import type { MenuCommand } from './channels';
import { askProjectToOpen, askWhereToSave } from './dialogs';
import { registerIpc } from './ipc';
import { projectPathsFromArgv } from './launch';
import { menuTemplate } from './menu';
import { UtilityWorkerHost } from './utility-worker-host';
import { StudioWindows } from './windows';

const here = dirname(fileURLToPath(import.meta.url));
const RENDERER = join(here, '..', 'renderer');
const PRELOAD = join(here, '..', 'preload', 'index.cjs');
const WORKER = join(here, 'worker.mjs');
const development = !app.isPackaged;
const log = (line: string): void => console.error(`[cnn-studio main] ${line}`);

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

  const ready = (): void => {
    hardenSession(session.defaultSession);
    serveRenderer(session.defaultSession, RENDERER);
    const application = `CNN Studio ${appVersion()}`;
    const manager = new JobManager(new UtilityWorkerHost(WORKER), { maxConcurrent: 1, memoryLimitBytes: memoryLimitBytes() });
    services = {
      jobs: new TrainingJobs(manager),
      recent: new RecentProjects(configFolder()),
      // Unsaved documents are the user's data, so they live in the app's user-data folder.
      recovery: new RecoveryStore(join(app.getPath('userData'), 'recovery'), { application }),
      application,
      defaultFolder: app.getPath('documents'),
    };
    const studio = new StudioWindows({ services, preload: PRELOAD, development, log });
    windows = studio;
    registerIpc(studio, log);

    const send = (command: MenuCommand, path?: string) => studio.current()?.command(path === undefined ? { command } : { command, path });
    const defaultPath = () => studio.current()?.session.projectPath ?? join(app.getPath('documents'), 'project.cnnproj');
    const actions = {
      newWindow: () => void studio.open(),
      newProject: () => (studio.current() ? send('new') : studio.open()),
      open: () =>
        void askProjectToOpen(studio.current()?.window, dirname(defaultPath())).then((path) => {
          if (!path) return;
          if (studio.current()) send('open', path);
          else studio.open(path);
        }),
      save: () => send('save'),
      saveAs: () => void askWhereToSave(studio.current()?.window, defaultPath()).then((path) => path && send('saveAs', path)),
      undo: () => send('undo'),
      redo: () => send('redo'),
    };
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ platform: process.platform, development, appName: app.name, actions })));

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
      log(`could not start: ${error instanceof Error ? error.stack : String(error)}`);
      app.exit(1);
    });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => services?.jobs.stopAll());
};

app.setName('CNN Studio');
// Tests (and people running two development copies) give each run its own profile, and so its
// own single-instance lock.
if (process.env.CNN_STUDIO_USER_DATA) app.setPath('userData', process.env.CNN_STUDIO_USER_DATA);
// Every renderer sandboxed, whatever its webPreferences say (security checklist item 4).
app.enableSandbox();
registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();
else start();
