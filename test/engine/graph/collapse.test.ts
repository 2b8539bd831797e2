import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../../engine/graph/analyze';
import { CATALOGUE } from '../../../engine/graph/catalogue';
import { collapseNode, collapsiblePair } from '../../../engine/graph/collapse';
import type { GraphDocument, GraphNode } from '../../../engine/graph/document';
import { expandNode } from '../../../engine/graph/expand';
import { normaliseParam, type ParamSpec } from '../../../engine/graph/params';

const withLayer = (type: string, params: Record<string, unknown>): GraphDocument => ({
  format: 'cnn-studio/graph',
  version: 1,
  nodes: [
    { id: 'input', type: 'Input', params: { channels: 8, height: 15, width: 12 }, position: { x: 0, y: 0 } },
    { id: 'sep', type, params, position: { x: 10, y: 100 } },
    { id: 'relu', type: 'ReLU', position: { x: 10, y: 200 } },
    { id: 'flatten', type: 'Flatten' },
    { id: 'fc', type: 'Dense', params: { units: 4 } },
    { id: 'output', type: 'ClassificationHead', params: { classes: 4 } },
  ],
  edges: [
    { source: 'input', target: 'sep' },
    { source: 'sep', target: 'relu' },
    { source: 'relu', target: 'flatten' },
    { source: 'flatten', target: 'fc' },
    { source: 'fc', target: 'output' },
  ],
});

/** Every parameter in its canonical form, defaults filled in. */
const canonical = (node: GraphNode) =>
  Object.fromEntries(
    Object.entries(CATALOGUE[node.type as keyof typeof CATALOGUE].params as Record<string, ParamSpec>).map(([name, spec]) => {
      const result = normaliseParam(spec, node.params?.[name]);
      if (!result.ok) throw new Error(result.problem);
      return [name, result.value];
    }),
  );

const cases: [string, Record<string, unknown>][] = [
  ['SeparableConv2D', { filters: 16, kernel: 3, padding: 'same' }],
  ['SeparableConv2D', {}],
  ['SeparableConv2D', { filters: 5, kernel: [3, 5], stride: [2, 1], dilation: 2, depthMultiplier: 2, padding: 'same', bias: false }],
  ['SeparableConv2D', { filters: 7, kernel: 4, stride: 3, padding: [1, 2, 0, 3] }],
  ['SpatiallySeparableConv2D', { filters: 8, kernel: 5, padding: 'same' }],
  ['SpatiallySeparableConv2D', { filters: 6, kernel: 3, stride: [2, 3], dilation: [1, 2], padding: 'same' }],
  ['SpatiallySeparableConv2D', { filters: 4, kernel: 4, stride: 2, padding: [1, 2, 2, 1], bias: false }],
  ['SpatiallySeparableConv2D', { filters: 4, kernel: 3, padding: 'valid' }],
  ['SpatiallySeparableConv2D', { filters: 4, kernel: 1 }],
];

const expanded = (type: string, params: Record<string, unknown>): GraphDocument => {
  const result = expandNode(withLayer(type, params), 'sep');
  if (!result.ok) throw new Error(result.reason);
  return result.document;
};

