// The desktop menu's commands carried out by the renderer, in a real browser against the real
// `cnn-studio serve`: each command is posted to the page exactly as the Electron preload posts it
// (`window.postMessage({ source: 'cnn-studio', type: 'menu', command, path? })`), and the page's
// `?open=` parameter (how the main process opens a project in a new window) opens that file.
// Also: a message from anything but the preload's shape is ignored, and leaving the page with
// unsaved changes asks first (the prompt the desktop app turns into its own dialog).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MenuCommand } from '../../electron/api';
import { ProjectStore } from '../../electron/services/project/store';
import { chromiumMissing, ROOT } from './harness';
import { setTrainingLimits, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

let first: string;
const studio = useStudioSession({
  consoleErrors: false,
  beforeBrowser: (served) => {
    first = join(served.folder, 'first.cnnproj');
    execFileSync(process.execPath, [join(ROOT, 'bin', 'cnn-studio.mjs'), 'new', '--template', 'lenet5', '-o', first]);
  },
});

/** The page's window as a page script sees it; the project's TypeScript has no DOM library. */
type PageWindow = { postMessage(message: unknown, targetOrigin: string): void };
const post = (message: unknown) =>
  studio.page.evaluate((message) => (globalThis as unknown as PageWindow).postMessage(message, '*'), message);

/** Posts a menu command as the preload does. */
const menu = (command: MenuCommand, path?: string) => post({ source: 'cnn-studio', type: 'menu', command, ...(path ? { path } : {}) });

const node = (id: string) => studio.page.locator(`[data-testid=node-${id}]`);
const status = () => studio.page.getByTestId('training-status').textContent();

describe.skipIf(chromiumMissing !== null)('menu commands in the page', () => {
  it('opens the project named by ?open= at start', async () => {
    await studio.page.goto(`${studio.served.url}&open=${encodeURIComponent(first)}`);
    await node('conv1').waitFor();
    expect(await studio.page.locator('.project-path').textContent()).toBe(first);
    expect(await studio.page.getByTestId('save-state').textContent()).toBe('saved');
  });

  it('undoes and redoes an edit from the Edit menu', async () => {
    await node('conv2').click();
    await studio.page.getByTestId('param-conv2-kernel').locator('input').fill('20');
    await expect.poll(() => node('conv2').getAttribute('data-status')).toBe('error');
    await menu('undo');
    await expect.poll(() => node('conv2').getAttribute('data-status')).toBe('ok');
    await menu('redo');
    await expect.poll(() => node('conv2').getAttribute('data-status')).toBe('error');
    await menu('undo');
    await expect.poll(() => node('conv2').getAttribute('data-status')).toBe('ok');
  });

  it('ignores messages that are not the preload’s menu commands', async () => {
    await post({ source: 'someone-else', type: 'menu', command: 'new' });
    await post({ source: 'cnn-studio', type: 'menu', command: 'format-disk' });
    await post({ source: 'cnn-studio', type: 'other', command: 'new' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await node('conv1').isVisible()).toBe(true);
  });

  it('starts, pauses, resumes and stops training from the Train menu', async () => {
    await setTrainingLimits(studio.page, { epochs: '3', batchSize: '8', sampleLimit: '6000' });
    // The backend chosen in the panel goes with the run (the host refuses one it does not know).
    await studio.page.getByLabel('Backend').selectOption('cpu');
    await menu('trainStart');
    await expect.poll(status, { timeout: 60_000 }).toMatch(/^running · epoch/);
    await menu('trainPause');
    await expect.poll(status, { timeout: 30_000 }).toMatch(/^paused/);
    await menu('trainPause');
    await expect.poll(status, { timeout: 30_000 }).toMatch(/^running/);
    await menu('trainStop');
    await studio.page.getByTestId('training-finished').waitFor({ timeout: 60_000 });
    expect(await status()).toMatch(/^stopped/);
    expect(await studio.page.getByTestId('save-state').textContent()).toBe('unsaved changes');
  });

  it('saves with Save As to the path the native dialog gave, weights and run included', async () => {
    const second = join(studio.served.folder, 'second.cnnproj');
    await menu('saveAs', second);
    await expect.poll(() => studio.page.getByTestId('save-state').textContent()).toBe('saved');
    expect(await studio.page.locator('.project-path').textContent()).toBe(second);
    const opened = await new ProjectStore().open(second);
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.project.runs).toHaveLength(1);
    expect(opened.tensors.current?.length).toBeGreaterThan(0);
  });

  it('saves in place with Save', async () => {
    await node('conv2').click();
    await studio.page.getByTestId('param-conv2-kernel').locator('input').fill('3');
    await expect.poll(() => studio.page.getByTestId('save-state').textContent()).toBe('unsaved changes');
    await menu('save');
    await expect.poll(() => studio.page.getByTestId('save-state').textContent()).toBe('saved');
    const opened = await new ProjectStore().open(join(studio.served.folder, 'second.cnnproj'));
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.project.graph.nodes.find((n) => n.id === 'conv2')?.params?.kernel).toBe(3);
  });

  it('shows the shortcuts from the Help menu, and switches the theme from the View menu', async () => {
    await menu('shortcuts');
    await studio.page.getByTestId('shortcut-help').waitFor();
    await studio.page.keyboard.press('Escape');
    await expect.poll(() => studio.page.getByTestId('shortcut-help').count()).toBe(0);
    const theme = () => studio.page.getByTestId('theme-toggle').textContent();
    const before = await theme();
    await menu('toggleTheme');
    await expect.poll(theme).not.toBe(before);
  });

  it('goes to the start studio.page with New, and opens a file with Open', async () => {
    await menu('new');
    await studio.page.getByTestId('template-lenet5').waitFor();
    await menu('open', first);
    await node('conv1').waitFor();
    expect(await studio.page.locator('.project-path').textContent()).toBe(first);
  });

  it('asks before the studio.page is left with unsaved changes', async () => {
    await node('conv2').click();
    await studio.page.getByTestId('param-conv2-kernel').locator('input').fill('7');
    await expect.poll(() => studio.page.getByTestId('save-state').textContent()).toBe('unsaved changes');
    const asked = new Promise<string>((resolve) =>
      studio.page.once('dialog', (dialog) => {
        resolve(dialog.type());
        void dialog.dismiss();
      }),
    );
    await studio.page.close({ runBeforeUnload: true });
    expect(await asked).toBe('beforeunload');
    expect(studio.page.isClosed()).toBe(false);
    expect(existsSync(first)).toBe(true);
  });

  it('had no errors in the page', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
