/**
 * The editor's keyboard shortcuts: Ctrl+Z undo, Ctrl+Shift+Z and Ctrl+Y redo, Ctrl+S save (Cmd on
 * macOS). In text fields outside the inspector (search, paths, training settings) undo and redo
 * stay the field's own.
 */
import { saveProject } from './actions';
import { app, editor } from './state';

const isTextField = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);

const graphOwnsUndo = (target: EventTarget | null): boolean =>
  !isTextField(target) || (target instanceof HTMLElement && target.closest('.inspector') !== null);

export const onShortcut = (event: KeyboardEvent): void => {
  if (app.getState().screen !== 'editor') return;
  const mod = event.ctrlKey || event.metaKey;
  if (!mod || event.altKey) return;
  const key = event.key.toLowerCase();
  if (key === 's') {
    event.preventDefault();
    void saveProject();
  } else if (key === 'z' && graphOwnsUndo(event.target)) {
    event.preventDefault();
    if (event.shiftKey) editor.redo();
    else editor.undo();
  } else if (key === 'y' && graphOwnsUndo(event.target)) {
    event.preventDefault();
    editor.redo();
  }
};
