/** The bar above the editor: the project, undo and redo, the view (panels, theme, help), save and save as, and the latest notice. */
import { useEffect, useState, type FormEvent } from 'react';
import { codePanel } from '../code/code-panel-state';
import { backToStart, leaveDiscarding, saveProject } from './actions';
import { useStore } from './hooks';
import { overlays } from './overlays';
import { chordLabel, shortcut, type CommandId } from './shortcut-table';
import { app, editor, isDirty, layout } from './state';

const suggestedPath = (folder: string, separator: string, name: string): string =>
  `${folder}${folder.endsWith(separator) ? '' : separator}${name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'project'}.cnnproj`;

const SaveAsForm = () => {
  const host = useStore(app, (state) => state.host);
  const project = useStore(app, (state) => state.project);
  const current = useStore(app, (state) => state.path);
  const [path, setPath] = useState('');
  const [replace, setReplace] = useState(false);
  useEffect(() => {
    setPath(current ?? suggestedPath(host?.defaultFolder ?? '', host?.pathSeparator ?? '/', project?.name ?? 'project'));
  }, [current, host, project?.name]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (path.trim()) void saveProject(path, replace);
  };
  return (
    <form className="save-as" onSubmit={submit}>
      <label htmlFor="save-as-path">Save as</label>
      <input id="save-as-path" type="text" value={path} onChange={(event) => setPath(event.target.value)} autoFocus spellCheck={false} />
      <label title="overwrite a file that exists, or that changed on disk">
        <input type="checkbox" checked={replace} onChange={(event) => setReplace(event.target.checked)} /> replace
      </label>
      <button type="submit">Save</button>
      <button type="button" onClick={() => app.update({ savingAs: false })}>
        Cancel
      </button>
    </form>
  );
};

const THEME_NAMES = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' } as const;

/** Which panels show, the theme (system → light → dark), and the shortcut help. */
const ViewButtons = () => {
  const panels = useStore(layout, (s) => s);
  const toggle = (panel: 'paletteOpen' | 'inspectorOpen' | 'bottomOpen', label: string, id: CommandId) => (
    <button
      className="view-toggle"
      aria-pressed={panels[panel]}
      onClick={() => layout.toggle(panel)}
      title={`${shortcut(id).does} (${chordLabel(shortcut(id).chords[0])})`}
    >
      {label}
    </button>
  );
  return (
    <span className="view-buttons">
      {toggle('paletteOpen', 'Palette', 'togglePalette')}
      {toggle('inspectorOpen', 'Inspector', 'toggleInspector')}
      {toggle('bottomOpen', 'Panel', 'toggleBottom')}
      <button onClick={() => layout.nextTheme()} title="Switch the theme: system, light, dark" data-testid="theme-toggle">
        {THEME_NAMES[panels.theme]}
      </button>
      <button
        onClick={() => overlays.update((s) => ({ helpOpen: !s.helpOpen }))}
        title={`Keyboard shortcuts (${shortcut('help')
          .chords.map((chord) => chordLabel(chord))
          .join(', ')})`}
        aria-label="Keyboard shortcuts"
      >
        ?
      </button>
    </span>
  );
};

export const TopBar = () => {
  const state = useStore(app, (s) => s);
  const version = useStore(editor, (s) => s.version);
  const canUndo = useStore(editor, (s) => s.canUndo);
  const canRedo = useStore(editor, (s) => s.canRedo);
  const codeOpen = useStore(codePanel, (s) => s.open);
  const dirty = isDirty(state, version);
  return (
    <header className="top-bar">
      <div className="top-row">
        <button onClick={backToStart} title="Start page">
          ⌂
        </button>
        <span className="project-name" data-testid="project-name">
          {state.project?.name}
          {dirty ? ' •' : ''}
        </span>
        <span className="muted project-path">{state.path ?? 'not saved yet'}</span>
        <span className="top-spacer" />
        <button
          onClick={() => {
            codePanel.update({ open: !codeOpen });
            setTimeout(() => editor.requestFit(), 50); // once the canvas has its new size
          }}
          aria-pressed={codeOpen}
          data-testid="toggle-code"
          title="The graph as code beside the canvas: model code to edit, and PyTorch"
        >
          Code
        </button>
        <button onClick={() => editor.autoLayout()} title="Lay the graph out afresh">
          Auto-layout
        </button>
        <button onClick={() => editor.undo()} disabled={!canUndo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button onClick={() => editor.redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z or Ctrl+Y)">
          Redo
        </button>
        <ViewButtons />
        <button onClick={() => void saveProject()} disabled={state.busy} title="Save (Ctrl+S)">
          Save
        </button>
        <button onClick={() => app.update({ savingAs: true })} disabled={state.busy}>
          Save as…
        </button>
      </div>
      {state.savingAs && <SaveAsForm />}
      {state.confirmingLeave && (
        <div className="notice error leave-confirm" role="alert" data-testid="leave-confirm">
          <span>Leave {state.project?.name} without saving? Its unsaved changes will be thrown away.</span>
          <button onClick={() => void saveProject()}>Save</button>
          <button onClick={() => void leaveDiscarding()}>Discard changes</button>
          <button onClick={() => app.update({ confirmingLeave: false })}>Cancel</button>
        </div>
      )}
      {state.notice && (
        <div className={`notice ${state.notice.kind}`} role={state.notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          <span>{state.notice.text}</span>
          <button onClick={() => app.update({ notice: null })} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
    </header>
  );
};
