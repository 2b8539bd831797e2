// The parity measure of the GPU tests, in a module of its own so that tests without a Node GPU
// (the browser's, test/e2e/webgpu-inference.test.ts) can use it without starting Dawn.

/**
 * The largest error of `actual` against `expected`, relative to each element's magnitude or,
 * for elements near zero (cancellation), to the tensor's root mean square:
 * max |a − e| / max(|e|, rms(e)).
 */
export const relativeError = (actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; at: number } => {
  let squares = 0;
  for (let i = 0; i < expected.length; i++) squares += expected[i] * expected[i];
  const rms = Math.sqrt(squares / Math.max(1, expected.length)) || 1;
  let error = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), rms);
    if (!(e <= error)) {
      error = e;
      at = i;
    }
  }
  return { error, at };
};
