/** The PyTorch tab: model.py as the export would write it for the graph now, read-only, or why there is none. */
import { useEffect, useRef } from 'react';
import type { GraphDocument } from '../../engine/graph/document';
import { previewModelSource } from '../../engine/export/pytorch/preview';
import { editor } from '../app/state';
import { EDITOR_OPTIONS, monaco } from './monaco';

const sourceFor = (graph: GraphDocument): string => {
  const preview = previewModelSource(graph);
  if (preview.ok) return preview.source;
  return `# model.py is written when the graph is valid. The first problem:\n# ${preview.problem.replace(/\n/g, '\n# ')}\n`;
};

export const PytorchView = () => {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const model = monaco.editor.createModel(sourceFor(editor.graph), 'python');
    const view = monaco.editor.create(host.current!, {
      ...EDITOR_OPTIONS,
      model,
      readOnly: true,
      ariaLabel: 'PyTorch model code (read-only)',
    });
    let report = editor.getState().report;
    const unsubscribe = editor.subscribe(() => {
      // The analysis is redone for every change model.py can show (moves keep the same report).
      if (editor.getState().report === report) return;
      report = editor.getState().report;
      const source = sourceFor(editor.graph);
      if (source === model.getValue()) return;
      const state = view.saveViewState();
      model.setValue(source);
      if (state) view.restoreViewState(state);
    });
    return () => {
      unsubscribe();
      view.dispose();
      model.dispose();
    };
  }, []);
  return (
    <div className="code-view" data-testid="pytorch-code">
      <div className="code-editor" ref={host} />
    </div>
  );
};
