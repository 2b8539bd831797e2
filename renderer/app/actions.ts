/** What the person can do with projects: make, open, save. Each reports its outcome as a notice. */
import type { OpenedProject } from '../../electron/api';
import { layoutGraph } from '../editor/editor-store';
import { training } from '../training/training-store';
import { app, currentDocument, editor } from './state';

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const showError = (error: unknown): void => app.update({ notice: { kind: 'error', text: describe(error) }, busy: false });

export const showInfo = (text: string): void => app.update({ notice: { kind: 'info', text } });

/** Shows a project; a new one from a template is laid out to fit the screen. */
const show = (opened: OpenedProject): void => {
  editor.load(opened.path === null ? layoutGraph(opened.document.graph) : opened.document.graph);
  training.reset();
  app.update((state) => ({
    opened: state.opened + 1,
    screen: 'editor',
    project: opened.document,
    path: opened.path,
    savedRevision: editor.getState().revision,
    unsavedResults: false,
    hasWeights: opened.hasWeights,
    savingAs: false,
    busy: false,
    notice: opened.migratedFrom !== undefined ? { kind: 'info', text: `upgraded from format version ${opened.migratedFrom}` } : null,
  }));
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
  const revision = editor.getState().revision;
  try {
    app.update({ busy: true });
    const saved = await api().saveProject(target, document, { force });
    app.update({
      project: { ...saved.document, graph: document.graph },
      path: saved.path,
      savedRevision: revision,
      unsavedResults: false,
      hasWeights: saved.hasWeights,
      savingAs: false,
      busy: false,
      notice: {
        kind: 'info',
        text: `saved ${saved.path}${saved.droppedWeights ? ' (the trained weights no longer fit the graph and were left out)' : ''}`,
      },
    });
  } catch (error) {
    showError(error);
  }
};

export const backToStart = (): void => app.update({ screen: 'start', notice: null });
