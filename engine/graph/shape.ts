/**
 * Tensor shapes as the graph sees them: one sample, no batch axis.
 * An image tensor is [channels, height, width] (NCHW without N); a vector is [features].
 */
export type Shape = readonly number[];

export const isImage = (shape: Shape): boolean => shape.length === 3;
export const isVector = (shape: Shape): boolean => shape.length === 1;

export const elementCount = (shape: Shape): number => shape.reduce((product, dim) => product * dim, 1);

export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((dim, axis) => dim === b[axis]);

/** "6×28×28" or "120". */
export const formatShape = (shape: Shape): string => shape.join('×');

/** "28×28" for an image, the length for a vector. */
export const formatSpatial = (shape: Shape): string => (isImage(shape) ? `${shape[1]}×${shape[2]}` : String(shape[0]));
