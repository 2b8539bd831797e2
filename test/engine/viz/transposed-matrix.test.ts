// A transposed convolution is Cᵀ times its input, C the matrix of the convolution it reverses:
// built block by block (one per channel pair), Cᵀ x must equal the engine's own forward pass of
// a ConvTranspose2D node, bias aside; and C itself must be the forward convolution's matrix.
import { describe, expect, it } from 'vitest';
import { explainNode } from '../../../engine/viz/explain-node';
import { scatterTargets, transposedBlock, transposedTimes } from '../../../engine/viz/transposed-matrix';
import { convMatrices } from '../../../engine/viz/conv-matrices';
import { chainModel, probePlan, randomSample, type Layer } from './helpers';

const CASES: { name: string; shape: [number, number, number]; layer: Layer }[] = [
  { name: 'stride 2, kernel 2', shape: [2, 4, 4], layer: ['up', 'ConvTranspose2D', { filters: 3, kernel: 2, stride: 2 }] },
  {
    name: 'stride 2, padding 1, output padding 1',
    shape: [3, 5, 4],
    layer: ['up', 'ConvTranspose2D', { filters: 2, kernel: 3, stride: 2, padding: 1, outputPadding: 1 }],
  },
  {
    name: 'groups 2, dilation 2',
    shape: [4, 3, 3],
    layer: ['up', 'ConvTranspose2D', { filters: 2, kernel: 3, stride: 1, dilation: 2, groups: 2 }],
  },
];

describe('a transposed convolution as Cᵀ x', () => {
  for (const { name, shape, layer } of CASES) {
    it(`equals the engine's forward output: ${name}`, () => {
      const model = chainModel(shape, [layer], 3);
      const plan = probePlan(model);
      const x = randomSample(shape[0] * shape[1] * shape[2], 4);
      plan.input.set(x);
      plan.forward(false);
      const output = plan.activation('up')!;
      const bias = model.weights.get('up.bias')!;
      const explained = explainNode(model, 'up', x);
      if (explained.kind !== 'transposed') throw new Error('expected a transposed convolution');
      const [filters, outH, outW] = explained.outputShape;
      const [inChannels, inH, inW] = shape;
      let nonZeroBlocks = 0;
      for (let f = 0; f < filters; f++) {
        const sum = new Float64Array(outH * outW);
        for (let c = 0; c < inChannels; c++) {
          const block = transposedBlock({ ...explained, inChannels, inChannel: c, outChannel: f });
          expect([block.rows, block.columns]).toEqual([inH * inW, outH * outW]);
          if (block.values.some((v) => v !== 0)) nonZeroBlocks++;
          transposedTimes(block, x, c * inH * inW).forEach((v, i) => (sum[i] += v));
        }
        for (let i = 0; i < sum.length; i++) expect(sum[i] + bias[f]).toBeCloseTo(output[f * outH * outW + i], 4);
      }
      // with groups, blocks across groups are zero
      expect(nonZeroBlocks).toBe((inChannels * filters) / explained.groups);
    });
  }

  it('C is the matrix of the forward convolution it reverses (each row a window of the im2col product)', () => {
    const model = chainModel(CASES[1].shape, [CASES[1].layer], 7);
    const explained = explainNode(model, 'up', randomSample(3 * 5 * 4, 9));
    if (explained.kind !== 'transposed') throw new Error('expected a transposed convolution');
    // The forward convolution maps z [F, Ho, Wo] to [Cin, H, W] with filters w [Cin, F, kh, kw]: C z per channel pair.
    const { window } = explained;
    const z = randomSample(window.channels * window.inH * window.inW, 10);
    const forward = convMatrices({ window, groups: 1, filters: 3, input: z, weight: explained.weight });
    const plane = window.outH * window.outW;
    for (let c = 0; c < 3; c++) {
      const cz = new Float64Array(plane);
      for (let f = 0; f < window.channels; f++) {
        const block = transposedBlock({ ...explained, inChannels: 3, inChannel: c, outChannel: f });
        for (let r = 0; r < block.rows; r++)
          for (let q = 0; q < block.columns; q++) cz[r] += block.values[r * block.columns + q] * z[f * window.inH * window.inW + q];
      }
      for (let p = 0; p < plane; p++) expect(cz[p]).toBeCloseTo(forward.product.values[p * 3 + c], 4);
    }
  });

  it('scatters an input pixel to the output pixels its kernel covers, clipped at the borders', () => {
    const model = chainModel([1, 3, 3], [['up', 'ConvTranspose2D', { filters: 1, kernel: 3, stride: 2, padding: 1 }]]);
    const explained = explainNode(model, 'up', new Float32Array(9));
    if (explained.kind !== 'transposed') throw new Error('expected a transposed convolution');
    expect(explained.outputShape).toEqual([1, 5, 5]);
    // the centre pixel (1, 1) lands at 2·1 − 1 + (0..2) = rows and columns 1..3
    expect(scatterTargets(explained.window, 4).map((t) => t.output)).toEqual([6, 7, 8, 11, 12, 13, 16, 17, 18]);
    // the corner (0, 0) reaches rows and columns 0..1 only (−1 is cropped by the padding)
    expect(scatterTargets(explained.window, 0).map((t) => [t.output, t.tap])).toEqual([
      [0, 4],
      [1, 5],
      [5, 7],
      [6, 8],
    ]);
  });

  it('refuses a layer whose matrix block is too large to show, saying which', () => {
    // 64×64 → 128×128: a block is 4,096 × 16,384, 67 million entries
    const model = chainModel([1, 64, 64], [['up', 'ConvTranspose2D', { filters: 1, kernel: 2, stride: 2 }]]);
    expect(() => explainNode(model, 'up', new Float32Array(64 * 64))).toThrow(
      'up: a block of its matrix (4096 × 16384) is too large to show',
    );
  });
});
