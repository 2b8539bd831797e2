/**
 * The right-click menu: on a layer (open in the inspector, copy, cut, duplicate, expand or
 * collapse, delete), acting on the whole selection when the layer is part of it; on the empty
 * canvas (paste here, select all, auto-layout, zoom to fit).
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { copyLayers, cutLayers, pasteLayers } from '../app/clipboard';
import { useStore } from '../app/hooks';
import { overlays, type ContextMenuState } from '../app/overlays';
import { chordLabel, shortcut, type CommandId } from '../app/shortcut-table';
import { editor, layout } from '../app/state';
import { canCollapse, canExpand, collapseLayer, expandLayer } from './node-commands';

interface Item {
  readonly label: string;
  /** The shortcut that does the same, shown beside it. */
  readonly keys?: CommandId;
  readonly run: () => void;
}

const nodeItems = (nodeId: string): Item[] => {
  const graph = editor.graph;
  const items: Item[] = [
    {
      label: 'Open in inspector',
      run: () => {
        editor.select([nodeId], []);
        if (!layout.getState().inspectorOpen) layout.toggle('inspectorOpen');
      },
    },
    { label: 'Copy', keys: 'copy', run: () => void copyLayers() },
    { label: 'Cut', keys: 'cut', run: () => void cutLayers() },
    { label: 'Duplicate', keys: 'duplicate', run: () => void editor.duplicateSelection() },
  ];
  if (canExpand(graph, nodeId)) items.push({ label: 'Expand into stages', run: () => expandLayer(nodeId) });
  if (canCollapse(graph, nodeId)) items.push({ label: 'Collapse back', run: () => collapseLayer(nodeId) });
  items.push({ label: 'Delete', keys: 'delete', run: () => editor.removeSelection() });
  return items;
};

const canvasItems = (menu: ContextMenuState): Item[] => [
  { label: 'Paste here', keys: 'paste', run: () => void pasteLayers(undefined, menu.flowPoint ?? undefined) },
  { label: 'Select all', keys: 'selectAll', run: () => editor.selectAll() },
  { label: 'Auto-layout', run: () => editor.autoLayout() },
  { label: 'Zoom to fit', run: () => editor.requestFit() },
];

export const ContextMenu = () => {
  const menu = useStore(overlays, (state) => state.contextMenu);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!menu) return;
    list.current?.querySelector('button')?.focus();
    const close = (event: Event) => {
      if (!(event.target instanceof Node && list.current?.contains(event.target))) overlays.update({ contextMenu: null });
    };
    const closeNow = () => overlays.update({ contextMenu: null });
    window.addEventListener('pointerdown', close, true);
    window.addEventListener('blur', closeNow);
    window.addEventListener('resize', closeNow);
    return () => {
      window.removeEventListener('pointerdown', close, true);
      window.removeEventListener('blur', closeNow);
      window.removeEventListener('resize', closeNow);
    };
  }, [menu]);
  if (!menu) return null;
  const items = menu.nodeId ? nodeItems(menu.nodeId) : canvasItems(menu);
  const move = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const buttons = [...(list.current?.querySelectorAll('button') ?? [])];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = (index + (event.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length;
    buttons[next]?.focus();
  };
  return (
    <div
      className="context-menu"
      role="menu"
      aria-label={menu.nodeId ? `Layer ${menu.nodeId}` : 'Canvas'}
      style={{ left: Math.min(menu.x, window.innerWidth - 220), top: Math.min(menu.y, window.innerHeight - 40 * items.length) }}
      ref={list}
      onKeyDown={move}
      data-testid="context-menu"
    >
      {items.map((item) => (
        <button
          key={item.label}
          role="menuitem"
          onClick={() => {
            overlays.update({ contextMenu: null });
            item.run();
          }}
        >
          <span>{item.label}</span>
          {item.keys && <span className="context-menu-keys">{chordLabel(shortcut(item.keys).chords[0])}</span>}
        </button>
      ))}
    </div>
  );
};
