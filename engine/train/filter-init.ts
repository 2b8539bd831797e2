/**
 * How each convolution's filters start, as a project sets it per Conv2D node (the training
 * settings' `filters`, keyed by node id): a start for the whole layer (at random, by its own
 * scheme or the run's, or by k-means on the training images' patches), then hand presets per
 * filter (Sobel, Prewitt, Laplacian, Gaussian, Gabor, identity, a typed matrix) written into every
 * input channel, and a freeze flag per filter that keeps the optimiser off its weights and bias.
 */
import type { Dataset } from '../data/dataset';
import type { Conv2DParams } from '../graph/layers/convolution';
import { gaborKernel, type GaborParams } from './gabor';
import { handFilterKernel, initialiseWeight, setFilter, type RandomInit } from './init';
import { initialiseConvFromPatches, type PatchInitReport } from './init-kmeans';
import type { Model } from './plan';
import { Random, streamSeed } from './random';

export type FixedPreset = 'sobel-x' | 'sobel-y' | 'prewitt-x' | 'prewitt-y' | 'laplacian' | 'identity';

export type FilterPreset =
  | { readonly kind: FixedPreset }
  | { readonly kind: 'gaussian'; readonly sigma?: number }
  | ({ readonly kind: 'gabor' } & GaborParams)
  /** Rows of the kernel (height × width). */
  | { readonly kind: 'custom'; readonly matrix: readonly (readonly number[])[] };

export const PRESET_KINDS: readonly FilterPreset['kind'][] = [
  'sobel-x',
  'sobel-y',
  'prewitt-x',
  'prewitt-y',
  'laplacian',
  'gaussian',
  'gabor',
  'identity',
  'custom',
];

/** One filter's setting: a preset to start from (else the layer's start), and whether training may change it. */
export interface FilterSetting {
  /** From 0, below the layer's filters. */
  readonly filter: number;
  readonly preset?: FilterPreset;
  readonly frozen?: boolean;
}

export type FilterStart =
  /** At random: by `init`, or the run's scheme when absent. */
  | { readonly kind: 'random'; readonly init?: RandomInit }
  /** Spherical k-means on whitened patches of the training images (init-kmeans.ts). */
  | { readonly kind: 'kmeans'; readonly patches?: number; readonly iterations?: number };

export interface ConvFilterInit {
  /** Default: at random by the run's scheme. */
  readonly start?: FilterStart;
  readonly filters?: readonly FilterSetting[];
}

/** Per Conv2D node id. */
export type ConvFilterInits = Readonly<Record<string, ConvFilterInit>>;

/** The stream of the run's seed that a layer's own random scheme draws from (index: the node's place in the model). */
export const STREAM_FILTERS = 4;

/** A filter setting the model cannot take; names the node and, where it is one filter's, the filter. */
export class FilterInitError extends Error {
  constructor(
    readonly nodeId: string,
    message: string,
  ) {
    super(message);
    this.name = 'FilterInitError';
  }
}

/** The kernel of a preset at the given size, or why not. */
export const presetKernel = (
  preset: FilterPreset,
  height: number,
  width: number,
): { ok: true; kernel: number[][] } | { ok: false; problem: string } => {
  switch (preset.kind) {
    case 'gabor':
      return gaborKernel(height, width, preset);
    case 'gaussian':
      if (preset.sigma !== undefined && !(preset.sigma > 0))
        return { ok: false, problem: `a Gaussian's sigma must be above 0, not ${preset.sigma}` };
      return handFilterKernel('gaussian', height, width, { sigma: preset.sigma });
    case 'custom':
      return handFilterKernel('custom', height, width, { matrix: preset.matrix.map((row) => [...row]) });
    default:
      return handFilterKernel(preset.kind, height, width);
  }
};

interface ConvLayer {
  readonly index: number;
  readonly id: string;
  readonly params: Conv2DParams;
  /** [filters, channels per group, kh, kw]. */
  readonly shape: readonly [number, number, number, number];
}

const convLayer = (model: Model, nodeId: string): ConvLayer => {
  const index = model.nodes.findIndex((node) => node.id === nodeId);
  if (index < 0) throw new FilterInitError(nodeId, `the filter settings name '${nodeId}', but the graph has no such layer`);
  const node = model.nodes[index];
  if (node.type !== 'Conv2D')
    throw new FilterInitError(nodeId, `the filter settings are for a Conv2D layer, but '${nodeId}' is a ${node.type}`);
  const params = node.params as unknown as Conv2DParams;
  const weight = model.weights.get(`${nodeId}.weight`)!;
  const [kh, kw] = params.kernel;
  const shape = [params.filters, weight.length / (params.filters * kh * kw), kh, kw] as const;
  return { index, id: nodeId, params, shape };
};

