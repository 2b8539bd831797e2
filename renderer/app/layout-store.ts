/**
 * The workbench layout: the theme, which panels are open and how big they are. It survives a
 * reload in localStorage; a stored value that is missing, of the wrong kind or out of range
 * falls back to its default, so a damaged entry never stops the app from starting.
 */
import { ValueStore } from '../editor/store-core';

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

export interface LayoutState {
  /** 'system' follows the operating system's light or dark setting (prefers-color-scheme). */
  readonly theme: ThemeChoice;
  readonly paletteOpen: boolean;
  readonly inspectorOpen: boolean;
  readonly bottomOpen: boolean;
  /** Pixels. */
  readonly paletteWidth: number;
  readonly inspectorWidth: number;
  readonly bottomHeight: number;
  /** The code panel beside the canvas, when it is open. */
  readonly codeWidth: number;
}

export const LAYOUT_KEY = 'cnn-studio.layout.v1';

export const DEFAULT_LAYOUT: LayoutState = {
  theme: 'system',
  paletteOpen: true,
  inspectorOpen: true,
  bottomOpen: true,
  paletteWidth: 240,
  inspectorWidth: 300,
  bottomHeight: 220,
  codeWidth: 480,
};

/** The smallest and largest size of each resizable panel. */
export const PANEL_LIMITS = {
  paletteWidth: { min: 160, max: 600 },
  inspectorWidth: { min: 200, max: 700 },
  bottomHeight: { min: 120, max: 900 },
  codeWidth: { min: 320, max: 1600 },
} as const;

export type PanelSize = keyof typeof PANEL_LIMITS;

export const clampSize = (panel: PanelSize, value: number): number =>
  Math.round(Math.min(PANEL_LIMITS[panel].max, Math.max(PANEL_LIMITS[panel].min, value)));

/** A layout from stored text, each field checked on its own. */
export const readLayout = (text: string | null): LayoutState => {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
  } catch {
    // Unreadable: the defaults.
  }
  const flag = (name: 'paletteOpen' | 'inspectorOpen' | 'bottomOpen') =>
    typeof stored[name] === 'boolean' ? (stored[name] as boolean) : DEFAULT_LAYOUT[name];
  const size = (name: PanelSize) =>
    typeof stored[name] === 'number' && Number.isFinite(stored[name]) ? clampSize(name, stored[name] as number) : DEFAULT_LAYOUT[name];
  return {
    theme: THEME_CHOICES.includes(stored.theme as ThemeChoice) ? (stored.theme as ThemeChoice) : DEFAULT_LAYOUT.theme,
    paletteOpen: flag('paletteOpen'),
    inspectorOpen: flag('inspectorOpen'),
    bottomOpen: flag('bottomOpen'),
    paletteWidth: size('paletteWidth'),
    inspectorWidth: size('inspectorWidth'),
    bottomHeight: size('bottomHeight'),
    codeWidth: size('codeWidth'),
  };
};

/** Where the layout is kept: window.localStorage in the app, a stand-in in tests. */
export interface LayoutStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export class LayoutStore extends ValueStore<LayoutState> {
  constructor(private readonly storage: LayoutStorage | null) {
    super(readLayout(safely(() => storage?.getItem(LAYOUT_KEY) ?? null) ?? null));
    this.subscribe(() => safely(() => this.storage?.setItem(LAYOUT_KEY, JSON.stringify(this.state))));
  }

  setSize(panel: PanelSize, value: number): void {
    this.update({ [panel]: clampSize(panel, value) });
  }

  toggle(panel: 'paletteOpen' | 'inspectorOpen' | 'bottomOpen'): void {
    this.update((state) => ({ [panel]: !state[panel] }));
  }

  /** system → light → dark → system. */
  nextTheme(): void {
    this.update((state) => ({ theme: THEME_CHOICES[(THEME_CHOICES.indexOf(state.theme) + 1) % THEME_CHOICES.length] }));
  }
}

/** Storage can throw (full, or disabled by the browser); the layout then simply is not kept. */
const safely = <T>(action: () => T): T | undefined => {
  try {
    return action();
  } catch {
    return undefined;
  }
};

/** The theme to show: a choice, or the system's when the choice is 'system'. */
export const resolveTheme = (choice: ThemeChoice, systemPrefersDark: boolean): 'light' | 'dark' =>
  choice === 'system' ? (systemPrefersDark ? 'dark' : 'light') : choice;
