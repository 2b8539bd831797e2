// The editor's commands in a real browser against the real `cnn-studio serve`: select all and box
// select; copy, cut, paste and duplicate with the keys, also from one project into another in a
// second tab through the system clipboard; expand and collapse from the inspector and the context
// menu; the shortcut help drawn from the shortcut table; the theme following the system or
// chosen; and the panel sizes, open panels and theme surviving a reload.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LAYOUT_KEY } from '../../renderer/app/layout-store';
import { SHORTCUTS } from '../../renderer/app/shortcut-table';
import { chromiumMissing } from './harness';
import { openTemplate, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

let second: Page;
const studio = useStudioSession({
  afterBrowser: async (page, served) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await openTemplate(page, served.url, 'lenet5', 'conv1');
  },
});

const node = (id: string, on: Page = studio.page): Locator => on.locator(`[data-testid=node-${id}]`);
const selected = async (on: Page = studio.page): Promise<string[]> =>
  (await on.locator('.layer-node.selected').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-testid')!.slice(5)))).sort();
const nodeCount = (on: Page = studio.page) => on.locator('.layer-node').count();
const notice = (on: Page = studio.page) => on.getByTestId('notice').textContent();

/** A click on the empty canvas, away from every layer (the top-left corner of the pane). */
const clickPane = async (on: Page = studio.page) => {
  const box = (await on.locator('.react-flow__pane').boundingBox())!;
  await on.mouse.click(box.x + 8, box.y + 8);
};

describe.skipIf(chromiumMissing !== null)('the editor commands in a browser', () => {
  it('selects everything with Ctrl+A, and a box of layers with Shift+drag', async () => {
    await clickPane();
    await studio.page.keyboard.press('Control+A');
    await expect.poll(() => selected()).toHaveLength(14);
    await clickPane();
    await expect.poll(() => selected()).toEqual([]);
    const a = (await node('conv1').boundingBox())!;
    const b = (await node('relu1').boundingBox())!;
    await studio.page.keyboard.down('Shift');
    await studio.page.mouse.move(Math.min(a.x, b.x) - 12, a.y - 12);
    await studio.page.mouse.down();
    await studio.page.mouse.move(Math.max(a.x + a.width, b.x + b.width) + 12, b.y + b.height + 12, { steps: 8 });
    await studio.page.mouse.up();
    await studio.page.keyboard.up('Shift');
    await expect.poll(() => selected()).toEqual(['conv1', 'relu1']);
  });

  it('copies and pastes the selection with its connection, selected and offset, undone in one step', async () => {
    const before = (await node('conv1').boundingBox())!;
    await studio.page.keyboard.press('Control+C');
    await studio.page.keyboard.press('Control+V');
    await node('conv3').waitFor();
    await node('relu5').waitFor();
    expect(await selected()).toEqual(['conv3', 'relu5']);
    expect(await studio.page.getByTestId('rf__edge-conv3->relu5:0').count()).toBe(1);
    const after = (await node('conv3').boundingBox())!;
    expect(after.x).toBeGreaterThan(before.x);
    expect(after.y).toBeGreaterThan(before.y);
    expect(await nodeCount()).toBe(16);
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => nodeCount()).toBe(14);
  });

  it('duplicates with Ctrl+D and cuts with Ctrl+X', async () => {
    await node('fc1').click();
    await studio.page.keyboard.press('Control+D');
    await node('dense1').waitFor();
    expect(await selected()).toEqual(['dense1']);
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => node('dense1').count()).toBe(0);
    await node('dropout1').count(); // (nothing: LeNet has no dropout)
    await node('relu4').click();
    await studio.page.keyboard.press('Control+X');
    await expect.poll(() => node('relu4').count()).toBe(0);
    await studio.page.keyboard.press('Control+Z');
    await node('relu4').waitFor();
  });

  it('pastes layers copied in one project into another, in a second tab', async () => {
    await node('conv2').click();
    await node('relu2').click({ modifiers: ['Control'] });
    await node('pool2').click({ modifiers: ['Control'] });
    expect(await selected()).toEqual(['conv2', 'pool2', 'relu2']);
    await studio.page.keyboard.press('Control+C');
    second = await studio.context.newPage();
    studio.watch(second);
    await openTemplate(second, studio.served.url, 'factorised', 'separable');
    expect(await node('conv2', second).count()).toBe(0);
    await clickPane(second);
    await second.keyboard.press('Control+V');
    // conv2 and pool… get fresh ids in this project: its conv1 and pool1/pool2 are taken.
    await node('conv2', second).waitFor();
    expect(await selected(second)).toEqual(['conv2', 'maxpool1', 'relu3']);
    expect(await second.getByTestId('rf__edge-conv2->relu3:0').count()).toBe(1);
    expect(await second.getByTestId('rf__edge-relu3->maxpool1:0').count()).toBe(1);
    expect(await notice(second)).toContain('Pasted 3 layers');
    await second.keyboard.press('Control+Z');
    await expect.poll(() => node('conv2', second).count()).toBe(0);
  });

  it('says so when the clipboard holds other text, without changing the graph', async () => {
    const search = second.getByRole('searchbox', { name: 'Search layers' });
    await search.fill('just words');
    await search.selectText();
    await second.keyboard.press('Control+C');
    await search.fill('');
    const count = await nodeCount(second);
    await clickPane(second);
    await second.keyboard.press('Control+V');
    await expect.poll(() => notice(second)).toContain('the clipboard holds other text, not CNN Studio layers');
    expect(await nodeCount(second)).toBe(count);
  });

  it('expands a separable convolution and collapses it back, from the inspector and the studio.context menu', async () => {
    await node('separable', second).click();
    await second.getByRole('button', { name: 'Expand into stages' }).click();
    await node('separable_depthwise', second).waitFor();
    await node('separable_pointwise', second).waitFor();
    expect(await node('separable', second).count()).toBe(0);
    expect(await second.getByTestId('error-count').textContent()).toBe('0 errors');
    const params = await second.getByTestId('total-params').textContent();
    await second.getByRole('button', { name: 'Collapse back' }).click();
    await node('separable', second).waitFor();
    expect(await second.getByTestId('total-params').textContent()).toBe(params);
    expect(await second.getByTestId('param-separable-filters').locator('input').inputValue()).toBe('32');
    expect(await second.getByTestId('param-separable-kernel').locator('input').inputValue()).toBe('3');
    // The same from the context menu, on the spatially separable one.
    await node('spatial', second).click({ button: 'right' });
    await second.getByRole('menuitem', { name: 'Expand into stages' }).click();
    await node('spatial_column', second).waitFor();
    await node('spatial_row', second).click({ button: 'right' });
    expect(await second.getByRole('menuitem').allTextContents()).toContain('Collapse back');
    await second.getByRole('menuitem', { name: 'Collapse back' }).click();
    await node('spatial', second).waitFor();
    expect(await node('spatial_row', second).count()).toBe(0);
    // Each was one step: undo walks back through collapse and expand.
    await second.keyboard.press('Control+Z');
    await node('spatial_row', second).waitFor();
    await second.keyboard.press('Control+Z');
    await node('spatial', second).waitFor();
    expect(await second.getByTestId('error-count').textContent()).toBe('0 errors');
  });

  it("pastes where the canvas was right-clicked, lays out, and duplicates and deletes from a layer's menu", async () => {
    await node('dropout', second).click({ button: 'right' });
    expect(await second.getByRole('menuitem').allTextContents()).toEqual([
      'Open in inspector',
      'CopyCtrl+C',
      'CutCtrl+X',
      'DuplicateCtrl+D',
      'DeleteDelete',
    ]);
    await second.getByRole('menuitem', { name: /^Copy/ }).click();
    const pane = (await second.locator('.react-flow__pane').boundingBox())!;
    await second.mouse.click(pane.x + 20, pane.y + 20, { button: 'right' });
    expect(await second.getByRole('menuitem').allTextContents()).toEqual([
      'Paste hereCtrl+V',
      'Select allCtrl+A',
      'Auto-layout',
      'Zoom to fit',
    ]);
    // A menu command has no clipboard event; Chromium refuses it the Clipboard API without a
    // permission, so this paste comes from the copy the IDE kept in memory.
    expect(await second.evaluate<string>("navigator.clipboard.readText().then(() => 'read', (error) => error.name)")).toBe(
      'NotAllowedError',
    );
    await second.getByRole('menuitem', { name: /^Paste here/ }).click();
    await node('dropout1', second).waitFor();
    const pasted = (await node('dropout1', second).boundingBox())!;
    expect(Math.abs(pasted.x - (pane.x + 20))).toBeLessThan(40);
    await node('dropout1', second).click({ button: 'right' });
    await second.getByRole('menuitem', { name: /^Duplicate/ }).click();
    await node('dropout2', second).waitFor();
    expect(await selected(second)).toEqual(['dropout2']);
    await node('dropout2', second).click({ button: 'right' });
    await second.getByRole('menuitem', { name: /^Delete/ }).click();
    await expect.poll(() => node('dropout2', second).count()).toBe(0);
    // Auto-layout moves the pasted layer (fed by nothing) into the first row; the place on the
    // canvas is React Flow's translate() of the node, which does not depend on the zoom.
    const place = async () => /translate\(([^)]*)\)/.exec((await second.getByTestId('rf__node-dropout1').getAttribute('style'))!)![1];
    const before = await place();
    await second.mouse.click(pane.x + 6, pane.y + 6, { button: 'right' }); // beside dropout1, which starts at (20, 20)
    await second.getByRole('menuitem', { name: 'Auto-layout' }).click();
    await expect.poll(place).not.toBe(before);
    await second.keyboard.press('Control+Z');
    await expect.poll(place).toBe(before);
    await second.mouse.click(pane.x + 20, pane.y + 20, { button: 'right' });
    await second.keyboard.press('Escape');
    expect(await second.getByTestId('context-menu').count()).toBe(0);
  });

  it('lists every shortcut of the table in the help (F1, Ctrl+/ or ?)', async () => {
    await studio.page.bringToFront(); // a tab in the background draws no frames
    await clickPane();
    await studio.page.keyboard.press('F1');
    const help = studio.page.getByTestId('shortcut-help');
    await help.waitFor();
    for (const shortcut of SHORTCUTS) expect(await help.getByTestId(`shortcut-row-${shortcut.id}`).textContent()).toContain(shortcut.does);
    expect(await help.getByTestId('shortcut-row-redo').textContent()).toContain('Ctrl+Shift+Z or Ctrl+Y');
    expect(await help.getByTestId('shortcut-row-boxSelect').textContent()).toContain('Shift+drag');
    await studio.page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
    await studio.page.keyboard.press('?');
    await help.waitFor();
    await studio.page.keyboard.press('Control+/');
    await expect.poll(() => help.count()).toBe(0);
  });

  it('follows the system theme until one is chosen', async () => {
    const theme = () => studio.page.locator('html').getAttribute('data-theme');
    const background = () => studio.page.evaluate<string>("getComputedStyle(document.querySelector('.inspector')).backgroundColor");
    expect(await theme()).toBe('dark');
    const dark = await background();
    await studio.page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(theme).toBe('light');
    expect(await background()).not.toBe(dark);
    await studio.page.getByTestId('theme-toggle').click(); // system → light
    await studio.page.getByTestId('theme-toggle').click(); // light → dark
    expect(await studio.page.getByTestId('theme-toggle').textContent()).toBe('Dark theme');
    await expect.poll(theme).toBe('dark');
    expect(await background()).toBe(dark);
  });

  it('resizes and hides panels, and keeps the layout and theme across a reload', async () => {
    const palette = studio.page.getByTestId('palette-panel');
    const width = (await palette.boundingBox())!.width;
    const splitter = (await studio.page.getByTestId('splitter-paletteWidth').boundingBox())!;
    await studio.page.mouse.move(splitter.x + splitter.width / 2, splitter.y + 200);
    await studio.page.mouse.down();
    await studio.page.mouse.move(splitter.x + 100, splitter.y + 200, { steps: 5 });
    await studio.page.mouse.up();
    await expect.poll(async () => Math.round((await palette.boundingBox())!.width)).toBe(Math.round(width + 100 - splitter.width / 2));
    const resized = Math.round((await palette.boundingBox())!.width);
    const bottom = (await studio.page.getByTestId('bottom-panel').boundingBox())!.height;
    await studio.page.getByTestId('splitter-bottomHeight').focus();
    await studio.page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await studio.page.getByTestId('bottom-panel').boundingBox())!.height).toBe(bottom + 16);
    await clickPane();
    await studio.page.keyboard.press('Control+Alt+B');
    await expect.poll(() => studio.page.getByTestId('inspector-panel').isVisible()).toBe(false);
    expect(JSON.parse(await studio.page.evaluate<string>(`localStorage.getItem(${JSON.stringify(LAYOUT_KEY)})`))).toMatchObject({
      theme: 'dark',
      inspectorOpen: false,
      paletteWidth: resized,
      bottomHeight: bottom + 16,
    });

    await studio.page.reload();
    await openTemplate(studio.page, studio.served.url, 'lenet5', 'conv1');
    expect(await studio.page.locator('html').getAttribute('data-theme')).toBe('dark'); // chosen, though the system is light
    expect(Math.round((await studio.page.getByTestId('palette-panel').boundingBox())!.width)).toBe(resized);
    expect((await studio.page.getByTestId('bottom-panel').boundingBox())!.height).toBe(bottom + 16);
    expect(await studio.page.getByTestId('inspector-panel').isVisible()).toBe(false);
    await studio.page.getByRole('button', { name: 'Inspector' }).click();
    await expect.poll(() => studio.page.getByTestId('inspector-panel').isVisible()).toBe(true);
  });

  it('had no errors in the pages', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});
