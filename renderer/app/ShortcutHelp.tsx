/** The keyboard shortcuts, listed from the same table the key handler uses (F1, Ctrl+/ or ?). */
import { useEffect, useRef } from 'react';
import { useStore } from './hooks';
import { overlays } from './overlays';
import { chordLabel, SHORTCUTS, type Shortcut } from './shortcut-table';

const isMac = (): boolean => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

const GROUPS: readonly Shortcut['group'][] = ['File', 'Edit', 'Selection', 'View', 'Help'];

export const ShortcutHelp = () => {
  const open = useStore(overlays, (state) => state.helpOpen);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) dialog.current?.focus();
  }, [open]);
  if (!open) return null;
  const mac = isMac();
  const close = () => overlays.update({ helpOpen: false });
  return (
    <div className="overlay-backdrop" onClick={close}>
      <div
        className="shortcut-help"
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        tabIndex={-1}
        ref={dialog}
        onClick={(event) => event.stopPropagation()}
        data-testid="shortcut-help"
      >
        <div className="shortcut-help-heading">
          <h2>Keyboard shortcuts</h2>
          <button onClick={close} aria-label="Close">
            ×
          </button>
        </div>
        <table>
          <tbody>
            {GROUPS.flatMap((group) => [
              <tr key={group}>
                <th colSpan={2}>{group}</th>
              </tr>,
              ...SHORTCUTS.filter((shortcut) => shortcut.group === group).map((shortcut) => (
                <tr key={shortcut.id} data-testid={`shortcut-row-${shortcut.id}`}>
                  <td className="shortcut-keys">
                    {shortcut.chords.map((chord, index) => (
                      <span key={index}>
                        {index > 0 && ' or '}
                        <kbd>{chordLabel(chord, mac)}</kbd>
                      </span>
                    ))}
                  </td>
                  <td>{shortcut.does}</td>
                </tr>
              )),
            ])}
          </tbody>
        </table>
      </div>
    </div>
  );
};
