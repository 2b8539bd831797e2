import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../../engine/graph/analyze';
import type { GraphDocument } from '../../../engine/graph/document';
import { CATALOGUE } from '../../../engine/graph/catalogue';
import { expandNode } from '../../../engine/graph/expand';
import { normaliseParam, type ParamSpec } from '../../../engine/graph/params';
import { TEMPLATES } from '../../../engine/graph/templates';

const withLayer = (type: string, params: Record<string, unknown>, input = [8, 15, 12]): GraphDocument => ({
  format: 'cnn-studio/graph',
  version: 1,
  nodes: [
    { id: 'input', type: 'Input', params: { channels: input[0], height: input[1], width: input[2] } },
    { id: 'sep', type, params },
    { id: 'flatten', type: 'Flatten' },
    { id: 'fc', type: 'Dense', params: { units: 4 } },
    { id: 'output', type: 'ClassificationHead', params: { classes: 4 } },
  ],
  edges: [
    { source: 'input', target: 'sep' },
    { source: 'sep', target: 'flatten' },
    { source: 'flatten', target: 'fc' },
    { source: 'fc', target: 'output' },
  ],
});

const cases: [string, Record<string, unknown>][] = [
  ['SeparableConv2D', { filters: 16, kernel: 3, padding: 'same' }],
  ['SeparableConv2D', { filters: 5, kernel: [3, 5], stride: [2, 1], dilation: 2, depthMultiplier: 2, padding: 'same', bias: false }],
  ['SeparableConv2D', { filters: 7, kernel: 4, stride: 3, padding: [1, 2, 0, 3] }],
  ['SpatiallySeparableConv2D', { filters: 8, kernel: 5, padding: 'same' }],
  ['SpatiallySeparableConv2D', { filters: 6, kernel: 3, stride: [2, 3], dilation: [1, 2], padding: 'same' }],
  ['SpatiallySeparableConv2D', { filters: 4, kernel: 4, stride: 2, padding: [1, 2, 2, 1], bias: false }],
  ['SpatiallySeparableConv2D', { filters: 4, kernel: 3, padding: 'valid' }],
];

describe('expanding factorised convolutions into their stages', () => {
  it.each(cases)('%s %j keeps the shapes, weights and cost', (type, params) => {
    const document = withLayer(type, params);
    const before = analyzeGraph(document);
    expect(before.valid).toBe(true);
    const expanded = expandNode(document, 'sep');
    if (!expanded.ok) throw new Error(expanded.reason);
    const after = analyzeGraph(expanded.document);
    expect(after.issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    expect(after.nodes).toHaveLength(before.nodes.length + 1);
    // The intermediate tensor between the stages adds activations; weights and cost are unchanged.
    const cost = ({ params: weights, buffers, macs }: typeof before.totals) => ({ weights, buffers, macs });
    expect(cost(after.totals)).toEqual(cost(before.totals));
    expect(after.outputShape).toEqual(before.outputShape);
    const second = after.nodes.find((node) => node.id.startsWith('sep_') && node.id !== after.order[1]);
    expect(second?.outputShape).toEqual(before.nodes.find((node) => node.id === 'sep')?.outputShape);
  });

  it.each(cases)('%s %j expands the same from its canonical (normalised) parameters', (type, params) => {
    const specs = CATALOGUE[type as keyof typeof CATALOGUE].params as Record<string, ParamSpec>;
    const canonical = Object.fromEntries(
      Object.entries(specs).map(([name, spec]) => {
        const result = normaliseParam(spec, params[name]);
        if (!result.ok) throw new Error(result.problem);
        return [name, result.value];
      }),
    );
    expect(canonical.padding).toHaveProperty('mode');
    const fromWritten = expandNode(withLayer(type, params), 'sep');
    const fromCanonical = expandNode(withLayer(type, canonical), 'sep');
    expect(fromCanonical).toEqual(fromWritten);
  });

  it('refuses nodes that are not factorised, unknown ids and broken parameters', () => {
    const lenet = TEMPLATES[0].build();
    expect(expandNode(lenet, 'conv1')).toEqual({ ok: false, reason: 'conv1: only separable convolutions expand into stages' });
    expect(expandNode(lenet, 'nope')).toMatchObject({ ok: false });
    const broken = withLayer('SeparableConv2D', { filters: -1 });
    expect(expandNode(broken, 'sep')).toEqual({
      ok: false,
      reason: 'sep: fix its parameters before expanding it (filters must be at least 1, not -1)',
    });
  });
});
