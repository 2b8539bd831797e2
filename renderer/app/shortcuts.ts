/**
 * The key handler: finds the pressed keys in the shortcut table (shortcut-table.ts) and runs the
 * command. Copy, cut and paste are left to the browser, which turns the keys into clipboard
 * events (clipboard.ts); Delete and the selection keys are React Flow's (Canvas.tsx). In text
 * fields the field keeps its own keys, except where the table says otherwise.
 */
import { saveProject } from './actions';
import { isTextField } from './clipboard';
import { closeOverlays, overlays } from './overlays';
import { shortcutFor, type CommandId, type Shortcut } from './shortcut-table';
import { app, editor, layout } from './state';

/**
 * What each key command does; one that returns false did nothing, and leaves the key to the
 * browser. Every command of the table is here (the compiler checks): null for those that others
 * act on (see the table's `by`).
 */
const COMMANDS: Record<CommandId, (() => boolean | void) | null> = {
  copy: null,
  cut: null,
  paste: null,
  delete: null,
  boxSelect: null,
  addToSelection: null,
  contextMenu: null,
  save: () => void saveProject(),
  undo: () => editor.undo(),
  redo: () => editor.redo(),
  duplicate: () => void editor.duplicateSelection(),
  selectAll: () => editor.selectAll(),
  togglePalette: () => layout.toggle('paletteOpen'),
  toggleInspector: () => layout.toggle('inspectorOpen'),
  toggleBottom: () => layout.toggle('bottomOpen'),
  help: () => overlays.update((state) => ({ helpOpen: !state.helpOpen, contextMenu: null })),
  close: closeOverlays,
};

const actsHere = (shortcut: Shortcut, target: EventTarget | null): boolean => {
  if (!isTextField(target) || shortcut.inFields === 'always') return true;
  return (
    shortcut.inFields === 'inspector' &&
    target instanceof HTMLElement &&
    target.closest('.inspector, .advanced-settings, .run-setting') !== null
  );
};

export const onShortcut = (event: KeyboardEvent): void => {
  if (app.getState().screen !== 'editor') return;
  const shortcut = shortcutFor(event);
  if (!shortcut || shortcut.by !== 'keys' || !actsHere(shortcut, event.target)) return;
  // With the help open, the keys that edit the graph wait until it is closed.
  if (overlays.getState().helpOpen && !['help', 'close', 'save'].includes(shortcut.id)) return;
  const command = COMMANDS[shortcut.id];
  if (!command) return;
  if (command() !== false) event.preventDefault();
};
