/**
 * The renderer's state, in framework-free stores: the editor (graph, analysis, history), the app
 * (connection, open project, notices), the layout (theme, panels), and the training panel
 * (training-store.ts).
 */
import type { HostInfo, StudioApi } from '../../electron/api';
import type { ProjectDocument } from '../../engine/project/schema';
import { EditorStore } from '../editor/editor-store';
import { settingsForGraph } from '../inspector/filter-edits';
import { ValueStore } from '../editor/store-core';
import { withRunSettings } from '../training/run-settings';
import { LayoutStore, type LayoutStorage } from './layout-store';

export interface Notice {
  readonly kind: 'info' | 'error';
  readonly text: string;
}

export interface AppState {
  readonly api: StudioApi | null;
  readonly host: HostInfo | null;
  /** Why the host cannot be reached, when it cannot. */
  readonly connectionError: string | null;
  readonly screen: 'start' | 'editor';
  /** The open project; its graph is the editor's (see currentDocument). */
  readonly project: ProjectDocument | null;
  /** Its file, or null until saved. */
  readonly path: string | null;
  /** The editor version (its place in the undo history) last saved or opened. */
  readonly savedVersion: number;
  /** Something other than the graph changed since the last save (a run's weights). */
  readonly unsavedResults: boolean;
  readonly hasWeights: boolean;
  readonly notice: Notice | null;
  /** The "save as" path field is shown. */
  readonly savingAs: boolean;
  readonly busy: boolean;
  /** Counts projects shown, so panels can start afresh for each. */
  readonly opened: number;
  /** The person asked to leave a project with unsaved edits: the top bar asks to confirm. */
  readonly confirmingLeave: boolean;
}

export const editor = new EditorStore();

/** The theme and the panels, kept in the browser's localStorage. */
export const layout = new LayoutStore(
  'window' in globalThis ? (globalThis as unknown as { localStorage: LayoutStorage }).localStorage : null,
);

export const app = new ValueStore<AppState>({
  api: null,
  host: null,
  connectionError: null,
  screen: 'start',
  project: null,
  path: null,
  savedVersion: 0,
  unsavedResults: false,
  hasWeights: false,
  notice: null,
  savingAs: false,
  busy: false,
  opened: 0,
  confirmingLeave: false,
});

/** The project as it is now: the open document with the editor's graph, filter settings and run settings. */
export const currentDocument = (): ProjectDocument | null => {
  const project = app.getState().project;
  if (!project) return null;
  const filters = settingsForGraph(editor.filters, editor.getState().report.nodes);
  const { filters: _old, ...training } = project.training;
  const document = { ...project, graph: editor.graph, training: Object.keys(filters).length ? { ...training, filters } : training };
  return withRunSettings(document, editor.run);
};

/** Whether there are changes to save. */
export const isDirty = (state: AppState, version: number): boolean =>
  state.project !== null && (state.path === null || version !== state.savedVersion || state.unsavedResults);

/**
 * Whether the open project has edits that a save would keep (a new project from a template has
 * none until it is edited): what autosave keeps, and what leaving asks about.
 */
export const hasUnsavedEdits = (state: AppState, version: number): boolean =>
  state.screen === 'editor' && state.project !== null && (version !== state.savedVersion || state.unsavedResults);
