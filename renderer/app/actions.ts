/** What the person can do with projects: make, open, save. Each reports its outcome as a notice. */
import type { OpenedProject } from '../../electron/api';
import { layoutGraph } from '../editor/editor-store';
import { runSettingsOf } from '../training/run-settings';
import { training } from '../training/training-store';
import { app, currentDocument, editor, hasUnsavedEdits } from './state';

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const showError = (error: unknown): void => app.update({ notice: { kind: 'error', text: describe(error) }, busy: false });

export const showInfo = (text: string): void => app.update({ notice: { kind: 'info', text } });

/** Shows a project; a new one from a template is laid out to fit the screen. */
const show = (opened: OpenedProject): void => {
  const fromTemplate = opened.path === null && !opened.restored;
  editor.load(
    fromTemplate ? layoutGraph(opened.document.graph) : opened.document.graph,
    opened.document.training.filters ?? {},
    runSettingsOf(opened.document),
  );
  training.reset();
  app.update((state) => ({
    opened: state.opened + 1,
    screen: 'editor',
    project: opened.document,
    path: opened.path,
    savedVersion: editor.getState().version,
    unsavedResults: false,
    hasWeights: opened.hasWeights,
    savingAs: false,
    busy: false,
    confirmingLeave: false,
    notice: opened.migratedFrom !== undefined ? { kind: 'info', text: `upgraded from format version ${opened.migratedFrom}` } : null,
  }));
};

/** A time for people: today's as hours and minutes, an older one with its date. */
export const formatSavedAt = (iso: string, now = new Date()): string => {
  const time = new Date(iso);
  const clock = time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return time.toDateString() === now.toDateString() ? clock : `${time.toLocaleDateString()} ${clock}`;
};

const api = () => {
  const connected = app.getState().api;
  if (!connected) throw new Error('not connected to the CNN Studio host');
  return connected;
};

export const newProject = async (template: string): Promise<void> => {
  try {
    app.update({ busy: true });
    show(await api().newProject(template));
  } catch (error) {
    showError(error);
  }
};

export const openProject = async (path: string): Promise<void> => {
  try {
    app.update({ busy: true });
    show(await api().openProject(path.trim()));
  } catch (error) {
    showError(error);
  }
};

/** Saves to `path`, or to the project's own file; with neither, asks for a path. */
export const saveProject = async (path?: string, force = false): Promise<void> => {
  const target = (path ?? app.getState().path)?.trim();
  const document = currentDocument();
  if (!document) return;
  if (!target) {
    app.update({ savingAs: true });
    return;
  }
  const version = editor.getState().version;
  // Typing on after the save is a new undo step, so that undo can come back to what was saved.
  editor.endMerge();
  try {
    app.update({ busy: true });
    const saved = await api().saveProject(target, document, { force });
    app.update({
      project: { ...saved.document, graph: document.graph },
      path: saved.path,
      savedVersion: version,
      unsavedResults: false,
      hasWeights: saved.hasWeights,
      savingAs: false,
      busy: false,
      confirmingLeave: false,
      notice: {
        kind: 'info',
        text: `saved ${saved.path}${saved.droppedWeights ? ' (the trained weights no longer fit the graph and were left out)' : ''}`,
      },
    });
  } catch (error) {
    showError(error);
  }
};

/** Brings back unsaved changes a window left behind; they stay unsaved (and autosaved) until saved. */
export const restoreProject = async (id: string): Promise<void> => {
  try {
    app.update({ busy: true });
    const opened = await api().restoreProject(id);
    show(opened);
    const from = opened.restored;
    const when = from ? formatSavedAt(from.savedAt) : 'before';
    const text = from?.problem
      ? `restored the unsaved changes from ${when}, but ${from.problem}`
      : from?.fileChanged
        ? `restored the unsaved changes from ${when}; ${opened.path} was saved over since, so saving asks before replacing it (or use Save as…)`
        : `restored the unsaved changes from ${when}; save to keep them`;
    const warn = Boolean(from?.problem || from?.fileChanged);
    app.update({ unsavedResults: true, notice: { kind: warn ? 'error' : 'info', text } });
  } catch (error) {
    showError(error);
  }
};

/** Deletes unsaved changes a window left behind. */
export const discardRecoverable = async (id: string): Promise<void> => {
  try {
    await api().discardRecoverable(id);
  } catch (error) {
    showError(error);
  }
};

/** Back to the start page; with unsaved edits, the top bar asks first (see leaveDiscarding). */
export const backToStart = (): void => {
  const state = app.getState();
  if (hasUnsavedEdits(state, editor.getState().version)) app.update({ confirmingLeave: true });
  else app.update({ screen: 'start', notice: null, confirmingLeave: false });
};

/** Leaves the project, throwing its unsaved edits away (and the host's autosave of them). */
export const leaveDiscarding = async (): Promise<void> => {
  await api()
    .discardAutosave()
    .catch(() => undefined);
  app.update({ screen: 'start', notice: null, confirmingLeave: false });
};
