/**
 * `previewStartFilters`'s work: a convolution's filters as the next run will start them,
 * k-means included. The training images are opened as a run's worker opens them
 * (openTrainingData) and the weights drawn by the same code (engine/train/filter-preview.ts), so
 * the filters shown are those the run starts from, for the same settings and seed. It runs in a
 * thread of its own (electron/worker/start-filters-thread.ts, started by start-filter-previews.ts).
 */
import type { StartFiltersPreview, StartFiltersProgress, TrainingOverrides } from '../../api';
import type { Dataset } from '../../../engine/data/dataset';
import type { ProjectDocument } from '../../../engine/project/schema';
import { previewFilters } from '../../../engine/train/filter-preview';
import { PROTOCOL_VERSION } from '../../worker/protocol';
import { openTrainingData } from '../../worker/training-data';
import { DatasetError, TrainingError } from './errors';
import { trainingSettings } from './start-run';

/** The share of the progress bar that opening the training images takes; k-means has the rest. */
const DATASET_SHARE = 0.1;

export const computeStartFilters = (
  project: ProjectDocument,
  overrides: TrainingOverrides,
  nodeId: string,
  baseFolder: string,
  onProgress: (progress: StartFiltersProgress) => void = () => {},
): StartFiltersPreview => {
  if (!project.dataset) throw new TrainingError('the project has no dataset to learn filters from; set one (for example MNIST) first');
  const training = trainingSettings(project.training, overrides);
  let reported = -1;
  const report = (stage: StartFiltersProgress['stage'], fraction: number) => {
    // only forward steps, and no more than a thousand of them
    const rounded = Math.floor(Math.min(1, Math.max(0, fraction)) * 1000) / 1000;
    if (rounded <= reported) return;
    reported = rounded;
    onProgress({ stage, fraction: rounded });
  };
  report('dataset', 0);
  let train: Dataset;
  try {
    ({ train } = openTrainingData({
      type: 'start',
      protocol: PROTOCOL_VERSION,
      jobId: 'filter-preview',
      graph: project.graph,
      dataset: project.dataset,
      baseFolder,
      ...(project.split ? { split: project.split } : {}),
      ...(project.preprocess ? { preprocess: project.preprocess } : {}),
      ...(overrides.limit !== undefined ? { limit: overrides.limit } : {}),
      training,
      backend: 'cpu',
    }));
  } catch (error) {
    throw new DatasetError(error instanceof Error ? error.message : String(error));
  }
  report('kmeans', DATASET_SHARE);
  const result = previewFilters(project.graph, training, nodeId, train, ({ index, layers, fraction }) =>
    report('kmeans', DATASET_SHARE + ((1 - DATASET_SHARE) * (index + fraction)) / layers),
  );
  if (!result.ok) throw new TrainingError(`the starting filters of '${nodeId}' cannot be shown: ${result.problem}`);
  report('kmeans', 1);
  const { weight, shape } = result.preview;
  return {
    tensor: {
      nodeId,
      name: `${nodeId}.weight`,
      shape: [...shape],
      data: Buffer.from(weight.buffer, weight.byteOffset, weight.byteLength).toString('base64'),
    },
    images: train.size,
  };
};
