/**
 * A convolution's weight gradients (the last training step's ∂L/∂w) as 8-bit images with their
 * scale, one scale per filter: filter f's values ≈ mins[f] + byte · scales[f] (quantise.ts's
 * encoding over that filter's own range), so a filter with small gradients still shows its shape.
 */
import { quantise } from './quantise';
import { checkFilterShape } from './filters';

export interface FilterGradient<Data = Uint8Array> {
  /** The weight's state_dict name (`conv1.weight`). */
  readonly name: string;
  /** PyTorch's layout [filters, input channels, kernel height, kernel width]. */
  readonly shape: number[];
  /** Per filter: what byte 0 stands for, and the step between bytes (0 for a constant filter). */
  readonly mins: number[];
  readonly scales: number[];
  /** One byte per value in the shape's row-major order (Uint8Array in the worker, base64 text on the wire). */
  readonly data: Data;
}

/** A filters reply's gradients: one per filter tensor of the reply, or a note saying why there are none. */
export interface FilterGradients<Data = Uint8Array> {
  /** The training step whose gradients these are (from 1). */
  readonly step?: number;
  readonly tensors: FilterGradient<Data>[];
  /** Set instead of tensors: why there are no gradients to show (no step yet, an ended run). */
  readonly note?: string;
}

export const quantiseFilterGradient = (name: string, values: ArrayLike<number>, shape: readonly number[]): FilterGradient => {
  checkFilterShape(values, shape);
  const per = shape[1] * shape[2] * shape[3];
  const data = new Uint8Array(shape[0] * per);
  const mins: number[] = [];
  const scales: number[] = [];
  const all = Float32Array.from(values);
  for (let f = 0; f < shape[0]; f++) {
    const map = quantise(name, all.subarray(f * per, (f + 1) * per), [per]);
    mins.push(map.min);
    scales.push(map.scale);
    data.set(map.data, f * per);
  }
  return { name, shape: [...shape], mins, scales, data };
};

export const dequantiseFilterGradient = (gradient: FilterGradient): Float32Array => {
  const per = gradient.shape[1] * gradient.shape[2] * gradient.shape[3];
  return Float32Array.from(gradient.data, (byte, i) => {
    const f = Math.floor(i / per);
    return gradient.mins[f] + byte * gradient.scales[f];
  });
};

/** The same gradients with their bytes converted (to base64 text for the wire, and back). */
export const convertFilterGradients = <A, B>(gradients: FilterGradients<A>, convert: (data: A) => B): FilterGradients<B> => ({
  ...gradients,
  tensors: gradients.tensors.map((tensor) => ({ ...tensor, data: convert(tensor.data) })),
});

/** The largest |gradient| of each filter: what full colour stands for when drawn. */
export const filterGradientMagnitudes = (gradient: FilterGradient<unknown>): number[] =>
  gradient.mins.map((min, f) => Math.max(Math.abs(min), Math.abs(min + 255 * gradient.scales[f])));
