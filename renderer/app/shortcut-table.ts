/**
 * Every keyboard shortcut and mouse gesture of the editor, in one table: the key handler
 * (shortcuts.ts) dispatches from it, the canvas takes its delete and selection keys from it, and
 * the help overlay lists it. A shortcut added here is both working and documented.
 */

export type CommandId =
  | 'undo'
  | 'redo'
  | 'save'
  | 'copy'
  | 'cut'
  | 'paste'
  | 'duplicate'
  | 'selectAll'
  | 'delete'
  | 'boxSelect'
  | 'addToSelection'
  | 'contextMenu'
  | 'togglePalette'
  | 'toggleInspector'
  | 'toggleBottom'
  | 'help'
  | 'close';

/** One key combination. `mod` is Ctrl, or Cmd on macOS; `shift: 'any'` for keys that need Shift to type ('?'). */
export interface Chord {
  readonly key: string;
  readonly mod?: boolean;
  readonly shift?: boolean | 'any';
  readonly alt?: boolean;
  /** How it reads in the help when it is not a plain key (a mouse gesture). */
  readonly label?: string;
}

export interface Shortcut {
  readonly id: CommandId;
  readonly chords: readonly Chord[];
  readonly does: string;
  readonly group: 'File' | 'Edit' | 'Selection' | 'View' | 'Help';
  /**
   * Who acts on it: 'keys' the key handler; 'clipboard' the browser's copy, cut and paste events
   * (which the key makes the browser send, and which a desktop menu sends too); 'canvas' React Flow.
   */
  readonly by: 'keys' | 'clipboard' | 'canvas';
  /**
   * In text fields: 'always' acts there too; 'inspector' only in the fields whose edits are steps of
   * the editor's history (the inspector's and the training panel's advanced settings); 'never'
   * leaves the key to the field.
   */
  readonly inFields: 'always' | 'inspector' | 'never';
}

export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: 'save',
    chords: [{ key: 's', mod: true }],
    does: 'Save (asks for a path the first time)',
    group: 'File',
    by: 'keys',
    inFields: 'always',
  },
  {
    id: 'undo',
    chords: [{ key: 'z', mod: true }],
    does: 'Undo any edit: add, connect, delete, move, parameters, filters, paste, expand, training settings',
    group: 'Edit',
    by: 'keys',
    inFields: 'inspector',
  },
  {
    id: 'redo',
    chords: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true },
    ],
    does: 'Redo',
    group: 'Edit',
    by: 'keys',
    inFields: 'inspector',
  },
  {
    id: 'copy',
    chords: [{ key: 'c', mod: true }],
    does: 'Copy the selected layers and the connections among them',
    group: 'Edit',
    by: 'clipboard',
    inFields: 'never',
  },
  { id: 'cut', chords: [{ key: 'x', mod: true }], does: 'Cut the selected layers', group: 'Edit', by: 'clipboard', inFields: 'never' },
  {
    id: 'paste',
    chords: [{ key: 'v', mod: true }],
    does: 'Paste layers, also ones copied in another project or window',
    group: 'Edit',
    by: 'clipboard',
    inFields: 'never',
  },
  {
    id: 'duplicate',
    chords: [{ key: 'd', mod: true }],
    does: 'Duplicate the selected layers',
    group: 'Edit',
    by: 'keys',
    inFields: 'never',
  },
  {
    id: 'delete',
    chords: [{ key: 'Delete' }, { key: 'Backspace' }],
    does: 'Delete the selection',
    group: 'Edit',
    by: 'canvas',
    inFields: 'never',
  },
  {
    id: 'selectAll',
    chords: [{ key: 'a', mod: true }],
    does: 'Select every layer and connection',
    group: 'Selection',
    by: 'keys',
    inFields: 'never',
  },
  {
    id: 'boxSelect',
    chords: [{ key: 'Shift', label: 'Shift+drag' }],
    does: 'Select the layers inside a box',
    group: 'Selection',
    by: 'canvas',
    inFields: 'never',
  },
  {
    id: 'addToSelection',
    chords: [
      { key: 'Control', label: 'Ctrl+click' },
      { key: 'Meta', label: 'Cmd+click' },
    ],
    does: 'Add a layer to the selection, or take it out',
    group: 'Selection',
    by: 'canvas',
    inFields: 'never',
  },
  {
    id: 'contextMenu',
    chords: [{ key: 'ContextMenu', label: 'Right-click' }],
    does: 'Commands for a layer, or for the canvas',
    group: 'Selection',
    by: 'canvas',
    inFields: 'never',
  },
  {
    id: 'togglePalette',
    chords: [{ key: 'b', mod: true }],
    does: 'Show or hide the layer palette',
    group: 'View',
    by: 'keys',
    inFields: 'always',
  },
  {
    id: 'toggleInspector',
    chords: [{ key: 'b', mod: true, alt: true }],
    does: 'Show or hide the inspector',
    group: 'View',
    by: 'keys',
    inFields: 'always',
  },
  {
    id: 'toggleBottom',
    chords: [{ key: 'j', mod: true }],
    does: 'Show or hide the training panel',
    group: 'View',
    by: 'keys',
    inFields: 'always',
  },
  {
    id: 'help',
    chords: [{ key: 'F1' }, { key: '/', mod: true }, { key: '?', shift: 'any' }],
    does: 'Show these shortcuts',
    group: 'Help',
    by: 'keys',
    inFields: 'never',
  },
  { id: 'close', chords: [{ key: 'Escape' }], does: 'Close this help or a menu', group: 'Help', by: 'keys', inFields: 'always' },
];

/** What a key event says (a KeyboardEvent has it all). */
export interface KeyPress {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

/** Whether a key event is this chord (Ctrl and Cmd both count as the modifier). */
export const chordMatches = (chord: Chord, event: KeyPress): boolean => {
  if (chord.label) return false;
  const mod = event.ctrlKey || event.metaKey;
  if (Boolean(chord.mod) !== mod || Boolean(chord.alt) !== event.altKey) return false;
  if (chord.shift !== 'any' && Boolean(chord.shift) !== event.shiftKey) return false;
  return event.key.length === 1 ? event.key.toLowerCase() === chord.key.toLowerCase() : event.key === chord.key;
};

/** The shortcut a key event stands for, if any (gestures never match). */
export const shortcutFor = (event: KeyPress): Shortcut | undefined =>
  SHORTCUTS.find((shortcut) => shortcut.chords.some((chord) => chordMatches(chord, event)));

export const shortcut = (id: CommandId): Shortcut => SHORTCUTS.find((candidate) => candidate.id === id)!;

/** The keys of a canvas shortcut, as React Flow takes them ('Delete', 'Shift'). */
export const canvasKeys = (id: CommandId): string[] => shortcut(id).chords.map((chord) => chord.key);

/** How a chord reads: 'Ctrl+Shift+Z', 'F1', 'Shift+drag'; with `mac`, Cmd for the modifier. */
export const chordLabel = (chord: Chord, mac = false): string => {
  if (chord.label) return chord.label;
  const parts: string[] = [];
  if (chord.mod) parts.push(mac ? 'Cmd' : 'Ctrl');
  if (chord.alt) parts.push(mac ? 'Option' : 'Alt');
  if (chord.shift === true) parts.push('Shift');
  parts.push(chord.key.length === 1 ? chord.key.toUpperCase() : chord.key);
  return parts.join('+');
};
