// The main process (electron/main/index.ts) run under plain Node against a stand-in for the
// electron module (fake-electron.ts): start-up and hardening, the IPC handlers' sender checks and
// dispatch, a training job from startTraining to its `finished` event over a MessagePort, launch
// arguments, and the menu's dialogs. Electron itself is tested by electron-app.test.ts where its
// binary exists.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OpenedProject, StudioJobEvent } from '../../../electron/api';
import { CONTENT_SECURITY_POLICY } from '../../../electron/main/app-origin';
import { INVOKE_CHANNELS, JOB_PORT_CHANNEL, MENU_CHANNEL, type Envelope } from '../../../electron/main/channels';
import * as electron from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { app, ipcMain, session, protocol, Menu, dialog, shell, utilityProcess, FakeBrowserWindow } = electron;
const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-main-'));

beforeAll(async () => {
  process.env.CNN_STUDIO_CONFIG_DIR = join(folder, 'config');
  process.env.CNN_STUDIO_USER_DATA = join(folder, 'user-data');
  await import('../../../electron/main/index');
  await new Promise((resolve) => setImmediate(resolve));
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
    expect(value(await call('studio:hello', []))).toMatchObject({ host: 'electron', apiVersion: 3 });
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

  it('stream a training job over a MessagePort posted to the window, ending with finished', async () => {
    const opened = value<OpenedProject>(await call('studio:newProject', ['lenet5']));
    const job = value<{ jobId: string }>(await call('studio:startTraining', [opened.document, { epochs: 1, batchSize: 32, limit: 128 }]));
    const nonce = 'a'.repeat(32);
    expect(value(await call('studio:watchJob', [job.jobId, nonce]))).toBeNull();
    const posted = firstWindow().webContents.posted.find((entry) => entry.channel === JOB_PORT_CHANNEL)!;
    expect(posted.message).toEqual({ jobId: job.jobId, nonce });
    expect(posted.ports).toHaveLength(1);
    const events = await new Promise<StudioJobEvent[]>((resolve) => {
      const seen: StudioJobEvent[] = [];
      posted.ports[0].on('message', ({ data }: { data: StudioJobEvent }) => {
        seen.push(data);
        if (data.type === 'finished') resolve(seen);
      });
    });
    expect(events.find((event) => event.type === 'started')).toMatchObject({ backend: 'cpu' });
    expect(events.at(-1)).toMatchObject({ type: 'finished', state: 'completed', weightsKept: true });
    expect(utilityProcess.forks[0].modulePath).toMatch(/[/\\]main[/\\]worker\.mjs$/);
    expect(utilityProcess.forks[0].options.serviceName).toBe('CNN Studio training worker 1');
    expect(value(await call('studio:unwatchJob', [nonce]))).toBeNull();
    posted.ports[0].close();
  }, 60_000);
});

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

  it('forget a closed window: its IPC is refused', async () => {
    const window = FakeBrowserWindow.all.at(-1)!;
    window.emit('closed');
    const answer = await call('studio:hello', [], undefined, window.webContents);
    expect(answer).toMatchObject({ ok: false, error: { message: expect.stringContaining('not a CNN Studio project window') } });
  });
});
