/** Where new layers go when they are not dropped at a place. */
import type { EditorState } from './editor-store';
import type { Position } from './graph-edits';

/** The drag-and-drop type of a palette entry. */
export const LAYER_MIME = 'application/x-cnn-studio-layer';

/** Below the selected layer, else below the lowest one, else at the origin. */
export const placeBelowSelection = (state: EditorState): Position => {
  const nodes = state.graph.nodes;
  const selected = nodes.find((node) => node.id === state.selectedNodes[0]);
  const anchor = selected ?? [...nodes].sort((a, b) => (b.position?.y ?? 0) - (a.position?.y ?? 0))[0];
  if (!anchor?.position) return { x: 0, y: 0 };
  return { x: anchor.position.x + 40, y: anchor.position.y + 110 };
};
