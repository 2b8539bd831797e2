// The code view end to end, in headless Chromium against the real `cnn-studio serve`: the LeNet
// template as model code in Monaco; a layer's filters changed by typing (keyboard.type, so spaces
// go through React Flow's key handling) changes the node's shape on the canvas; a mistake gets a
// Monaco marker on its line and leaves the graph alone; Monaco's undo takes the typing back, the
// canvas's undo the graph edit, and the code follows; the PyTorch tab shows model.py; comments
// survive an inspector edit and an undo that re-print the code; the panel is resized with its
// splitter and keeps its width across a reload; code typed just before another project opens is
// dropped, never parsed into that project.
// CNN_STUDIO_SCREENSHOTS=1 also writes docs/images/code-view.png.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing, ROOT } from './harness';
import { openTemplate, useStudioSession } from './studio-session';

if (chromiumMissing) console.warn(chromiumMissing);

const SCREENSHOTS = process.env.CNN_STUDIO_SCREENSHOTS ? join(ROOT, 'docs', 'images') : null;

/**
 * For a poll that waits on a parse of what was typed: the parse runs 300 ms after the last key,
 * and on a busy machine that and drawing its result take more than expect.poll's 1 s default.
 */
const PARSED = { timeout: 10_000 };
const workers: string[] = [];
const studio = useStudioSession({ afterBrowser: (page) => void page.on('worker', (worker) => workers.push(worker.url())) });

const node = (id: string): Locator => studio.page.locator(`[data-testid=node-${id}]`);
const edgeLabels = () => studio.page.locator('.react-flow__edge-text').allTextContents();
const modelCode = () => studio.page.getByTestId('model-code');

/** The lines Monaco shows, in screen order (it positions its line elements absolutely). */
const codeLines = (view: Locator): Promise<string[]> =>
  view
    .locator('.view-lines')
    .evaluate((element) =>
      [...(element.querySelectorAll('.view-line') as Iterable<{ style: { top: string }; textContent: string | null }>)]
        .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
        .map((line) => (line.textContent ?? '').replace(/\u00a0/g, ' ')),
    );

/**
 * Puts the cursor at the start of the line that contains `text`, by clicking its line number
 * (which selects the line; ArrowLeft leaves the cursor at its start), so that a horizontal
 * scroll of the editor does not matter. Returns the line's number.
 */
const goToLine = async (text: string): Promise<number> => {
  const number = (await codeLines(modelCode())).findIndex((line) => line.includes(text)) + 1;
  expect(number).toBeGreaterThan(0);
  await modelCode()
    .locator('.line-numbers', { hasText: new RegExp(`^${number}$`) })
    .click();
  await studio.page.keyboard.press('ArrowLeft');
  return number;
};

