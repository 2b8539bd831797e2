/** The left palette: every layer type by category, searchable, each with its one-line summary. Drag one onto the canvas, or double-click it. */
import { useMemo, useState, type DragEvent } from 'react';
import { CATEGORY_TITLES, layersInCategory } from '../../engine/graph/catalogue';
import type { LayerCategory } from '../../engine/graph/layer';
import type { LayerType } from '../../engine/graph/layer-types';
import { editor } from '../app/state';
import { LAYER_MIME, placeBelowSelection } from './placement';

const CATEGORIES = Object.keys(CATEGORY_TITLES) as LayerCategory[];

const startDrag = (event: DragEvent, type: LayerType) => {
  event.dataTransfer.setData(LAYER_MIME, type);
  event.dataTransfer.setData('text/plain', type);
  event.dataTransfer.effectAllowed = 'move';
};

export const Palette = () => {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return CATEGORIES.map((category) => ({
      category,
      layers: layersInCategory(category).filter((layer) => {
        const text = `${layer.type} ${layer.title} ${layer.summary}`.toLowerCase();
        return words.every((word) => text.includes(word));
      }),
    })).filter((group) => group.layers.length > 0);
  }, [query]);
  return (
    <aside className="palette" aria-label="Layers">
      <div className="panel-heading">Layers</div>
      <input
        className="palette-search"
        type="search"
        placeholder="Search layers"
        aria-label="Search layers"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      <div className="palette-groups">
        {groups.map(({ category, layers }) => (
          <section key={category} className="palette-group">
            <h3>{CATEGORY_TITLES[category]}</h3>
            {layers.map((layer) => (
              <div
                key={layer.type}
                className={`palette-item category-${category}`}
                data-testid={`palette-${layer.type}`}
                draggable
                title={layer.help}
                onDragStart={(event) => startDrag(event, layer.type)}
                onDoubleClick={() => editor.addNode(layer.type, placeBelowSelection(editor.getState()))}
              >
                <div className="palette-item-title">{layer.title}</div>
                <div className="palette-item-summary">{layer.summary}</div>
              </div>
            ))}
          </section>
        ))}
        {groups.length === 0 && <div className="empty">No layer matches “{query}”.</div>}
      </div>
    </aside>
  );
};
