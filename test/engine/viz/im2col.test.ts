// The convolution the filter views show is computed as im2col followed by one matrix product;
// here that product is checked against the direct definition of convolution, sum over c, i, j of
// w[f, c, i, j] · x[c, y·s − p + i·d, x·s − p + j·d], over strides, asymmetric padding and dilation.
// The explainer's patch matrix times filter matrix (conv-matrices.ts) is checked against the same
// definition, and against the engine's own forward pass of Conv2D and DepthwiseConv2D nodes.
import { describe, expect, it } from 'vitest';
import { gemm } from '../../../engine/backends/cpu/kernels/gemm';
import { im2col } from '../../../engine/backends/cpu/kernels/im2col';
import type { Window2D } from '../../../engine/backends/cpu/geometry';
import { convMatrices, productSizes, windowTaps } from '../../../engine/viz/conv-matrices';
import { explainNode } from '../../../engine/viz/explain-node';
import { chainModel, probePlan, randomSample, type Layer } from './helpers';

interface Case {
  channels: number;
  inH: number;
  inW: number;
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  /** top, bottom, left, right */
  pad: [number, number, number, number];
  filters: number;
}

const direct = (x: Float32Array, w: Float32Array, c: Case, outH: number, outW: number): Float64Array => {
  const out = new Float64Array(c.filters * outH * outW);
  for (let f = 0; f < c.filters; f++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++) {
        let sum = 0;
        for (let ch = 0; ch < c.channels; ch++)
          for (let i = 0; i < c.kernel[0]; i++)
            for (let j = 0; j < c.kernel[1]; j++) {
              const y = oy * c.stride[0] - c.pad[0] + i * c.dilation[0];
              const xx = ox * c.stride[1] - c.pad[2] + j * c.dilation[1];
              if (y < 0 || y >= c.inH || xx < 0 || xx >= c.inW) continue;
              sum += w[((f * c.channels + ch) * c.kernel[0] + i) * c.kernel[1] + j] * x[(ch * c.inH + y) * c.inW + xx];
            }
        out[(f * outH + oy) * outW + ox] = sum;
      }
  return out;
};

const CASES: Case[] = [
  { channels: 1, inH: 7, inW: 7, kernel: [3, 3], stride: [1, 1], dilation: [1, 1], pad: [0, 0, 0, 0], filters: 2 },
  { channels: 3, inH: 9, inW: 8, kernel: [3, 2], stride: [2, 1], dilation: [1, 1], pad: [1, 2, 0, 1], filters: 4 },
  { channels: 2, inH: 11, inW: 10, kernel: [3, 3], stride: [1, 2], dilation: [2, 3], pad: [2, 2, 1, 0], filters: 3 },
  { channels: 4, inH: 6, inW: 6, kernel: [5, 5], stride: [3, 3], dilation: [1, 1], pad: [2, 2, 2, 2], filters: 5 },
];

const windowOfCase = (c: Case): Window2D => {
  const span = (k: number, d: number) => d * (k - 1) + 1;
  return {
    channels: c.channels,
    inH: c.inH,
    inW: c.inW,
    outH: Math.floor((c.inH + c.pad[0] + c.pad[1] - span(c.kernel[0], c.dilation[0])) / c.stride[0]) + 1,
    outW: Math.floor((c.inW + c.pad[2] + c.pad[3] - span(c.kernel[1], c.dilation[1])) / c.stride[1]) + 1,
    kernelH: c.kernel[0],
    kernelW: c.kernel[1],
    strideH: c.stride[0],
    strideW: c.stride[1],
    dilationH: c.dilation[0],
    dilationW: c.dilation[1],
    padTop: c.pad[0],
    padLeft: c.pad[2],
  };
};

describe('im2col then a matrix product', () => {
  for (const c of CASES) {
    it(`equals the direct convolution: ${c.channels}×${c.inH}×${c.inW}, kernel ${c.kernel}, stride ${c.stride}, dilation ${c.dilation}, padding ${c.pad}`, () => {
      const window = windowOfCase(c);
      const { outH, outW } = window;
      const x = randomSample(c.channels * c.inH * c.inW, 11);
      const K = c.channels * c.kernel[0] * c.kernel[1];
      const w = randomSample(c.filters * K, 12).map((v) => v - 0.5);
      const col = new Float32Array(K * outH * outW);
      im2col(x, 0, c.channels, window, col, 0);
      const y = new Float32Array(c.filters * outH * outW);
      // y [filters, outH·outW] = w [filters, K] · col [K, outH·outW]
      gemm(false, false, c.filters, outH * outW, K, 1, w, 0, K, col, 0, outH * outW, 0, y, 0, outH * outW);
      const expected = direct(x, w, c, outH, outW);
      for (let i = 0; i < y.length; i++) expect(Math.abs(y[i] - expected[i])).toBeLessThan(1e-5);
    });
  }
});

