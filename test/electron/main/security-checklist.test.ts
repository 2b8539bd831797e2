// Electron's security checklist (electronjs.org/docs/latest/tutorial/security), one test per item,
// against the main process run under plain Node with the stand-in for electron (fake-electron.ts)
// and against the packaging configuration. The real binary's behaviour is checked by
// electron-app.test.ts where Electron can run.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import builderConfig from '../../../build/electron-builder.config.mjs';
import { CONTENT_SECURITY_POLICY } from '../../../electron/main/app-origin';
import type { Envelope } from '../../../electron/main/channels';
import * as electron from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

const { app, ipcMain, session, protocol, shell, FakeBrowserWindow, FakeWebContents } = electron;
const ROOT = resolve(import.meta.dirname, '../../..');
const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-security-'));

beforeAll(async () => {
  process.env.CNN_STUDIO_CONFIG_DIR = join(folder, 'config');
  process.env.CNN_STUDIO_USER_DATA = join(folder, 'user-data');
  await import('../../../electron/main/index');
  await new Promise((resolve) => setImmediate(resolve));
}, 60_000);

const window = () => FakeBrowserWindow.all[0];
const preferences = () => window().options.webPreferences as Record<string, unknown>;
const hello = (frame: { url: string; parent: unknown }, sender: unknown = window().webContents) =>
  ipcMain.handlers.get('studio:hello')!({ senderFrame: frame, sender }) as Promise<Envelope>;
const fuses = (builderConfig as unknown as { electronFuses: Record<string, boolean> }).electronFuses;

describe("Electron's security checklist", () => {
  it('1. loads only its own content, from app://studio, never a remote page', () => {
    expect(window().url).toBe('app://studio/index.html');
    expect(session.defaultSession.protocolHandlers.has('app')).toBe(true);
  });

  it('2. gives no page Node.js', () => {
    expect(preferences()).toMatchObject({ nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false });
  });

  it('3. isolates the preload’s context from the page', () => {
    expect(preferences().contextIsolation).toBe(true);
  });

  it('4. sandboxes every renderer', () => {
    expect(preferences().sandbox).toBe(true);
    expect(app.sandboxed).toBe(true);
  });

  it('5. refuses every permission request and check', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      const answers: boolean[] = [];
      session.defaultSession.permissionRequestHandler!(...([null, permission, (granted: boolean) => answers.push(granted)] as never[]));
      expect(answers).toEqual([false]);
    }
    expect(session.defaultSession.permissionCheckHandler!()).toBe(false);
  });

  it('6. keeps webSecurity on', () => {
    expect(preferences().webSecurity).toBe(true);
  });

  it('7. sets its Content-Security-Policy on its own responses and on any other', async () => {
    const response = await session.defaultSession.protocolHandlers.get('app')!(new Request('app://studio/no-such-file.js'));
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    let headers: unknown;
    session.defaultSession.headersHandler!(
      ...([
        { responseHeaders: { 'Content-Security-Policy': ["script-src 'unsafe-eval'"] } },
        (answer: unknown) => (headers = answer),
      ] as never[]),
    );
    expect(headers).toEqual({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
  });

  it('8. never runs insecure content', () => {
    expect(preferences().allowRunningInsecureContent).toBe(false);
  });

  it('9. leaves experimental features off', () => {
    expect(preferences().experimentalFeatures).toBe(false);
  });

  it('10. enables no Blink features', () => {
    expect(preferences()).not.toHaveProperty('enableBlinkFeatures');
  });

  it('11. has no <webview> tag', () => {
    expect(preferences().webviewTag).toBe(false);
  });

  it('12. refuses any <webview> that would be attached all the same', () => {
    let prevented = false;
    window().webContents.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });

  it('13. does not navigate away from its own origin, nor follow redirects out of it', () => {
    const prevented: string[] = [];
    for (const event of ['will-navigate', 'will-redirect'])
      for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://studio.evil/', 'app://studio/index.html'])
        window().webContents.emit(event, { preventDefault: () => prevented.push(`${event} ${url}`) }, url);
    expect(prevented).toEqual(
      ['will-navigate', 'will-redirect'].flatMap((event) =>
        ['https://example.com/', 'file:///etc/passwd', 'app://studio.evil/'].map((url) => `${event} ${url}`),
      ),
    );
  });

  it('14. opens no new windows', () => {
    for (const url of ['https://example.com/', 'app://studio/index.html', 'about:blank'])
      expect(window().webContents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    expect(FakeBrowserWindow.all).toHaveLength(1);
  });

  it('15. hands shell.openExternal no link a page asked for', () => {
    window().webContents.windowOpenHandler!({ url: 'https://example.com/' });
    window().webContents.windowOpenHandler!({ url: 'file:///bin/sh' });
    expect(shell.opened).toEqual([]);
  });

  it('16. uses a current Electron, pinned exactly', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
      .devDependencies.electron;
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(41);
  });

  it('17. answers IPC only from the top frame of its own windows showing its own page', async () => {
    expect(await hello({ url: 'app://studio/index.html', parent: null })).toMatchObject({ ok: true });
    for (const frame of [
      { url: 'https://example.com/', parent: null },
      { url: 'app://studio/index.html', parent: {} },
      { url: 'file:///tmp/index.html', parent: null },
    ])
      expect(await hello(frame)).toMatchObject({ ok: false, error: { name: 'RequestError' } });
    expect(await hello({ url: 'app://studio/index.html', parent: null }, new FakeWebContents())).toMatchObject({ ok: false });
  });

  it('18. uses its own protocol instead of file://, and gives file:// no extra privileges', () => {
    expect(protocol.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    expect(FakeBrowserWindow.all.every((each) => !each.url?.startsWith('file:'))).toBe(true);
    expect(fuses.grantFileProtocolExtraPrivileges).toBe(false);
  });

  it('19. turns off the fuses it does not need', () => {
    expect(fuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
  });

  it('20. exposes no Electron API to the page: only the StudioApi, through contextBridge', () => {
    const preload = readFileSync(join(ROOT, 'electron', 'preload', 'index.ts'), 'utf8');
    expect([...preload.matchAll(/contextBridge\.exposeInMainWorld\(([^)]*)\)/g)].map((match) => match[1])).toEqual(["'studio', studio"]);
    // preload.test.ts runs the preload and checks that `studio` holds the StudioApi methods alone.
  });
});