/** Checks every setting against the model; throws FilterInitError at the first that does not fit. */
export const checkFilterInits = (model: Model, inits: ConvFilterInits): void => {
  for (const [nodeId, init] of Object.entries(inits)) {
    const layer = convLayer(model, nodeId);
    const seen = new Set<number>();
    for (const setting of init.filters ?? []) {
      const { filter } = setting;
      if (!Number.isInteger(filter) || filter < 0 || filter >= layer.params.filters)
        throw new FilterInitError(nodeId, `'${nodeId}' has filters 0 to ${layer.params.filters - 1}, so it has no filter ${filter}`);
      if (seen.has(filter)) throw new FilterInitError(nodeId, `'${nodeId}' filter ${filter} is set twice`);
      seen.add(filter);
      if (setting.preset) {
        const kernel = presetKernel(setting.preset, layer.shape[2], layer.shape[3]);
        if (!kernel.ok) throw new FilterInitError(nodeId, `'${nodeId}' filter ${filter}: ${kernel.problem}`);
      }
    }
  }
};

/** Hears how far k-means is on layer `nodeId` (0–1), as the `index`-th of `layers` layers that start from k-means. */
export type KmeansProgress = (progress: {
  readonly nodeId: string;
  readonly index: number;
  readonly layers: number;
  readonly fraction: number;
}) => void;

/**
 * Writes the settings into freshly initialised weights: each layer's start (its own random scheme,
 * or k-means on `train`'s patches), then the presets (the preset filters' biases to 0). Returns
 * the k-means reports. Throws FilterInitError (or PatchInitError for k-means) naming the node.
 */
export const applyFilterInits = (
  model: Model,
  inits: ConvFilterInits,
  seed: number,
  train: Dataset | undefined,
  onKmeansProgress?: KmeansProgress,
): PatchInitReport[] => {
  checkFilterInits(model, inits);
  const kmeansLayers = Object.keys(inits).filter((nodeId) => inits[nodeId].start?.kind === 'kmeans');
  const reports: PatchInitReport[] = [];
  for (const [nodeId, init] of Object.entries(inits)) {
    const layer = convLayer(model, nodeId);
    const weight = model.weights.get(`${nodeId}.weight`)!;
    const bias = model.weights.get(`${nodeId}.bias`);
    const start = init.start;
    if (start?.kind === 'random' && start.init) {
      const random = new Random(streamSeed(seed, STREAM_FILTERS, layer.index));
      initialiseWeight(model.specs.get(`${nodeId}.weight`)!, weight, start.init, random);
      if (bias) initialiseWeight(model.specs.get(`${nodeId}.bias`)!, bias, start.init, random);
    } else if (start?.kind === 'kmeans') {
      if (!train) throw new FilterInitError(nodeId, `'${nodeId}' starts from k-means on the training images, but there are none here`);
      reports.push(
        initialiseConvFromPatches(model, nodeId, train, {
          seed: streamSeed(seed, STREAM_FILTERS, layer.index),
          ...(start.patches !== undefined ? { patches: start.patches } : {}),
          ...(start.iterations !== undefined ? { iterations: start.iterations } : {}),
          ...(onKmeansProgress
            ? {
                onProgress: (fraction: number) =>
                  onKmeansProgress({ nodeId, index: kmeansLayers.indexOf(nodeId), layers: kmeansLayers.length, fraction }),
              }
            : {}),
        }),
      );
    }
    for (const setting of init.filters ?? []) {
      if (!setting.preset) continue;
      const kernel = presetKernel(setting.preset, layer.shape[2], layer.shape[3]);
      if (kernel.ok) setFilter(weight, layer.shape, setting.filter, kernel.kernel);
      if (bias) bias[setting.filter] = 0;
    }
  }
  return reports;
};

/** The frozen filters as element masks by tensor name (weights and biases), or undefined when none is frozen. */
export const frozenFilterMasks = (model: Model, inits: ConvFilterInits): Map<string, Uint8Array> | undefined => {
  const masks = new Map<string, Uint8Array>();
  for (const [nodeId, init] of Object.entries(inits)) {
    const frozen = (init.filters ?? []).filter((setting) => setting.frozen);
    if (frozen.length === 0) continue;
    const layer = convLayer(model, nodeId);
    const weight = new Uint8Array(model.weights.get(`${nodeId}.weight`)!.length);
    const perFilter = layer.shape[1] * layer.shape[2] * layer.shape[3];
    const hasBias = model.weights.has(`${nodeId}.bias`);
    const bias = hasBias ? new Uint8Array(layer.params.filters) : null;
    for (const { filter } of frozen) {
      weight.fill(1, filter * perFilter, (filter + 1) * perFilter);
      if (bias) bias[filter] = 1;
    }
    masks.set(`${nodeId}.weight`, weight);
    if (bias) masks.set(`${nodeId}.bias`, bias);
  }
  return masks.size > 0 ? masks : undefined;
};