describe('collapsing expanded stages back into one factorised convolution', () => {
  it.each(cases)('%s %j comes back with the same id, parameters, place, edges and cost', (type, params) => {
    const original = withLayer(type, params);
    const stages = expanded(type, params);
    const stageIds = stages.nodes.filter((node) => node.id.startsWith('sep_')).map((node) => node.id);
    expect(stageIds).toHaveLength(2);
    for (const id of stageIds) {
      const collapsed = collapseNode(stages, id);
      if (!collapsed.ok) throw new Error(collapsed.reason);
      expect(collapsed.id).toBe('sep');
      const node = collapsed.document.nodes.find((candidate) => candidate.id === 'sep')!;
      expect(node.type).toBe(type);
      expect(canonical(node)).toEqual(canonical(original.nodes[1]));
      expect(node.position).toEqual({ x: 10, y: 100 });
      expect(collapsed.document.nodes.map((candidate) => candidate.id)).toEqual(original.nodes.map((candidate) => candidate.id));
      expect(collapsed.document.edges).toEqual(original.edges);
      const before = analyzeGraph(original);
      const after = analyzeGraph(collapsed.document);
      expect(after.totals).toEqual(before.totals);
      expect(after.nodes.find((candidate) => candidate.id === 'sep')?.outputShape).toEqual(before.nodes[1].outputShape);
    }
  });

  it('writes only the parameters that differ from the defaults', () => {
    const collapsed = collapseNode(expanded('SeparableConv2D', { filters: 32, kernel: [3, 3], stride: 1 }), 'sep_pointwise');
    if (!collapsed.ok) throw new Error(collapsed.reason);
    expect(collapsed.document.nodes[1]).toEqual({
      id: 'sep',
      type: 'SeparableConv2D',
      params: { filters: 32 },
      position: { x: 10, y: 100 },
    });
  });

  it('recognises a hand-made pair, giving the new layer a fresh id', () => {
    const document: GraphDocument = {
      ...withLayer('ReLU', {}),
      nodes: [
        { id: 'input', type: 'Input', params: { channels: 3, height: 16, width: 16 } },
        { id: 'dw', type: 'DepthwiseConv2D', params: { kernel: 5, bias: false } },
        { id: 'pw', type: 'Conv2D', params: { filters: 12, kernel: 1, padding: 0 } },
        { id: 'output', type: 'ImageHead' },
      ],
      edges: [
        { source: 'input', target: 'dw' },
        { source: 'dw', target: 'pw' },
        { source: 'pw', target: 'output' },
      ],
    };
    const collapsed = collapseNode(document, 'dw');
    if (!collapsed.ok) throw new Error(collapsed.reason);
    expect(collapsed.id).toBe('sepconv1');
    expect(collapsed.document.nodes[1]).toEqual({ id: 'sepconv1', type: 'SeparableConv2D', params: { filters: 12, kernel: 5 } });
    // The tensor between the stages is gone (fewer activations); weights and cost are unchanged.
    const cost = ({ params, buffers, macs }: ReturnType<typeof analyzeGraph>['totals']) => ({ params, buffers, macs });
    expect(cost(analyzeGraph(collapsed.document).totals)).toEqual(cost(analyzeGraph(document).totals));
  });

  it('refuses pairs that are not one layer: a bias on the first stage, a branch between, mismatched stages', () => {
    const stages = expanded('SeparableConv2D', { filters: 16 });
    const withBias = {
      ...stages,
      nodes: stages.nodes.map((node) => (node.id === 'sep_depthwise' ? { ...node, params: { ...node.params, bias: true } } : node)),
    };
    expect(collapsiblePair(withBias, 'sep_depthwise')).toBeNull();
    const branched = { ...stages, edges: [...stages.edges, { source: 'sep_depthwise', target: 'relu' }] };
    expect(collapsiblePair(branched, 'sep_pointwise')).toBeNull();
    const strided = {
      ...stages,
      nodes: stages.nodes.map((node) => (node.id === 'sep_pointwise' ? { ...node, params: { ...node.params, stride: 2 } } : node)),
    };
    expect(collapsiblePair(strided, 'sep_pointwise')).toBeNull();
    const spatial = expanded('SpatiallySeparableConv2D', { filters: 4, kernel: 3, padding: 'same' });
    const mixedPadding = {
      ...spatial,
      nodes: spatial.nodes.map((node) => (node.id === 'sep_row' ? { ...node, params: { ...node.params, padding: 'valid' } } : node)),
    };
    expect(collapsiblePair(mixedPadding, 'sep_column')).toBeNull();
    expect(collapseNode(withLayer('SeparableConv2D', {}), 'relu')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^relu: not one stage/),
    });
    expect(collapseNode(stages, 'nope')).toEqual({ ok: false, reason: "there is no node 'nope'" });
  });
});
