/**
 * `previewStartFilters` on the host: a convolution's filters as the next run will start them,
 * k-means included. The training images are opened as a run's worker opens them
 * (openTrainingData) and the weights drawn by the same code (engine/train/filter-preview.ts), so
 * the filters shown are those the run starts from, for the same settings and seed.
 */
import type { StartFiltersPreview, TrainingOverrides } from '../../api';
import type { Dataset } from '../../../engine/data/dataset';
import type { ProjectDocument } from '../../../engine/project/schema';
import { previewFilters } from '../../../engine/train/filter-preview';
import { PROTOCOL_VERSION } from '../../worker/protocol';
import { openTrainingData } from '../../worker/training-data';
import { DatasetError, TrainingError } from './errors';
import { trainingSettings } from './start-run';

export const previewStartFilters = (
  project: ProjectDocument,
  overrides: TrainingOverrides,
  nodeId: string,
  baseFolder: string,
): StartFiltersPreview => {
  if (!project.dataset) throw new TrainingError('the project has no dataset to learn filters from; set one (for example MNIST) first');
  const training = trainingSettings(project.training, overrides);
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
  const result = previewFilters(project.graph, training, nodeId, train);
  if (!result.ok) throw new TrainingError(`the starting filters of '${nodeId}' cannot be shown: ${result.problem}`);
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