describe.skipIf(chromiumMissing !== null)('the code view', () => {
  it('shows the LeNet template as model code beside the canvas', async () => {
    await openTemplate(studio.page, studio.served.url, 'lenet5', 'conv1');
    expect(await studio.page.getByTestId('code-panel').count()).toBe(0);
    await studio.page.getByTestId('toggle-code').click();
    await modelCode().locator('.view-line').first().waitFor();
    const lines = await codeLines(modelCode());
    expect(lines).toContain("network 'LeNet-5'");
    expect(lines).toContain('conv1 = Conv2D(input, filters=6, kernel=5, padding=2)');
    expect(lines).toContain('output = ClassificationHead(fc3)');
    expect(await studio.page.getByTestId('code-status').textContent()).toMatch(/^No problems/);
    // Monaco's own chunk and worker were loaded from our origin (no CDN, no blob: worker, nothing blocked by the CSP).
    expect(await modelCode().locator('.monaco-editor').count()).toBe(1);
    await expect.poll(() => workers.length).toBeGreaterThan(0);
    for (const url of workers) expect(url.startsWith(`http://127.0.0.1:${studio.served.port}/assets/editor.worker`)).toBe(true);
  });

  it('changes a layer when its line is retyped, and the canvas follows as one edit', async () => {
    expect(await node('conv1').textContent()).toContain('→ 6×28×28');
    await goToLine('conv1 = Conv2D');
    await studio.page.keyboard.press('Shift+End');
    await studio.page.keyboard.type('conv1 = Conv2D(input, filters=8, kernel=5, padding=2');
    await expect.poll(() => node('conv1').textContent(), PARSED).toContain('→ 8×28×28');
    expect(await node('conv1').textContent()).toContain('208 params');
    expect(await edgeLabels()).toContain('8×28×28');
    expect(await edgeLabels()).not.toContain('6×28×28');
    expect(await codeLines(modelCode())).toContain('conv1 = Conv2D(input, filters=8, kernel=5, padding=2)');
    expect(await studio.page.getByTestId('error-count').textContent()).toBe('0 errors');
  });

  it('marks a mistake on its line and leaves the graph as it was', async () => {
    expect(await goToLine('relu1 = ReLU(conv1)')).toBe(7);
    await studio.page.keyboard.press('End');
    await studio.page.keyboard.press('Enter');
    // The line arrives as one edit, as a paste does. Typed key by key on a busy machine, a pause of
    // more than the parse's 300 ms would let the half-typed line be parsed: `extra = Conv2D(relu1)`
    // (Monaco closes the bracket) is a valid layer, and the graph would rightly take it.
    await studio.page.keyboard.insertText('extra = Conv2D(relu1, filters=0)');
    const problem = studio.page.getByTestId('code-problem');
    // The whole list, not only its length, once the parse has run.
    await expect.poll(() => problem.allTextContents(), PARSED).toEqual(['Ln 8 filters must be at least 1, not 0']);
    expect(await problem.getAttribute('data-line')).toBe('8');
    expect(await studio.page.getByTestId('code-status').textContent()).toMatch(/^1 mistake: the graph keeps its last valid version/);
    // Monaco's marker: a squiggle on the same line as line number 8.
    const squiggle = modelCode().locator('.squiggly-error');
    await squiggle.first().waitFor();
    const mark = (await squiggle.first().boundingBox())!;
    const number = (await modelCode().locator('.line-numbers', { hasText: /^8$/ }).boundingBox())!;
    expect(Math.abs(mark.y + mark.height / 2 - (number.y + number.height / 2))).toBeLessThan(number.height / 2);
    // The graph is unchanged: no new layer, the same shapes, no errors.
    expect(await node('extra').count()).toBe(0);
    expect(await node('conv1').textContent()).toContain('→ 8×28×28');
    expect(await studio.page.getByTestId('error-count').textContent()).toBe('0 errors');
    await screenshot('code-view.png');
  });

  it("undoes the typing with Monaco's undo, and the graph edit with the canvas's, the code following", async () => {
    // Monaco's undo (the focus is in the editor) takes the mistake back; the graph was never changed by it.
    for (let i = 0; i < 10 && (await studio.page.getByTestId('code-problem').count()) > 0; i++) {
      await studio.page.keyboard.press('Control+Z');
      await studio.page.waitForTimeout(400);
    }
    await expect.poll(() => studio.page.getByTestId('code-status').textContent(), PARSED).toMatch(/^No problems/);
    expect(await node('conv1').textContent()).toContain('→ 8×28×28');
    // The canvas's undo: one step back to 6 filters, and the code is re-printed.
    const pane = studio.page.locator('.react-flow__pane');
    const box = (await pane.boundingBox())!;
    await studio.page.mouse.click(box.x + 20, box.y + box.height - 20);
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => node('conv1').textContent(), PARSED).toContain('→ 6×28×28');
    await expect.poll(() => codeLines(modelCode()), PARSED).toContain('conv1 = Conv2D(input, filters=6, kernel=5, padding=2)');
    expect(await studio.page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);
    // A canvas edit re-prints the code too: redo brings the 8 filters back.
    await studio.page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => codeLines(modelCode()), PARSED).toContain('conv1 = Conv2D(input, filters=8, kernel=5, padding=2)');
  });

  it('adds a layer written on a new line, placed beside its input, with the analysis marking its line', async () => {
    const line = (await goToLine('relu4 = ReLU(fc2)')) + 1;
    await studio.page.keyboard.press('End');
    await studio.page.keyboard.press('Enter');
    await studio.page.keyboard.type('side = Dropout(relu4');
    await node('side').waitFor();
    const side = (await node('side').boundingBox())!;
    const relu4 = (await node('relu4').boundingBox())!;
    expect(side.x).toBeGreaterThan(relu4.x);
    expect(side.y).toBeGreaterThan(relu4.y);
    // Not a mistake in the code, so the graph changed; but the network has a dead end, marked on its line and on the canvas.
    const problem = studio.page.getByTestId('code-problem');
    await expect
      .poll(() => problem.allTextContents(), PARSED)
      .toEqual([`Ln ${line} side: its output does not lead to the output head 'output'; connect it onwards or delete it`]);
    expect(await problem.getAttribute('data-line')).toBe(String(line));
    expect(await studio.page.getByTestId('code-status').textContent()).toBe('The graph follows the code; it has 1 issue.');
    expect(await node('side').getAttribute('data-status')).toBe('error');
    expect(await studio.page.getByTestId('error-count').textContent()).toBe('1 error');
    // Deleting the line deletes the layer.
    await modelCode()
      .locator('.line-numbers', { hasText: new RegExp(`^${line}$`) })
      .click();
    await studio.page.keyboard.press('Delete');
    await expect.poll(() => node('side').count(), PARSED).toBe(0);
    expect(await studio.page.getByTestId('error-count').textContent()).toBe('0 errors');
  });

  it('suggests layer types after =, and a layer’s parameters inside its brackets', async () => {
    const line = (await goToLine('output = ClassificationHead(fc3)')) + 1;
    await studio.page.keyboard.press('End');
    await studio.page.keyboard.press('Enter');
    await studio.page.keyboard.type('more = Dens');
    const suggestions = modelCode().locator('.suggest-widget .monaco-list-row');
    await expect.poll(() => suggestions.allTextContents()).toContainEqual(expect.stringContaining('Dense'));
    await studio.page.keyboard.press('Escape');
    await studio.page.keyboard.type('e(fc3, un');
    await expect.poll(() => suggestions.allTextContents()).toContainEqual(expect.stringContaining('units'));
    await studio.page.keyboard.press('Escape');
    await modelCode()
      .locator('.line-numbers', { hasText: new RegExp(`^${line}$`) })
      .click();
    await studio.page.keyboard.press('Delete');
    await expect.poll(() => studio.page.getByTestId('code-status').textContent(), PARSED).toMatch(/^No problems/);
  });

  it('highlights the line of the layer selected on the canvas', async () => {
    await node('conv2').click();
    const highlight = modelCode().locator('.code-selected-layer');
    await expect.poll(() => highlight.count()).toBe(1);
    const number = (await codeLines(modelCode())).findIndex((line) => line.startsWith('conv2 = ')) + 1;
    const mark = (await highlight.boundingBox())!;
    const gutter = (await modelCode()
      .locator('.line-numbers', { hasText: new RegExp(`^${number}$`) })
      .boundingBox())!;
    expect(Math.abs(mark.y - gutter.y)).toBeLessThan(2);
  });

  it('shows the PyTorch model read-only, following the graph', async () => {
    await studio.page.getByTestId('code-tab-pytorch').click();
    const view = studio.page.getByTestId('pytorch-code');
    await view.locator('.view-line').first().waitFor();
    await expect
      .poll(async () => (await codeLines(view)).find((line) => line.includes('self.conv1 =')))
      .toBe('        self.conv1 = nn.Conv2d(1, 8, kernel_size=5, padding=2)  # Conv2D, 1×28×28 → 8×28×28');
    const before = await codeLines(view);
    await view.locator('.view-line').first().click();
    await studio.page.keyboard.type('x y');
    expect(await codeLines(view)).toEqual(before);
    await studio.page.getByTestId('code-tab-model').click();
  });

  it('keeps comments when a canvas edit re-prints the code', async () => {
    await goToLine('conv2 = Conv2D');
    await studio.page.keyboard.type('# the second convolution');
    await studio.page.keyboard.press('Enter');
    await goToLine('conv1 = Conv2D');
    await studio.page.keyboard.press('End');
    await studio.page.keyboard.type('  # the first');
    await expect.poll(() => studio.page.getByTestId('code-status').textContent(), PARSED).toMatch(/^No problems/);
    // The inspector changes conv1: its line is printed again, with its comment; the line above conv2 stays.
    await node('conv1').click();
    await studio.page.locator('#param-conv1-filters').fill('10');
    await expect
      .poll(() => codeLines(modelCode()), PARSED)
      .toContain('conv1 = Conv2D(input, filters=10, kernel=5, padding=2)  # the first');
    const lines = await codeLines(modelCode());
    expect(lines[lines.findIndex((line) => line.startsWith('conv2 = ')) - 1]).toBe('# the second convolution');
    // And so does the canvas's undo.
    const pane = studio.page.locator('.react-flow__pane');
    const box = (await pane.boundingBox())!;
    await studio.page.mouse.click(box.x + 20, box.y + box.height - 20);
    await studio.page.keyboard.press('Control+Z');
    await expect.poll(() => codeLines(modelCode()), PARSED).toContain('conv1 = Conv2D(input, filters=8, kernel=5, padding=2)  # the first');
    expect(await codeLines(modelCode())).toContain('# the second convolution');
  });

  it('resizes the code panel with its splitter, and keeps its width across a reload', async () => {
    const panel = studio.page.getByTestId('code-panel');
    const width = (await panel.boundingBox())!.width;
    const splitter = (await studio.page.getByTestId('splitter-codeWidth').boundingBox())!;
    await studio.page.mouse.move(splitter.x + splitter.width / 2, splitter.y + 200);
    await studio.page.mouse.down();
    await studio.page.mouse.move(splitter.x + splitter.width / 2 - 120, splitter.y + 200, { steps: 5 });
    await studio.page.mouse.up();
    await expect.poll(async () => Math.round((await panel.boundingBox())!.width)).toBe(Math.round(width + 120));
    await studio.page.getByTestId('splitter-codeWidth').focus();
    await studio.page.keyboard.press('ArrowRight');
    await expect.poll(async () => Math.round((await panel.boundingBox())!.width)).toBe(Math.round(width + 120 - 16));
    const resized = Math.round((await panel.boundingBox())!.width);
    expect(JSON.parse(await studio.page.evaluate<string>(`localStorage.getItem('cnn-studio.layout.v1')`))).toMatchObject({
      codeWidth: resized,
    });

    await studio.page.reload();
    await studio.page.getByTestId('template-lenet5').click();
    await node('conv1').waitFor();
    await studio.page.getByTestId('toggle-code').click();
    await modelCode().locator('.view-line').first().waitFor();
    expect(Math.round((await panel.boundingBox())!.width)).toBe(resized);
  });

  it('drops code typed for a project when another opens before it was parsed', async () => {
    const other = join(studio.served.folder, 'other.cnnproj');
    execFileSync(process.execPath, [join(ROOT, 'bin', 'cnn-studio.mjs'), 'new', '--template', 'convnet', '-o', other]);
    await goToLine('relu1 = ReLU(conv1)');
    await studio.page.keyboard.press('End');
    await studio.page.keyboard.press('Enter');
    await studio.page.keyboard.insertText('typed = Dropout(relu1)');
    // The desktop menu's File ▸ Open, as the preload posts it, well within the parse's 300 ms.
    await studio.page.evaluate(
      (path) =>
        (globalThis as unknown as { postMessage(message: unknown, origin: string): void }).postMessage(
          { source: 'cnn-studio', type: 'menu', command: 'open', path },
          '*',
        ),
      other,
    );
    await expect.poll(() => studio.page.locator('.project-path').textContent(), PARSED).toBe(other);
    await node('conv3').waitFor();
    await expect.poll(() => codeLines(modelCode()), PARSED).toContainEqual(expect.stringMatching(/^conv3 = Conv2D\(/));
    // Past the parse's delay: the other project's graph and code have nothing of the typing.
    await studio.page.waitForTimeout(600);
    expect(await node('typed').count()).toBe(0);
    expect((await codeLines(modelCode())).join('\n')).not.toContain('typed');
    expect(await studio.page.getByTestId('save-state').textContent()).toBe('saved');
  });

  it('had no errors in the studio.page (no CSP violations)', () => {
    expect(studio.pageErrors).toEqual([]);
  });
});

async function screenshot(name: string) {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await studio.page.screenshot({ path: join(SCREENSHOTS, name) });
}
