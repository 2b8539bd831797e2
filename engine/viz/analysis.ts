/**
 * The answers of the analysis views (saliency, Grad-CAM, occlusion, deconvnet, top-9 patches,
 * confusion), as they travel: maps as 8-bit images with their scale (quantise.ts). `Data` is
 * the maps' bytes: a Uint8Array between worker and host, base64 text to the renderer.
 */
import type { QuantisedMap } from './quantise';
import type { Box } from './receptive-field';

export const ANALYSIS_KINDS = ['saliency', 'gradcam', 'occlusion', 'deconvnet', 'top-patches', 'confusion'] as const;
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number];

export const isAnalysisKind = (value: unknown): value is AnalysisKind => (ANALYSIS_KINDS as readonly unknown[]).includes(value);

/** The analyses about one sample (the others survey a set). */
export const SAMPLE_ANALYSES: readonly AnalysisKind[] = ['saliency', 'gradcam', 'occlusion', 'deconvnet'];

export interface SaliencyAnalysis<Data> {
  readonly kind: 'saliency';
  readonly classIndex: number;
  /** The class's score (logit) and probability for the sample. */
  readonly score: number;
  readonly probability: number;
  /** [H, W]: the largest |d score / d pixel| over the channels. */
  readonly map: QuantisedMap<Data>;
}

export interface GradCamAnalysis<Data> {
  readonly kind: 'gradcam';
  readonly classIndex: number;
  readonly score: number;
  readonly probability: number;
  readonly layer: string;
  /** [H, W], resized to the input. */
  readonly map: QuantisedMap<Data>;
  /** [h, w], the layer's own resolution. */
  readonly coarse: QuantisedMap<Data>;
}

export interface OcclusionAnalysis<Data> {
  readonly kind: 'occlusion';
  readonly classIndex: number;
  /** The class's probability with nothing covered. */
  readonly baseline: number;
  readonly size: number;
  readonly stride: number;
  /** [rows, columns]: the probability lost with the grey square at each place. */
  readonly map: QuantisedMap<Data>;
}

export interface DeconvnetAnalysis<Data> {
  readonly kind: 'deconvnet';
  readonly layer: string;
  readonly channel: number;
  /** The activation projected and its place in the layer's output. */
  readonly value: number;
  readonly y: number;
  readonly x: number;
  /** The input region that place sees. */
  readonly field: Box;
  /** [C, H, W]: the projection in pixel space. */
  readonly map: QuantisedMap<Data>;
}

export interface TopPatch<Data> {
  readonly sample: number;
  readonly value: number;
  readonly y: number;
  readonly x: number;
  readonly field: Box;
  /** [C, h, w]: the sample cropped to the receptive field, and the projection cropped the same. */
  readonly image: QuantisedMap<Data>;
  readonly projection: QuantisedMap<Data>;
}

export interface TopPatchesAnalysis<Data> {
  readonly kind: 'top-patches';
  readonly layer: string;
  readonly channel: number;
  /** How many samples of the subset were searched (its first ones). */
  readonly scanned: number;
  readonly patches: TopPatch<Data>[];
}

export interface MisclassifiedSample<Data> {
  readonly sample: number;
  readonly label: number;
  readonly predicted: number;
  readonly confidence: number;
  readonly image: QuantisedMap<Data>;
}

export interface ConfusionAnalysis<Data> {
  readonly kind: 'confusion';
  readonly classes: number;
  /** How many samples of the subset were counted (its first ones). */
  readonly samples: number;
  /** classes × classes, row = true class, column = predicted. */
  readonly counts: number[];
  /** Per class; null for a class with no samples. */
  readonly perClass: (number | null)[];
  readonly accuracy: number;
  readonly wrong: number;
  /** The mistakes, most confident first: at most 12 of each cell of the matrix. */
  readonly misclassified: MisclassifiedSample<Data>[];
}

export type VisualAnalysis<Data = Uint8Array> =
  | SaliencyAnalysis<Data>
  | GradCamAnalysis<Data>
  | OcclusionAnalysis<Data>
  | DeconvnetAnalysis<Data>
  | TopPatchesAnalysis<Data>
  | ConfusionAnalysis<Data>;

const convert = <A, B>(map: QuantisedMap<A>, f: (data: A) => B): QuantisedMap<B> => ({ ...map, data: f(map.data) });

/** The same analysis with each map's bytes converted (to base64 text for the wire, and back). */
export const convertAnalysis = <A, B>(analysis: VisualAnalysis<A>, f: (data: A) => B): VisualAnalysis<B> => {
  switch (analysis.kind) {
    case 'saliency':
    case 'occlusion':
    case 'deconvnet':
      return { ...analysis, map: convert(analysis.map, f) };
    case 'gradcam':
      return { ...analysis, map: convert(analysis.map, f), coarse: convert(analysis.coarse, f) };
    case 'top-patches':
      return {
        ...analysis,
        patches: analysis.patches.map((patch) => ({ ...patch, image: convert(patch.image, f), projection: convert(patch.projection, f) })),
      };
    case 'confusion':
      return { ...analysis, misclassified: analysis.misclassified.map((wrong) => ({ ...wrong, image: convert(wrong.image, f) })) };
  }
};

/** Every map an analysis holds (for checking them as they arrive). */
export const analysisMaps = <Data>(analysis: VisualAnalysis<Data>): QuantisedMap<Data>[] => {
  const maps: QuantisedMap<Data>[] = [];
  switch (analysis.kind) {
    case 'gradcam':
      maps.push(analysis.map, analysis.coarse);
      break;
    case 'top-patches':
      for (const patch of analysis.patches) maps.push(patch.image, patch.projection);
      break;
    case 'confusion':
      for (const wrong of analysis.misclassified) maps.push(wrong.image);
      break;
    default:
      maps.push(analysis.map);
  }
  return maps;
};