describe("the explainer's patch matrix times filter matrix", () => {
  for (const c of CASES) {
    it(`equals the direct convolution, position by filter: kernel ${c.kernel}, stride ${c.stride}, dilation ${c.dilation}, padding ${c.pad}`, () => {
      const window = windowOfCase(c);
      const x = randomSample(c.channels * c.inH * c.inW, 21);
      const w = randomSample(c.filters * c.channels * c.kernel[0] * c.kernel[1], 22).map((v) => v - 0.5);
      const matrices = convMatrices({ window, groups: 1, filters: c.filters, input: x, weight: w });
      const positions = window.outH * window.outW;
      const taps = c.channels * c.kernel[0] * c.kernel[1];
      expect(productSizes(matrices)).toBe(`${positions} × ${taps} · ${taps} × ${c.filters} = ${positions} × ${c.filters}`);
      const expected = direct(x, w, c, window.outH, window.outW);
      for (let p = 0; p < positions; p++)
        for (let f = 0; f < c.filters; f++)
          expect(Math.abs(matrices.product.values[p * c.filters + f] - expected[f * positions + p])).toBeLessThan(1e-5);
    });

    it(`reads each window at its input coordinates, padding as 0: kernel ${c.kernel}, stride ${c.stride}, dilation ${c.dilation}, padding ${c.pad}`, () => {
      const window = windowOfCase(c);
      const x = randomSample(c.channels * c.inH * c.inW, 23);
      const { patches } = convMatrices({ window, groups: 1, filters: 1, input: x, weight: new Float32Array(patchesWidth(c)) });
      let outside = 0;
      for (let p = 0; p < patches.rows; p++)
        for (const tap of windowTaps(window, p)) {
          const value = patches.values[p * patches.columns + tap.tap];
          if (!tap.inside) outside++;
          expect(value).toBe(tap.inside ? x[(tap.channel * c.inH + tap.y) * c.inW + tap.x] : 0);
        }
      // every case but the first pads, so some windows reach into the padding
      expect(outside > 0).toBe(c.pad.some((p) => p > 0));
    });
  }

  const patchesWidth = (c: Case) => c.channels * c.kernel[0] * c.kernel[1];

  const engineCases: { name: string; shape: [number, number, number]; layer: Layer }[] = [
    { name: "LeNet's conv1 (padding 2)", shape: [1, 28, 28], layer: ['conv', 'Conv2D', { filters: 6, kernel: 5, padding: 2 }] },
    {
      name: 'strided, dilated, same padding',
      shape: [3, 11, 9],
      layer: ['conv', 'Conv2D', { filters: 4, kernel: 3, stride: 2, dilation: 2, padding: 'same' }],
    },
    { name: 'grouped', shape: [4, 8, 8], layer: ['conv', 'Conv2D', { filters: 6, kernel: 3, groups: 2 }] },
    { name: 'depthwise, multiplier 2', shape: [3, 7, 7], layer: ['conv', 'DepthwiseConv2D', { depthMultiplier: 2, kernel: 3 }] },
  ];
  for (const { name, shape, layer } of engineCases) {
    it(`equals the engine's forward output of a ${name} node, bias added, in every group`, () => {
      const model = chainModel(shape, [layer], 5);
      const plan = probePlan(model);
      const x = randomSample(shape[0] * shape[1] * shape[2], 6);
      plan.input.set(x);
      plan.forward(false);
      const output = plan.activation('conv')!;
      const bias = model.weights.get('conv.bias')!;
      const node = model.nodes.find((n) => n.id === 'conv')!;
      const [filters, outH, outW] = node.outputShape;
      const first = explainNode(model, 'conv', x);
      if (first.kind !== 'conv') throw new Error('expected a convolution');
      const groups = first.groups;
      expect(groups).toBe(layer[1] === 'DepthwiseConv2D' ? shape[0] : ((layer[2]?.groups as number | undefined) ?? 1));
      for (let g = 0; g < groups; g++) {
        const explained = explainNode(model, 'conv', x, g);
        if (explained.kind !== 'conv') throw new Error('expected a convolution');
        const { product, patches } = explained.matrices;
        expect(patches.rows).toBe(outH * outW);
        for (let p = 0; p < product.rows; p++)
          for (let f = 0; f < product.columns; f++) {
            const filter = explained.matrices.firstFilter + f;
            expect(product.values[p * product.columns + f] + bias[filter]).toBeCloseTo(output[filter * outH * outW + p], 4);
          }
        expect(explained.matrices.firstFilter + product.columns).toBeLessThanOrEqual(filters);
      }
    });
  }

  it('says what is wrong with a weight or input of the wrong size', () => {
    const window = windowOfCase(CASES[0]);
    expect(() => convMatrices({ window, groups: 1, filters: 2, input: new Float32Array(48), weight: new Float32Array(18) })).toThrow(
      /the input has 48 values; a 1×7×7 input needs 49/,
    );
    expect(() => convMatrices({ window, groups: 1, filters: 2, input: new Float32Array(49), weight: new Float32Array(17) })).toThrow(
      /the weight has 17 values; 2×1×3×3 needs 18/,
    );
    const large = chainModel([3, 224, 224], [['conv', 'Conv2D', { filters: 1, kernel: 11, padding: 'same' }]]);
    expect(() => explainNode(large, 'conv', new Float32Array(3 * 224 * 224))).toThrow(
      'conv: its patch matrix (50176 × 363) is too large to show',
    );
    const model = chainModel([1, 8, 8], [['relu', 'ReLU']]);
    expect(() => explainNode(model, 'relu', new Float32Array(64))).toThrow(
      /relu: the explainer shows convolutions; a ReLU layer is not one/,
    );
  });
});
