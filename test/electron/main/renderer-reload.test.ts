// Development reloads: a burst of writes into the renderer's build folder gives one reload, once
// quiet and once the page is back; nothing happens while index.html is missing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { watchRendererBuild } from '../../../electron/main/renderer-reload';

describe('reloading windows when the renderer is rebuilt', () => {
  it('reloads once per rebuild, after its last write, and not while the page is missing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-reload-'));
    let reloads = 0;
    const stop = watchRendererBuild(folder, () => reloads++, 100);
    try {
      for (let i = 0; i < 5; i++) writeFileSync(join(folder, `chunk-${i}.js`), `// ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(reloads).toBe(0);
      writeFileSync(join(folder, 'assets.js'), '// a');
      writeFileSync(join(folder, 'index.html'), '<!doctype html>');
      await vi.waitFor(() => expect(reloads).toBe(1), { timeout: 3000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(reloads).toBe(1);
      writeFileSync(join(folder, 'index.html'), '<!doctype html><title>again</title>');
      await vi.waitFor(() => expect(reloads).toBe(2), { timeout: 3000 });
    } finally {
      stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
