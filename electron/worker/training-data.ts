/** Opens the datasets a start message names, inside the worker. */
import type { Dataset } from '../../engine/data/dataset';
import type { DatasetProblem } from '../../engine/data/problems';
import { SubsetDataset } from '../../engine/data/split';
import { openDataset } from '../services/datasets';
import type { StartMessage } from './protocol';

const first = (dataset: Dataset, count: number | undefined): Dataset =>
  count === undefined || count >= dataset.size
    ? dataset
    : new SubsetDataset(
        dataset,
        Int32Array.from({ length: count }, (_, i) => i),
        `${dataset.name}[:${count}]`,
      );

/**
 * Training and validation data; validation falls back to the dataset's own test split.
 * `problems` is the dataset's own list: it grows when a file fails while training.
 */
export const openTrainingData = (message: StartMessage): { train: Dataset; validation?: Dataset; problems: DatasetProblem[] } => {
  const opened = openDataset(message.dataset, message.baseFolder, message.split, message.preprocess);
  const validation = opened.validation ?? opened.test;
  const limit = message.limit;
  return {
    problems: opened.problems,
    train: first(opened.train, limit),
    ...(validation ? { validation: first(validation, limit === undefined ? undefined : Math.max(1, Math.ceil(limit / 6))) } : {}),
  };
};
