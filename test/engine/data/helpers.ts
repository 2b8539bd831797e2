// Small datasets and readers shared by the data tests.
import type { Dataset, TargetKind } from '../../../engine/data/dataset';
import { elementCount, type Shape } from '../../../engine/graph/shape';

export const range = (count: number, from = 0): number[] => Array.from({ length: count }, (_, i) => from + i);

/** Reads samples `indices` of a dataset into fresh buffers. */
export const read = (dataset: Dataset, indices: readonly number[]) => {
  const n = elementCount(dataset.sampleShape);
  const x = new Float32Array(indices.length * n);
  const y =
    dataset.target.kind === 'class'
      ? new Int32Array(indices.length)
      : new Float32Array(indices.length * elementCount(dataset.target.shape));
  dataset.fill(Int32Array.from(indices), 0, indices.length, x, y);
  return { x, y, n };
};

/** A dataset whose samples come from a function of (sample, channel, row, column); label = sample mod classes. */
export class FunctionDataset implements Dataset {
  readonly target: TargetKind;
  readonly name = 'function';
  fills = 0;

  constructor(
    readonly size: number,
    readonly sampleShape: Shape,
    private readonly pixel: (sample: number, channel: number, row: number, column: number) => number,
    classes = 3,
  ) {
    this.target = { kind: 'class', classes };
  }

  fill(indices: Int32Array, start: number, count: number, x: Float32Array, y: Int32Array | Float32Array): void {
    this.fills++;
    const [channels, height, width] = this.sampleShape;
    const n = elementCount(this.sampleShape);
    for (let i = 0; i < count; i++) {
      const sample = indices[start + i];
      for (let c = 0; c < channels; c++)
        for (let row = 0; row < height; row++)
          for (let column = 0; column < width; column++)
            x[i * n + (c * height + row) * width + column] = this.pixel(sample, c, row, column);
      y[i] = sample % (this.target as { classes: number }).classes;
    }
  }
}
