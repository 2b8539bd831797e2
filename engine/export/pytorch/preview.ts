/**
 * model.py for a graph as it is being edited, without compiling it: the same text the PyTorch
 * export writes (export.ts), for the IDE's read-only PyTorch view.
 */
import type { GraphDocument } from '../../graph/document';
import { pytorchClassName } from './export';
import { writeModelSource } from './model-source';
import { outlineGraph } from './outline';

export type ModelPreview = { readonly ok: true; readonly source: string } | { readonly ok: false; readonly problem: string };

export const previewModelSource = (graph: GraphDocument, producerVersion = '0.1.0'): ModelPreview => {
  const outlined = outlineGraph(graph);
  if (!outlined.ok) return outlined;
  const className = pytorchClassName(null, { name: graph.name });
  const source = writeModelSource(outlined.outline, {
    className,
    title: graph.name?.trim() || className,
    description: graph.description,
    producer: `CNN Studio ${producerVersion}`,
  });
  return { ok: true, source };
};
