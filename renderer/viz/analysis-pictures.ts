/** From analysis answers (8-bit maps in base64) to pictures, with engine/viz's heat maps. */
import type { WireTensor } from '../../electron/api';
import { decodeBase64, decodeFloat32 } from '../../engine/viz/encoding';
import { heatOverlay, signedMap, stretchedImage } from '../../engine/viz/heatmap';
import { histogram, histogramImage, type Histogram } from '../../engine/viz/histogram';
import type { RgbaImage } from '../../engine/viz/image';
import { dequantise, type QuantisedMap } from '../../engine/viz/quantise';

/** A map's values, from its base64 bytes and its scale. */
export const mapValues = (map: QuantisedMap<string>): Float32Array => dequantise({ ...map, data: decodeBase64(map.data) });

/** The whole-pixel scale that draws `cells` across in about `size` pixels. */
const scaleFor = (cells: number, size: number): number => Math.max(1, Math.floor(size / cells));

/** A heat map (saliency, Grad-CAM) over the sample's first channel. */
export const overlayPicture = (input: WireTensor, map: QuantisedMap<string>, size = 140): RgbaImage => {
  const [height, width] = map.shape;
  const base = decodeFloat32(input.data).subarray(0, height * width);
  return heatOverlay(base, mapValues(map), width, height, scaleFor(width, size));
};

/** A signed map [H, W] or [C, H, W] (its first channel) in the diverging colours. */
export const signedPicture = (map: QuantisedMap<string>, size = 140): RgbaImage => {
  const [height, width] = map.shape.slice(-2);
  return signedMap(mapValues(map).subarray(0, height * width), width, height, scaleFor(width, size));
};

/** A [C, H, W] crop or projection, stretched to its own range. */
export const imagePicture = (map: QuantisedMap<string>, size = 48): RgbaImage =>
  stretchedImage(mapValues(map), map.shape.length === 3 ? map.shape : [1, ...map.shape], scaleFor(map.shape[map.shape.length - 1], size));

/** A histogram of a layer's weights (every filter tensor together). */
export const weightHistogram = (tensors: readonly WireTensor[]): { histogram: Histogram; image: RgbaImage } | null => {
  const all = tensors.flatMap((tensor) => [...decodeFloat32(tensor.data)]);
  if (all.length === 0) return null;
  const h = histogram(all, 32);
  return { histogram: h, image: histogramImage(h, 5, 56) };
};
