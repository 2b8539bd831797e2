/** What floats above the workbench: the shortcut help and the context menu (one at a time). */
import { ValueStore } from '../editor/store-core';

export interface ContextMenuState {
  /** Where it opens, in window pixels. */
  readonly x: number;
  readonly y: number;
  /** The layer right-clicked, or null for the empty canvas. */
  readonly nodeId: string | null;
  /** The canvas point under the click, where a paste goes. */
  readonly flowPoint: { readonly x: number; readonly y: number } | null;
}

export interface OverlayState {
  readonly helpOpen: boolean;
  readonly contextMenu: ContextMenuState | null;
}

export const overlays = new ValueStore<OverlayState>({ helpOpen: false, contextMenu: null });

export const closeOverlays = (): boolean => {
  const { helpOpen, contextMenu } = overlays.getState();
  if (!helpOpen && !contextMenu) return false;
  overlays.update({ helpOpen: false, contextMenu: null });
  return true;
};
