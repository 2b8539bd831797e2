// The main process (electron/main/index.ts) run under plain Node against a stand-in for the
// electron module (fake-electron.ts): start-up and hardening, the IPC handlers' sender checks and
// dispatch, a training job from startTraining to its `finished` event over a MessagePort, launch
// arguments, and the menu's dialogs. Electron itself is tested by electron-app.test.ts where its
// binary exists.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OpenedProject, StartFiltersPreview, StartFiltersProgress, StudioJobEvent } from '../../../electron/api';
import { CONTENT_SECURITY_POLICY } from '../../../electron/main/app-origin';
import {
  INVOKE_CHANNELS,
  JOB_PORT_CHANNEL,
  MENU_CHANNEL,
  START_FILTERS_PROGRESS_CHANNEL,
  type Envelope,
} from '../../../electron/main/channels';
import * as electron from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { app, ipcMain, session, protocol, Menu, dialog, shell, utilityProcess, FakeBrowserWindow } = electron;
const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-main-'));
/** The main process's own handlers of uncaught errors (vitest has its own, which are left alone). */
let uncaughtHandlers: ((error: unknown) => void)[] = [];

beforeAll(async () => {
  process.env.CNN_STUDIO_CONFIG_DIR = join(folder, 'config');
  process.env.CNN_STUDIO_USER_DATA = join(folder, 'user-data');
  const before = new Set([...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')]);
  await import('../../../electron/main/index');
  await new Promise((resolve) => setImmediate(resolve));
  uncaughtHandlers = [...process.listeners('uncaughtException'), ...process.listeners('unhandledRejection')].filter(
    (listener) => !before.has(listener),
  ) as never;
  for (const listener of uncaughtHandlers) {
    process.off('uncaughtException', listener as never);
    process.off('unhandledRejection', listener as never);
  }
}, 60_000);

afterAll(() => {
  for (const child of utilityProcess.children) child.kill();
  for (const window of FakeBrowserWindow.all) for (const { ports } of window.webContents.posted) for (const port of ports) port.close();
});

const firstWindow = () => FakeBrowserWindow.all[0];

const call = async (
  channel: string,
  args: unknown[],
  frame = { url: 'app://studio/index.html', parent: null as unknown },
  sender = firstWindow().webContents,
) => (await ipcMain.handlers.get(channel)!({ senderFrame: frame, sender }, ...args)) as Envelope;

const value = <T>(envelope: Envelope): T => {
  if (!envelope.ok) throw new Error(`${envelope.error.name}: ${envelope.error.message}`);
  return envelope.value as T;
};

describe('starting the app', () => {
  it('registers app:// as a standard, secure scheme and takes its profile from the environment', () => {
    expect(protocol.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(app.name).toBe('CNN Studio');
    expect(app.sandboxed).toBe(true);
    expect(app.paths.userData).toBe(join(folder, 'user-data'));
  });

  it('opens one sandboxed, context-isolated window on app://studio with the bundled preload', () => {
    expect(FakeBrowserWindow.all).toHaveLength(1);
    expect(firstWindow().url).toBe('app://studio/index.html');
    expect(firstWindow().options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      preload: expect.stringMatching(/[/\\]preload[/\\]index\.cjs$/),
    });
  });

  it('handles exactly the studio: channels, and sets a menu', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(Menu.current).toMatchObject({ template: expect.arrayContaining([expect.objectContaining({ label: '&File' })]) });
  });

  it('refuses every permission and puts the CSP on responses', () => {
    const answers: boolean[] = [];
    session.defaultSession.permissionRequestHandler!(...([null, 'media', (granted: boolean) => answers.push(granted)] as never[]));
    expect(answers).toEqual([false]);
    expect(session.defaultSession.permissionCheckHandler!()).toBe(false);
    let headers: unknown;
    session.defaultSession.headersHandler!(
      ...([{ responseHeaders: { 'content-security-policy': ['default-src *'] } }, (answer: unknown) => (headers = answer)] as never[]),
    );
    expect(headers).toEqual({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  it('serves nothing outside the built renderer, and nothing for another host', async () => {
    const handler = session.defaultSession.protocolHandlers.get('app')!;
    expect((await handler(new Request('app://other/index.html'))).status).toBe(404);
    expect((await handler(new Request('app://studio/..%2f..%2fpackage.json'))).status).toBe(404);
    const refused = await handler(new Request('app://studio/index.html', { method: 'POST', body: 'x' }));
    expect(refused.status).toBe(405);
    expect(refused.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });
});

describe('the IPC handlers', () => {
  it("answer the window's top frame as the Electron host", async () => {
    expect(value(await call('studio:hello', []))).toMatchObject({ host: 'electron', apiVersion: 5 });
  });

  it('refuse another page, a sub-frame and an unknown web contents', async () => {
    const other = await call('studio:hello', [], { url: 'https://example.com/', parent: null });
    expect(other).toEqual({ ok: false, error: { name: 'RequestError', message: expect.stringContaining("is not the app's page") } });
    const sub = await call('studio:hello', [], { url: 'app://studio/index.html', parent: {} });
    expect(sub).toMatchObject({ ok: false, error: { message: expect.stringContaining('sub-frame') } });
    const stranger = await call('studio:hello', [], undefined, new electron.FakeWebContents());
    expect(stranger).toMatchObject({ ok: false, error: { message: expect.stringContaining('not a CNN Studio project window') } });
  });

  it('check arguments before they reach the session', async () => {
    expect(await call('studio:openProject', [42])).toMatchObject({ ok: false, error: { name: 'RequestError' } });
    expect(await call('studio:watchJob', ['job-1', 'not-a-nonce'])).toMatchObject({ ok: false, error: { name: 'RequestError' } });
  });

  it("stream a training job to the window: main's events on one port, the worker's progress straight on the other", async () => {
    const opened = value<OpenedProject>(await call('studio:newProject', ['lenet5']));
    const job = value<{ jobId: string }>(await call('studio:startTraining', [opened.document, { epochs: 2, batchSize: 32, limit: 2048 }]));
    const nonce = 'a'.repeat(32);
    expect(value(await call('studio:watchJob', [job.jobId, nonce]))).toBeNull();
    const posted = firstWindow().webContents.posted.find((entry) => entry.channel === JOB_PORT_CHANNEL)!;
    expect(posted.message).toEqual({ jobId: job.jobId, nonce });
    expect(posted.ports).toHaveLength(2);
    const [fromMain, fromWorker] = posted.ports;
    const seen = { main: [] as StudioJobEvent[], worker: [] as StudioJobEvent[] };
    fromWorker.on('message', ({ data }: { data: StudioJobEvent }) => seen.worker.push(data));
    await new Promise<void>((resolve) =>
      fromMain.on('message', ({ data }: { data: StudioJobEvent }) => {
        seen.main.push(data);
        if (data.type === 'finished') resolve();
      }),
    );
    // The last of the worker's events may still be on its way: the two ports are not ordered.
    const both = () => [...seen.main, ...seen.worker];
    const checkpoints = () => both().flatMap((event) => (event.type === 'checkpoint' ? [event] : []));
    await vi.waitFor(() => expect(checkpoints()).toHaveLength(2));
    const steps = (events: StudioJobEvent[]) => events.flatMap((event) => (event.type === 'progress' ? [event.globalStep] : []));
    // The worker streamed progress, epochs and checkpoint notices itself (when it took over depends
    // on how busy the machine is; two epochs of 2048 samples are long enough for it to), and
    // nothing else.
    expect(steps(seen.worker).length).toBeGreaterThan(0);
    expect(seen.worker.every((event) => ['progress', 'epoch', 'checkpoint'].includes(event.type))).toBe(true);
    const [first, last] = checkpoints();
    expect([first.epoch, last.epoch]).toEqual([1, 2]);
    expect(seen.worker.at(-1)).toEqual(last);
    expect(both().filter((event) => event.type === 'epoch')).toHaveLength(2);
    // Main sent the streamed kinds only from before the worker took over: each step once, in order.
    const all = [...steps(seen.main), ...steps(seen.worker)];
    expect(all).toEqual([...new Set(all)].sort((x, y) => x - y));
    expect(all.at(-1)).toBeLessThanOrEqual(last.globalStep);
    expect(seen.main.find((event) => event.type === 'started')).toMatchObject({ backend: 'cpu' });
    expect(seen.main.at(-1)).toMatchObject({ type: 'finished', state: 'completed', weightsKept: true });
    expect(utilityProcess.forks[0].modulePath).toMatch(/[/\\]main[/\\]worker\.mjs$/);
    expect(utilityProcess.forks[0].options.serviceName).toBe('CNN Studio training worker 1');
    expect(value(await call('studio:unwatchJob', [nonce]))).toBeNull();
    for (const port of posted.ports) port.close();
  }, 60_000);

  it("send a filter preview's progress to the window with the preload's nonce, and cancel it", async () => {
    const opened = value<OpenedProject>(await call('studio:newProject', ['convnet']));
    const document = { ...opened.document, training: { ...opened.document.training, filters: { conv1: { start: { kind: 'kmeans' } } } } };
    const nonce = 'b'.repeat(32);
    const answer = value<StartFiltersPreview>(await call('studio:previewStartFilters', [document, 'conv1', { limit: 100 }, nonce]));
    expect(answer).toMatchObject({ images: 100, tensor: { shape: [32, 1, 3, 3] } });
    const progress = firstWindow()
      .webContents.sent.filter((entry) => entry.channel === START_FILTERS_PROGRESS_CHANNEL)
      .map((entry) => entry.args[0] as { nonce: string; progress: StartFiltersProgress });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((entry) => entry.nonce === nonce)).toBe(true);
    expect(progress[0].progress).toEqual({ stage: 'dataset', fraction: 0 });
    expect(progress.at(-1)!.progress).toEqual({ stage: 'kmeans', fraction: 1 });
    // a fourth argument that is not a nonce is refused; cancelled, the preview answers a CancelledError
    expect(await call('studio:previewStartFilters', [document, 'conv1', {}, 'not-a-nonce'])).toMatchObject({
      ok: false,
      error: { name: 'RequestError' },
    });
    const cancelled = call('studio:previewStartFilters', [document, 'conv1', {}]);
    expect(value(await call('studio:cancelStartFilters', ['conv1']))).toBeNull();
    expect(await cancelled).toMatchObject({ ok: false, error: { name: 'CancelledError' } });
  });

  it('stream a finished job wholly from main (its worker is gone), from the first event to the last', async () => {
    const jobId = (firstWindow().webContents.posted.find((entry) => entry.channel === JOB_PORT_CHANNEL)!.message as { jobId: string })
      .jobId;
    const nonce = 'd'.repeat(32);
    value(await call('studio:watchJob', [jobId, nonce]));
    const posted = firstWindow().webContents.posted.at(-1)!;
    const events: StudioJobEvent[] = [];
    await new Promise<void>((resolve) =>
      posted.ports[0].on('message', ({ data }: { data: StudioJobEvent }) => {
        events.push(data);
        if (data.type === 'finished') resolve();
      }),
    );
    expect(events.filter((event) => event.type === 'epoch')).toHaveLength(2);
    expect(events.filter((event) => event.type === 'progress').length).toBeGreaterThan(0);
    for (const port of posted.ports) port.close();
  });
});

type MenuTemplate = { template: { label: string; submenu: { label?: string; click?: () => void }[] }[] };
const menuItem = (menu: string, label: string) =>
  (Menu.current as MenuTemplate).template.find((entry) => entry.label === menu)!.submenu.find((item) => item.label === label)!;

describe('windows', () => {
  it('may not navigate away or open windows; only links the app made open outside', () => {
    const contents = firstWindow().webContents;
    const prevented: string[] = [];
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://studio/index.html'])
      contents.emit('will-navigate', { preventDefault: () => prevented.push(url) }, url);
    expect(prevented).toEqual(['https://example.com/', 'file:///etc/passwd']);
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual([]);
  });

  it('open the project files a second launch passes, each in a window of its own', () => {
    const before = FakeBrowserWindow.all.length;
    app.emit('second-instance', {}, ['/opt/CNN Studio/cnn-studio', '--no-sandbox', 'nets/My Net.cnnproj'], '/home/me');
    expect(FakeBrowserWindow.all).toHaveLength(before + 1);
    const url = new URL(FakeBrowserWindow.all.at(-1)!.url!);
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe('app://studio/index.html');
    expect(url.searchParams.get('open')).toBe('/home/me/nets/My Net.cnnproj');
  });

  it('send Save As to the focused window with the path chosen in the native dialog', async () => {
    const window = firstWindow();
    FakeBrowserWindow.focused = window;
    dialog.nextSave = join(folder, 'chosen');
    const file = (Menu.current as { template: { label: string; submenu: { label?: string; click?: () => void }[] }[] }).template.find(
      (menu) => menu.label === '&File',
    )!;
    file.submenu.find((item) => item.label === 'Save As…')!.click!();
    await vi.waitFor(() =>
      expect(window.webContents.sent.at(-1)).toEqual({
        channel: MENU_CHANNEL,
        args: [{ command: 'saveAs', path: join(folder, 'chosen.cnnproj') }],
      }),
    );
  });

  it('ask where to save a project that has no file yet, in the native dialog, named after it', async () => {
    const window = firstWindow();
    FakeBrowserWindow.focused = window;
    value(await call('studio:newProject', ['lenet5']));
    const asked: Record<string, unknown>[] = [];
    const original = dialog.showSaveDialog;
    dialog.showSaveDialog = async (...args: unknown[]) => {
      asked.push(args.at(-1) as Record<string, unknown>);
      return { canceled: false, filePath: join(folder, 'untitled-choice') };
    };
    try {
      menuItem('&File', 'Save').click!();
      await vi.waitFor(() =>
        expect(window.webContents.sent.at(-1)).toEqual({
          channel: MENU_CHANNEL,
          args: [{ command: 'saveAs', path: join(folder, 'untitled-choice.cnnproj') }],
        }),
      );
      expect(asked[0]).toMatchObject({ defaultPath: expect.stringMatching(/LeNet-5\.cnnproj$/) });
    } finally {
      dialog.showSaveDialog = original;
    }
  });

  it('give a window whose project was saved its name for a title, and the file to the recent documents', async () => {
    const window = firstWindow();
    const opened = value<OpenedProject>(await call('studio:newProject', ['lenet5']));
    const path = join(folder, 'titled.cnnproj');
    value(await call('studio:saveProject', [path, opened.document]));
    expect(app.recentDocuments).toContain(path);
    expect(window.title).toBe(`${opened.document.name} — titled.cnnproj — CNN Studio`);
    expect(window.representedFilename).toBe(path);
  });

  it('bring forward the window already showing a project instead of opening it twice', () => {
    const before = FakeBrowserWindow.all.length;
    const focused = firstWindow().focusCalls;
    app.emit('second-instance', {}, ['cnn-studio', join(folder, 'titled.cnnproj')], folder);
    expect(FakeBrowserWindow.all).toHaveLength(before);
    expect(firstWindow().focusCalls).toBe(focused + 1);
  });

  it('open New Project in a new window when the focused one shows a project', () => {
    FakeBrowserWindow.focused = firstWindow();
    const before = FakeBrowserWindow.all.length;
    menuItem('&File', 'New Project').click!();
    expect(FakeBrowserWindow.all).toHaveLength(before + 1);
    expect(FakeBrowserWindow.all.at(-1)!.url).toBe('app://studio/index.html');
  });

  it('send the Train and Help commands to the focused window, and open the log folder', () => {
    const window = firstWindow();
    FakeBrowserWindow.focused = window;
    for (const label of ['Start Training', 'Pause or Resume Training', 'Stop Training']) menuItem('&Train', label).click!();
    menuItem('&Help', 'Keyboard Shortcuts').click!();
    menuItem('&View', 'Switch Theme').click!();
    expect(window.webContents.sent.slice(-5).map((entry) => entry.args[0])).toEqual([
      { command: 'trainStart' },
      { command: 'trainPause' },
      { command: 'trainStop' },
      { command: 'shortcuts' },
      { command: 'toggleTheme' },
    ]);
    menuItem('&Help', 'Open Log Folder').click!();
    expect(shell.openedPaths).toEqual([app.paths.logs]);
  });

  it('ask before closing a window whose page wants to stay, and stop or keep its run as chosen', async () => {
    const window = firstWindow();
    const opened = value<OpenedProject>(await call('studio:newProject', ['lenet5']));
    const overrides = { epochs: 50, batchSize: 8 };
    const unload = (answer: number) => {
      dialog.messageBoxAnswers.push(answer);
      let allowed = false;
      window.webContents.emit('will-prevent-unload', { preventDefault: () => (allowed = true) });
      return { allowed, box: dialog.messageBoxes.at(-1)! };
    };

    // Unsaved changes only: close without saving, or cancel.
    const unsaved = unload(0);
    expect(unsaved.allowed).toBe(false);
    expect(unsaved.box).toMatchObject({ message: expect.stringContaining('unsaved changes'), buttons: ['Cancel', 'Close Without Saving'] });
    expect(unload(1).allowed).toBe(true);

    // A run going, other windows open: stop it, or let it finish in the background.
    const job = value<{ jobId: string }>(await call('studio:startTraining', [opened.document, overrides]));
    value(await call('studio:watchJob', [job.jobId, 'c'.repeat(32)]));
    const ports = window.webContents.posted.at(-1)!.ports;
    const events: StudioJobEvent[] = [];
    for (const port of ports) port.on('message', ({ data }: { data: StudioJobEvent }) => events.push(data));
    await vi.waitFor(() => expect(events.some((event) => event.type === 'progress')).toBe(true), { timeout: 30_000 });
    const keep = unload(2);
    expect(keep.box).toMatchObject({
      message: expect.stringContaining('a training run in progress'),
      buttons: ['Cancel', 'Stop and Close', 'Close and Let It Finish'],
    });
    expect(keep.allowed).toBe(true);
    const seen = events.length;
    await vi.waitFor(() => expect(events.slice(seen).some((event) => event.type === 'progress')).toBe(true), { timeout: 30_000 });
    expect(events.some((event) => event.type === 'finished')).toBe(false);
    const stop = unload(1);
    expect(stop.allowed).toBe(true);
    await vi.waitFor(() => expect(events.find((event) => event.type === 'finished')).toMatchObject({ state: 'stopped' }), {
      timeout: 30_000,
    });
    for (const port of ports) port.close();
  }, 90_000);

  it('write errors from pages and the main process to the log file, and show the uncaught ones', () => {
    const contents = firstWindow().webContents;
    contents.emit('console-message', {
      level: 'error',
      message: 'TypeError: x is undefined',
      sourceId: 'app://studio/a.js',
      lineNumber: 3,
    });
    contents.emit('console-message', { level: 'info', message: 'just chatting', sourceId: 'app://studio/a.js', lineNumber: 4 });
    expect(uncaughtHandlers).toHaveLength(2);
    uncaughtHandlers[0](new Error('boom in main'));
    const log = readFileSync(join(app.paths.logs, 'main.log'), 'utf8');
    expect(log).toMatch(/\[renderer \d+\] TypeError: x is undefined \(app:\/\/studio\/a\.js:3\)/);
    expect(log).not.toContain('just chatting');
    expect(log).toMatch(/\[main\] uncaught exception: Error: boom in main\n.*\[main\]\s+at /);
    expect(log).toContain('[main] refused to navigate a window to https://example.com/');
    expect(dialog.errorBoxes.at(-1)).toEqual({
      title: 'CNN Studio: unexpected error',
      content: expect.stringContaining(`boom in main\n\nThe details are in ${join(app.paths.logs, 'main.log')}`),
    });
  });

  it('offer to reload a window whose page crashed, and log it', () => {
    const window = firstWindow();
    dialog.messageBoxAnswers.push(0);
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(window.webContents.reloads).toBe(1);
    expect(dialog.messageBoxes.at(-1)).toMatchObject({ message: 'This window stopped working.', buttons: ['Reload', 'Close Window'] });
    expect(readFileSync(join(app.paths.logs, 'main.log'), 'utf8')).toContain("the page's process is gone: crashed (exit code 139)");
  });

  it('reopen a window where the last one closed', () => {
    const closing = FakeBrowserWindow.all.at(-1)!;
    closing.bounds = { x: 333, y: 222, width: 1111, height: 777 };
    closing.close();
    expect(existsSync(join(app.paths.userData, 'window-state.json'))).toBe(true);
    app.emit('second-instance', {}, ['cnn-studio', join(folder, 'elsewhere.cnnproj')], folder);
    expect(FakeBrowserWindow.all.at(-1)!.options).toMatchObject({ x: 333, y: 222, width: 1111, height: 777 });
  });

  it('train a WebGPU job on a dataset made in memory in a hidden GPU window, and others in utility processes', async () => {
    const window = firstWindow();
    const opened = value<OpenedProject>(await call('studio:newProject', ['autoencoder']));
    expect(opened.document.dataset).toMatchObject({ kind: 'denoise' });
    const windows = FakeBrowserWindow.all.length;
    const forks = utilityProcess.forks.length;
    const job = value<{ jobId: string }>(await call('studio:startTraining', [opened.document, { epochs: 1, backend: 'webgpu' }]));
    const hidden = FakeBrowserWindow.all.at(-1)!;
    expect(FakeBrowserWindow.all).toHaveLength(windows + 1);
    expect(utilityProcess.forks).toHaveLength(forks);
    expect(hidden.options).toMatchObject({
      show: false,
      webPreferences: { sandbox: true, preload: expect.stringMatching(/[/\\]preload[/\\]gpu\.cjs$/) },
    });
    expect(hidden.url).toBe('app://studio/gpu-worker/index.html');
    if (process.platform === 'linux') expect(app.commandLine.switches).toContain('enable-unsafe-webgpu');
    // The page's process dies here (the stand-in has no page): the job fails, saying so.
    value(await call('studio:watchJob', [job.jobId, 'e'.repeat(32)]));
    const events: StudioJobEvent[] = [];
    for (const port of window.webContents.posted.at(-1)!.ports)
      port.on('message', ({ data }: { data: StudioJobEvent }) => events.push(data));
    hidden.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 11 });
    await vi.waitFor(() =>
      expect(events.find((event) => event.type === 'failed')).toMatchObject({ reason: expect.stringContaining('stopped unexpectedly') }),
    );
    expect(hidden.destroyed).toBe(true);
  });

  it('forget a closed window: its IPC is refused', async () => {
    const window = FakeBrowserWindow.all.at(-1)!;
    window.emit('closed');
    const answer = await call('studio:hello', [], undefined, window.webContents);
    expect(answer).toMatchObject({ ok: false, error: { message: expect.stringContaining('not a CNN Studio project window') } });
  });
});

describe('quitting', () => {
  it('quits (on Windows and Linux) when the last project window closes, without waiting for window-all-closed (a hidden GPU window would hold it back)', () => {
    const quits = app.quitCalls;
    const isProjectWindow = (window: (typeof FakeBrowserWindow.all)[number]) =>
      /index\.cjs$/.test((window.options.webPreferences as { preload: string }).preload);
    const projectWindows = FakeBrowserWindow.all.filter((window) => !window.destroyed && isProjectWindow(window));
    expect(projectWindows.length).toBeGreaterThan(1);
    for (const window of projectWindows.slice(0, -1)) window.close();
    expect(app.quitCalls).toBe(quits);
    projectWindows.at(-1)!.close();
    expect(app.quitCalls).toBe(process.platform === 'darwin' ? quits : quits + 1);
  });
});
