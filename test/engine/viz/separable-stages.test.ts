// A factorised convolution stage by stage: the stages' shapes and costs come from the catalogue's
// own rules on the expanded graph, add up to the layer's own cost, and the saving is the
// standard convolution's cost over it.
import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../../engine/graph/analyze';
import { expandNode } from '../../../engine/graph/expand';
import { factorised } from '../../../engine/graph/templates/modern';
import { separableStages } from '../../../engine/viz/separable-stages';

describe('the stages of a factorised convolution', () => {
  const document = factorised();
  const report = analyzeGraph(document);
  const nodeOf = (id: string) => document.nodes.find((node) => node.id === id)!;
  const reportOf = (id: string) => report.nodes.find((node) => node.id === id)!;

  it('depthwise separable 3×3, 16 → 32 channels on 14×14: depthwise then pointwise, about 8 times cheaper', () => {
    const stages = separableStages(nodeOf('separable'), [16, 14, 14]);
    const [depthwise, pointwise] = stages.stages;
    expect([depthwise.kernel, pointwise.kernel]).toEqual([
      [3, 3],
      [1, 1],
    ]);
    expect([depthwise.type, depthwise.outputShape, depthwise.paramCount, depthwise.macs]).toEqual([
      'DepthwiseConv2D',
      [16, 14, 14],
      16 * 9,
      16 * 196 * 9,
    ]);
    expect([pointwise.type, pointwise.outputShape, pointwise.paramCount, pointwise.macs]).toEqual([
      'Conv2D',
      [32, 14, 14],
      16 * 32 + 32,
      32 * 196 * 16,
    ]);
    expect(stages.standardMacs).toBe(32 * 196 * 16 * 9);
    expect(stages.standardParams).toBe(32 * 16 * 9 + 32);
    expect(stages.macSaving).toBeCloseTo((32 * 196 * 16 * 9) / (16 * 196 * 9 + 32 * 196 * 16), 9);
    expect(stages.macSaving).toBeGreaterThan(7);
    expect(stages.replaces).toBe('standard 3×3 convolution, 16 → 32 channels');
  });

  it('spatially separable 5×5: a 5×1 stage then a 1×5 one, 2/K of the cost with as many filters as channels', () => {
    const stages = separableStages(nodeOf('spatial'), [16, 28, 28]);
    const [column, row] = stages.stages;
    expect(column.kernel).toEqual([5, 1]);
    expect(row.kernel).toEqual([1, 5]);
    expect(column.outputShape).toEqual([16, 28, 28]);
    expect(row.outputShape).toEqual([16, 28, 28]);
    expect(1 / stages.macSaving).toBeCloseTo(2 / 5, 9);
  });

  for (const id of ['separable', 'spatial']) {
    it(`${id}: the stages add up to the layer's cost in the graph, and match the expanded graph's analysis`, () => {
      const layer = reportOf(id);
      const input = report.nodes.find((node) => document.edges.some((edge) => edge.source === node.id && edge.target === id))!.outputShape!;
      const stages = separableStages(nodeOf(id), input);
      expect(stages.macs).toBe(layer.macs);
      expect(stages.params).toBe(layer.paramCount);
      expect(stages.stages[0].macs + stages.stages[1].macs).toBe(layer.macs);
      expect(stages.stages[0].paramCount + stages.stages[1].paramCount).toBe(layer.paramCount);
      const expanded = expandNode(document, id);
      if (!expanded.ok) throw new Error(expanded.reason);
      const expandedReport = analyzeGraph(expanded.document);
      for (const stage of stages.stages) {
        const analysed = expandedReport.nodes.find((node) => node.id === stage.id)!;
        expect([stage.outputShape, stage.paramCount, stage.macs]).toEqual([analysed.outputShape, analysed.paramCount, analysed.macs]);
      }
    });
  }

  it('says why for a layer that is not factorised, or parameters that do not fit the input', () => {
    expect(() => separableStages(nodeOf('conv1'), [1, 28, 28])).toThrow('conv1: only separable convolutions expand into stages');
    expect(() =>
      separableStages({ id: 's', type: 'SeparableConv2D', params: { filters: 4, kernel: 5, padding: 'valid' } }, [3, 3, 3]),
    ).toThrow("s: kernel 5×5 exceeds the 3×3 input; use padding 'same' or a kernel ≤ 3×3");
  });
});
