/**
 * Autosave to the host's recovery folder: while the open project has unsaved edits, its document
 * goes to the host `AUTOSAVE_QUIET_MS` after the last edit (each edit restarts the wait), and
 * never sooner than `AUTOSAVE_MIN_INTERVAL_MS` after the previous one. When the edits are gone
 * (saved, undone, or the project left), the host is told to drop what it kept.
 */
import type { StudioApi } from '../../electron/api';
import { app, currentDocument, editor, hasUnsavedEdits } from './state';

export const AUTOSAVE_QUIET_MS = 2_000;
export const AUTOSAVE_MIN_INTERVAL_MS = 5_000;

export interface AutosaveTimers {
  now(): number;
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: AutosaveTimers = {
  now: () => Date.now(),
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** When to write: the debounce and the minimum interval, without knowing what is written. */
export class AutosaveScheduler {
  private timer: unknown = null;
  private lastWrite = -Infinity;
  private writing: Promise<void> | null = null;
  /** Something was written since the document was last clean. */
  private written = false;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly discard: () => Promise<void>,
    private readonly options: { quietMs: number; minIntervalMs: number; timers?: AutosaveTimers } = {
      quietMs: AUTOSAVE_QUIET_MS,
      minIntervalMs: AUTOSAVE_MIN_INTERVAL_MS,
    },
  ) {}

  private get timers(): AutosaveTimers {
    return this.options.timers ?? realTimers;
  }

  /** The document changed (`dirty`: it has unsaved edits now). */
  changed(dirty: boolean): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    if (!dirty) {
      if (this.written) {
        this.written = false;
        void this.discard().catch(() => undefined);
      }
      return;
    }
    const delay = Math.max(this.options.quietMs, this.lastWrite + this.options.minIntervalMs - this.timers.now());
    this.timer = this.timers.set(() => void this.fire(), delay);
  }

  private async fire(): Promise<void> {
    this.timer = null;
    if (this.writing) await this.writing;
    this.lastWrite = this.timers.now();
    this.written = true;
    this.writing = this.write()
      .catch(() => undefined)
      .finally(() => (this.writing = null));
    await this.writing;
  }
}

/** Starts autosaving the app's project through `api`; returns the function that stops it. */
export const startAutosave = (api: StudioApi): (() => void) => {
  const scheduler = new AutosaveScheduler(
    async () => {
      const document = currentDocument();
      if (document && hasUnsavedEdits(app.getState(), editor.getState().version)) await api.autosaveProject(document);
    },
    () => api.discardAutosave(),
  );
  let seen = '';
  const check = () => {
    const state = app.getState();
    const revision = editor.getState().revision;
    const dirty = hasUnsavedEdits(state, editor.getState().version);
    // Only edits (and the change of dirtiness) restart the wait, not notices or busy flags.
    const key = `${state.opened}:${revision}:${dirty}`;
    if (key === seen) return;
    seen = key;
    scheduler.changed(dirty);
  };
  const stopApp = app.subscribe(check);
  const stopEditor = editor.subscribe(check);
  return () => {
    stopApp();
    stopEditor();
  };
};
