/**
 * Where windows open: the bounds of the last project window closed, kept in `window-state.json`
 * in the profile, and given to the next window opened, if they still fit on a display (a monitor
 * may have been unplugged since); a window opened while another sits at the same place is moved
 * down and right, so one never hides another. No electron import.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  readonly bounds: Bounds;
  readonly maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';
export const MIN_SIZE = { width: 900, height: 600 } as const;
export const DEFAULT_SIZE = { width: 1400, height: 900 } as const;
const CASCADE = 28;

const isBounds = (value: unknown): value is Bounds => {
  if (typeof value !== 'object' || value === null) return false;
  const { x, y, width, height } = value as Record<string, unknown>;
  return [x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n)) && (width as number) > 0 && (height as number) > 0;
};

/** Reads the saved state; null when there is none or it is not what we wrote. */
export const readWindowState = (folder: string): WindowState | null => {
  try {
    const value = JSON.parse(readFileSync(join(folder, WINDOW_STATE_FILE), 'utf8')) as Record<string, unknown>;
    if (!isBounds(value.bounds)) return null;
    return { bounds: value.bounds, maximized: value.maximized === true };
  } catch {
    return null;
  }
};

/** Saves the state; a failure is returned as a message for the log, never thrown. */
export const writeWindowState = (folder: string, state: WindowState): string | null => {
  try {
    writeFileSync(join(folder, WINDOW_STATE_FILE), `${JSON.stringify(state)}\n`);
    return null;
  } catch (error) {
    return `could not save the window's place: ${error instanceof Error ? error.message : String(error)}`;
  }
};

/** How much of `a` lies inside `b`, as an area. */
const overlap = (a: Bounds, b: Bounds): number =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/**
 * The bounds for a new window: the saved ones when at least half of the window lies on one
 * display's work area (shrunk to fit it), moved on by a step for every open window already at that
 * place; null (the platform's default place, centred) when nothing was saved or it is off-screen.
 */
export const placeWindow = (saved: Bounds | null, workAreas: readonly Bounds[], openWindows: readonly Bounds[]): Bounds | null => {
  if (!saved) return null;
  const area = workAreas.find((work) => overlap(saved, work) >= (saved.width * saved.height) / 2);
  if (!area) return null;
  const width = Math.max(MIN_SIZE.width, Math.min(saved.width, area.width));
  const height = Math.max(MIN_SIZE.height, Math.min(saved.height, area.height));
  let { x, y } = saved;
  while (openWindows.some((open) => open.x === x && open.y === y)) {
    x += CASCADE;
    y += CASCADE;
  }
  // Kept on the display: a cascade that would leave it starts again at the display's corner.
  if (x + width > area.x + area.width || y + height > area.y + area.height) {
    x = area.x;
    y = area.y;
  }
  return { x, y, width, height };
};
