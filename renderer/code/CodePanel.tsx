/**
 * The code panel beside the canvas: the graph as model code (editable, docs/MODEL_CODE.md) and as
 * PyTorch (read-only). Monaco loads with the panel, in its own chunk, so the app starts without it.
 * `nokey`: React Flow ignores keys typed here (its Space handler would swallow spaces).
 */
import { lazy, Suspense } from 'react';
import { useStore } from '../app/hooks';
import { editor, layout } from '../app/state';
import { codePanel, type CodeTab } from './code-panel-state';

const CodeViews = lazy(() => import('./CodeViews'));

const TABS: readonly { tab: CodeTab; title: string }[] = [
  { tab: 'model', title: 'Model code' },
  { tab: 'pytorch', title: 'PyTorch (read-only)' },
];

export const CodePanel = () => {
  const tab = useStore(codePanel, (state) => state.tab);
  const width = useStore(layout, (state) => state.codeWidth);
  return (
    <section className="code-panel nokey" aria-label="Code" data-testid="code-panel" style={{ width }}>
      <div className="code-tabs" role="tablist">
        {TABS.map(({ tab: id, title }) => (
          <button
            key={id}
            role="tab"
            aria-selected={tab === id}
            data-testid={`code-tab-${id}`}
            onClick={() => codePanel.update({ tab: id })}
          >
            {title}
          </button>
        ))}
        <span className="top-spacer" />
        <button
          onClick={() => {
            codePanel.update({ open: false });
            setTimeout(() => editor.requestFit(), 50);
          }}
          aria-label="Close the code panel"
          title="Close"
        >
          ×
        </button>
      </div>
      <Suspense fallback={<div className="muted code-loading">Loading the editor…</div>}>
        <CodeViews tab={tab} />
      </Suspense>
    </section>
  );
};
