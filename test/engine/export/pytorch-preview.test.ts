// The PyTorch view's model.py, written from the graph's analysis alone, is the text the export
// writes from a compiled model; an invalid graph gives its first error instead.
import { describe, expect, it } from 'vitest';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import { exportPytorch } from '../../../engine/export/pytorch/export';
import { previewModelSource } from '../../../engine/export/pytorch/preview';
import { TEMPLATES, findTemplate } from '../../../engine/graph/templates';
import { compileModel } from '../../../engine/train/plan';

describe('previewModelSource', () => {
  it.each(TEMPLATES.map((t) => [t.name, t]))('%s: the same model.py as the export', (_, template) => {
    const graph = template.build();
    const preview = previewModelSource(graph);
    if (!preview.ok) throw new Error(preview.problem);
    const exported = exportPytorch(compileModel(graph, CPU_LAYERS), { name: graph.name, description: graph.description });
    expect(preview.source).toBe(exported.get('model.py'));
  });

  it('says why there is no model.py for an invalid graph', () => {
    const graph = findTemplate('lenet5')!.build();
    const broken = { ...graph, nodes: graph.nodes.map((n) => (n.id === 'conv2' ? { ...n, params: { ...n.params, kernel: 25 } } : n)) };
    const preview = previewModelSource(broken);
    expect(preview.ok).toBe(false);
    if (!preview.ok) expect(preview.problem).toMatch(/^conv2: kernel 25×25 exceeds/);
  });
});
