// Every layer's shape rule, parameter count and multiply-adds against PyTorch, through the
// fixtures that test/fixtures/make_layer_fixtures.py made with Debian's python3-torch.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inferLayer } from '../../../engine/graph/analyze';
import { LAYER_TYPES, type LayerType } from '../../../engine/graph/layer-types';

interface LayerCase {
  name: string;
  type: LayerType;
  params: Record<string, unknown>;
  inputs: number[][];
  expected:
    | { error: true; torchError: string }
    | { shape: number[]; params: number; buffers: number; macs: number; comparison?: { standardParams: number; standardMacs: number } };
}

const fixtures: { torch: string; cases: LayerCase[] } = JSON.parse(readFileSync('test/fixtures/layers.json', 'utf8'));
const accepted = fixtures.cases.filter((c) => !('error' in c.expected));
const rejected = fixtures.cases.filter((c) => 'error' in c.expected);

describe(`layers against PyTorch ${fixtures.torch}`, () => {
  it('covers at least 150 cases and every layer type that has a PyTorch module', () => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(150);
    const covered = new Set(fixtures.cases.map((c) => c.type));
    const heads = LAYER_TYPES.filter((type) => type.endsWith('Head') || type === 'Input');
    expect(LAYER_TYPES.filter((type) => !covered.has(type) && !heads.includes(type))).toEqual([]);
  });

  it.each(accepted.map((c) => [c.name, c] as const))('%s', (_name, layerCase) => {
    const { result, issues } = inferLayer(layerCase.type, layerCase.params, layerCase.inputs);
    expect(issues.filter((issue) => issue.severity === 'error')).toEqual([]);
    const expected = layerCase.expected as Exclude<LayerCase['expected'], { error: true }>;
    expect({ shape: result?.shape, params: result?.params, buffers: result?.buffers ?? 0, macs: result?.macs }).toEqual({
      shape: expected.shape,
      params: expected.params,
      buffers: expected.buffers,
      macs: expected.macs,
    });
    if (expected.comparison) {
      expect(result?.comparison?.standardParams).toBe(expected.comparison.standardParams);
      expect(result?.comparison?.standardMacs).toBe(expected.comparison.standardMacs);
    }
  });

  it.each(rejected.map((c) => [c.name, c] as const))('rejects what PyTorch rejects: %s', (_name, layerCase) => {
    const { result, issues } = inferLayer(layerCase.type, layerCase.params, layerCase.inputs);
    expect(result).toBeNull();
    const errors = issues.filter((issue) => issue.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error.message.startsWith('layer: ')).toBe(true);
  });
});
