// The convolution the filter views show is computed as im2col followed by one matrix product;
// here that product is checked against the direct definition of convolution, sum over c, i, j of
// w[f, c, i, j] · x[c, y·s − p + i·d, x·s − p + j·d], over strides, asymmetric padding and dilation.
import { describe, expect, it } from 'vitest';
import { gemm } from '../../../engine/backends/cpu/kernels/gemm';
import { im2col } from '../../../engine/backends/cpu/kernels/im2col';
import type { Window2D } from '../../../engine/backends/cpu/geometry';
import { randomSample } from './helpers';

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

describe('im2col then a matrix product', () => {
  for (const c of CASES) {
    it(`equals the direct convolution: ${c.channels}×${c.inH}×${c.inW}, kernel ${c.kernel}, stride ${c.stride}, dilation ${c.dilation}, padding ${c.pad}`, () => {
      const span = (k: number, d: number) => d * (k - 1) + 1;
      const outH = Math.floor((c.inH + c.pad[0] + c.pad[1] - span(c.kernel[0], c.dilation[0])) / c.stride[0]) + 1;
      const outW = Math.floor((c.inW + c.pad[2] + c.pad[3] - span(c.kernel[1], c.dilation[1])) / c.stride[1]) + 1;
      const window: Window2D = {
        channels: c.channels,
        inH: c.inH,
        inW: c.inW,
        outH,
        outW,
        kernelH: c.kernel[0],
        kernelW: c.kernel[1],
        strideH: c.stride[0],
        strideW: c.stride[1],
        dilationH: c.dilation[0],
        dilationW: c.dilation[1],
        padTop: c.pad[0],
        padLeft: c.pad[2],
      };
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
