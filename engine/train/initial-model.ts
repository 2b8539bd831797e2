/**
 * A graph's weights as a run will start them, before any run: the graph compiled on the CPU,
 * every weight drawn from the run's seed and scheme, then the filter settings (hand presets,
 * frozen filters), which is exactly what a training worker does first (loop.ts). A layer that
 * starts from k-means needs the training images: given `train` (the host has them), k-means runs
 * on its patches as in a run; without (the editor has none), it keeps the random draw underneath
 * and is listed in `awaitingData`.
 */
import { CPU_LAYERS } from '../backends/cpu/layers';
import type { Dataset } from '../data/dataset';
import type { ConvFilterInits, KmeansProgress } from './filter-init';
import { initialiseModelWeights } from './loop';
import { compileModel, type Model } from './plan';
import type { TrainingConfig } from './trainer';

export interface InitialModel {
  readonly model: Model;
  /** Conv2D layers that a run starts from k-means on the training images: their filters here are the random draw. */
  readonly awaitingData: readonly string[];
}

/** Throws (InvalidGraphError, FilterInitError) saying why when the graph or its filter settings do not fit. */
export const initialModel = (
  graph: unknown,
  training: Omit<TrainingConfig, 'frozen'>,
  train?: Dataset,
  onKmeansProgress?: KmeansProgress,
): InitialModel => {
  const model = compileModel(graph, CPU_LAYERS);
  if (train) {
    initialiseModelWeights(model, training, train, onKmeansProgress);
    return { model, awaitingData: [] };
  }
  const awaitingData: string[] = [];
  const filters: ConvFilterInits = Object.fromEntries(
    Object.entries(training.filters ?? {}).map(([id, init]) => {
      if (init.start?.kind !== 'kmeans') return [id, init];
      awaitingData.push(id);
      return [id, { ...init, start: undefined }];
    }),
  );
  initialiseModelWeights(model, { ...training, filters });
  return { model, awaitingData };
};
