// Where a window opens: the place of the last one closed, kept in the profile, when it still fits
// on a display; moved on when another window is already there.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WINDOW_STATE_FILE, placeWindow, readWindowState, writeWindowState } from '../../../electron/main/window-bounds';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1080 };
const SECOND_SCREEN = { x: 1920, y: 0, width: 1280, height: 1024 };

describe('the saved window state', () => {
  it('round-trips through window-state.json', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-bounds-'));
    expect(readWindowState(folder)).toBeNull();
    const state = { bounds: { x: 40, y: 50, width: 1200, height: 800 }, maximized: true };
    expect(writeWindowState(folder, state)).toBeNull();
    expect(readWindowState(folder)).toEqual(state);
  });

  it('ignores a file that is not what it wrote', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-bounds-'));
    for (const text of ['{', '[]', '{"bounds":{"x":1,"y":2,"width":-5,"height":10}}', '{"bounds":{"x":"1","y":2,"width":5,"height":10}}']) {
      writeFileSync(join(folder, WINDOW_STATE_FILE), text);
      expect(readWindowState(folder)).toBeNull();
    }
  });

  it('says why it could not save, without throwing', () => {
    expect(writeWindowState('/nonexistent/folder', { bounds: SCREEN, maximized: false })).toMatch(/could not save the window's place/);
  });
});

describe('placing a window', () => {
  it('uses the default place when nothing was saved', () => {
    expect(placeWindow(null, [SCREEN], [])).toBeNull();
  });

  it('reopens where the last window was, on whichever display it was', () => {
    const saved = { x: 100, y: 80, width: 1200, height: 800 };
    expect(placeWindow(saved, [SCREEN], [])).toEqual(saved);
    const onSecond = { x: 2000, y: 100, width: 1000, height: 700 };
    expect(placeWindow(onSecond, [SCREEN, SECOND_SCREEN], [])).toEqual(onSecond);
  });

  it('forgets a place on a display that is gone', () => {
    expect(placeWindow({ x: 2000, y: 100, width: 1000, height: 700 }, [SCREEN], [])).toBeNull();
  });

  it('shrinks a window larger than its display, never below the minimum size', () => {
    expect(placeWindow({ x: 0, y: 0, width: 2500, height: 1400 }, [SCREEN], [])).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(placeWindow({ x: 0, y: 0, width: 300, height: 200 }, [SCREEN], [])).toEqual({ x: 0, y: 0, width: 900, height: 600 });
  });

  it('moves a new window down and right of those already at the place', () => {
    const saved = { x: 100, y: 80, width: 1200, height: 800 };
    const first = placeWindow(saved, [SCREEN], [])!;
    const second = placeWindow(saved, [SCREEN], [first])!;
    const third = placeWindow(saved, [SCREEN], [first, second])!;
    expect([second.x, second.y]).toEqual([128, 108]);
    expect([third.x, third.y]).toEqual([156, 136]);
  });

  it('starts again at the corner when moving on would leave the display', () => {
    const saved = { x: 700, y: 270, width: 1200, height: 800 };
    expect(placeWindow(saved, [SCREEN], [saved])).toEqual({ x: 0, y: 0, width: 1200, height: 800 });
  });
});
