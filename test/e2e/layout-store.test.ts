// The shortcut table (one source for the key handler, the canvas and the help) and the
// workbench layout that survives a reload, without a browser.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clampSize, DEFAULT_LAYOUT, LAYOUT_KEY, LayoutStore, readLayout, resolveTheme } from '../../renderer/app/layout-store';
import { canvasKeys, chordLabel, chordMatches, SHORTCUTS, shortcutFor } from '../../renderer/app/shortcut-table';

const key = (key: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  key,
  ctrlKey: Boolean(mods.ctrl),
  metaKey: Boolean(mods.meta),
  shiftKey: Boolean(mods.shift),
  altKey: Boolean(mods.alt),
});

describe('the shortcut table', () => {
  it('finds the command for keys, Ctrl or Cmd alike, with Shift telling undo from redo', () => {
    expect(shortcutFor(key('z', { ctrl: true }))?.id).toBe('undo');
    expect(shortcutFor(key('Z', { ctrl: true, shift: true }))?.id).toBe('redo');
    expect(shortcutFor(key('y', { meta: true }))?.id).toBe('redo');
    expect(shortcutFor(key('d', { ctrl: true }))?.id).toBe('duplicate');
    expect(shortcutFor(key('a', { meta: true }))?.id).toBe('selectAll');
    expect(shortcutFor(key('F1'))?.id).toBe('help');
    expect(shortcutFor(key('/', { ctrl: true }))?.id).toBe('help');
    expect(shortcutFor(key('?', { shift: true }))?.id).toBe('help');
    expect(shortcutFor(key('b', { ctrl: true, alt: true }))?.id).toBe('toggleInspector');
    expect(shortcutFor(key('b', { ctrl: true }))?.id).toBe('togglePalette');
    expect(shortcutFor(key('d'))).toBeUndefined();
    expect(shortcutFor(key('z', { ctrl: true, alt: true }))).toBeUndefined();
    expect(shortcutFor(key('Shift', { shift: true }))).toBeUndefined(); // a gesture, not a key
  });

  it('gives no chord two meanings, and the canvas its keys', () => {
    const labels = SHORTCUTS.flatMap((entry) => entry.chords.map((chord) => chordLabel(chord)));
    expect(new Set(labels).size).toBe(labels.length);
    expect(new Set(SHORTCUTS.map((entry) => entry.id)).size).toBe(SHORTCUTS.length);
    expect(canvasKeys('delete')).toEqual(['Delete', 'Backspace']);
    expect(canvasKeys('boxSelect')).toEqual(['Shift']);
    expect(chordMatches(SHORTCUTS.find((entry) => entry.id === 'copy')!.chords[0], key('c', { ctrl: true }))).toBe(true);
  });

  it("is the user guide's table of keys (macOS's Cmd aside)", () => {
    const guide = readFileSync(join(import.meta.dirname, '../../docs/USER_GUIDE.md'), 'utf8');
    const rows = guide
      .slice(guide.indexOf('### Keys'))
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| key') && !line.startsWith('| -'));
    const keys = new Set(
      rows.flatMap((row) =>
        row
          .split('|')[1]
          .trim()
          .split(/, | or /),
      ),
    );
    const labels = SHORTCUTS.flatMap((entry) => entry.chords.map((chord) => chordLabel(chord))).filter((label) => !label.startsWith('Cmd'));
    expect([...keys].sort()).toEqual(labels.sort());
  });

  it('reads chords the way a person writes them', () => {
    const [undo, redo] = [SHORTCUTS.find((entry) => entry.id === 'undo')!, SHORTCUTS.find((entry) => entry.id === 'redo')!];
    expect(chordLabel(undo.chords[0])).toBe('Ctrl+Z');
    expect(chordLabel(undo.chords[0], true)).toBe('Cmd+Z');
    expect(redo.chords.map((chord) => chordLabel(chord))).toEqual(['Ctrl+Shift+Z', 'Ctrl+Y']);
    expect(chordLabel({ key: 'b', mod: true, alt: true })).toBe('Ctrl+Alt+B');
    expect(chordLabel({ key: '?', shift: 'any' })).toBe('?');
    expect(chordLabel({ key: 'Shift', label: 'Shift+drag' })).toBe('Shift+drag');
  });
});

/** Stands in for window.localStorage, which Node lacks; the browser test uses the real one. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(name: string) {
    return this.items.get(name) ?? null;
  }
  setItem(name: string, value: string) {
    this.items.set(name, value);
  }
}

describe('the layout', () => {
  it('survives a restart: what one store keeps, the next one starts with', () => {
    const storage = new MemoryStorage();
    const first = new LayoutStore(storage);
    expect(first.getState()).toEqual(DEFAULT_LAYOUT);
    first.setSize('paletteWidth', 321.4);
    first.setSize('codeWidth', 700.6);
    first.toggle('bottomOpen');
    first.nextTheme();
    expect(first.getState()).toMatchObject({ paletteWidth: 321, codeWidth: 701, bottomOpen: false, theme: 'light' });
    const second = new LayoutStore(storage);
    expect(second.getState()).toEqual(first.getState());
    second.nextTheme();
    second.nextTheme();
    expect(second.getState().theme).toBe('system');
  });

  it('keeps sizes within limits and falls back to defaults for damaged entries', () => {
    expect(clampSize('paletteWidth', 5)).toBe(160);
    expect(clampSize('bottomHeight', 1e6)).toBe(900);
    expect(clampSize('codeWidth', 100)).toBe(320);
    expect(clampSize('codeWidth', 1e6)).toBe(1600);
    expect(readLayout('not json')).toEqual(DEFAULT_LAYOUT);
    expect(readLayout('[1,2]')).toEqual(DEFAULT_LAYOUT);
    expect(readLayout(null)).toEqual(DEFAULT_LAYOUT);
    expect(
      readLayout(
        JSON.stringify({
          theme: 'purple',
          paletteOpen: 'yes',
          inspectorWidth: 'wide',
          bottomHeight: 50,
          paletteWidth: 400,
          codeWidth: 'half',
        }),
      ),
    ).toEqual({
      ...DEFAULT_LAYOUT,
      bottomHeight: 120,
      paletteWidth: 400,
    });
    expect(readLayout(JSON.stringify({ codeWidth: 900 })).codeWidth).toBe(900);
    const storage = new MemoryStorage();
    storage.setItem(LAYOUT_KEY, '{"theme": "dark", "inspectorOpen": false}');
    expect(new LayoutStore(storage).getState()).toMatchObject({ theme: 'dark', inspectorOpen: false, paletteOpen: true });
  });

  it('still works when the storage throws', () => {
    const broken = {
      getItem: (): string | null => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
    };
    const store = new LayoutStore(broken);
    store.toggle('paletteOpen');
    expect(store.getState().paletteOpen).toBe(false);
  });

  it('follows the system theme unless one is chosen', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });
});
