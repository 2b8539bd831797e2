/**
 * A convolution's filters as a run will start them, before any run (initial-model.ts). A layer
 * that starts from k-means needs the training images: given `train` (the host has them), k-means
 * runs on its patches as in a run; without (the editor has none), its preview is the random draw
 * underneath, with `awaitsData` set, and the presets on top.
 */
import type { Dataset } from '../data/dataset';
import type { KmeansProgress } from './filter-init';
import { initialModel } from './initial-model';
import type { TrainingConfig } from './trainer';

export interface FilterPreview {
  /** [filters, channels per group, kernel height, kernel width]. */
  readonly shape: readonly [number, number, number, number];
  readonly weight: Float32Array;
  /** The layer starts from k-means on the training images, which the preview did not have: its filters are the random draw underneath. */
  readonly awaitsData: boolean;
}

/** The starting filters of Conv2D `nodeId`, or why they cannot be shown. */
export const previewFilters = (
  graph: unknown,
  training: Omit<TrainingConfig, 'frozen'>,
  nodeId: string,
  train?: Dataset,
  onKmeansProgress?: KmeansProgress,
): { ok: true; preview: FilterPreview } | { ok: false; problem: string } => {
  try {
    const { model, awaitingData } = initialModel(graph, training, train, onKmeansProgress);
    const node = model.nodes.find((candidate) => candidate.id === nodeId);
    if (node?.type !== 'Conv2D') return { ok: false, problem: `'${nodeId}' is not a Conv2D layer` };
    const weight = model.weights.get(`${nodeId}.weight`)!;
    const [kh, kw] = node.params.kernel as [number, number];
    const count = node.params.filters as number;
    const shape = [count, weight.length / (count * kh * kw), kh, kw] as const;
    return { ok: true, preview: { shape, weight, awaitsData: awaitingData.includes(nodeId) } };
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
};
