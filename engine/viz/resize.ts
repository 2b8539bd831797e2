/** Bilinear resizing of one plane (align_corners = false, as torch's interpolate), for heat maps. */
export const resizeBilinear = (
  plane: ArrayLike<number>,
  height: number,
  width: number,
  toHeight: number,
  toWidth: number,
): Float32Array => {
  const out = new Float32Array(toHeight * toWidth);
  const source = (to: number, from: number, size: number): [number, number, number] => {
    const at = Math.max(0, ((to + 0.5) * from) / size - 0.5);
    const lower = Math.min(Math.floor(at), from - 1);
    const upper = Math.min(lower + 1, from - 1);
    return [lower, upper, at - lower];
  };
  for (let y = 0; y < toHeight; y++) {
    const [y0, y1, wy] = source(y, height, toHeight);
    for (let x = 0; x < toWidth; x++) {
      const [x0, x1, wx] = source(x, width, toWidth);
      const top = plane[y0 * width + x0] * (1 - wx) + plane[y0 * width + x1] * wx;
      const bottom = plane[y1 * width + x0] * (1 - wx) + plane[y1 * width + x1] * wx;
      out[y * toWidth + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
};
