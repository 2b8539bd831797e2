/** Opens the datasets a start message names, inside the worker. */
import type { Dataset } from '../../engine/data/dataset';
import { loadMnist } from '../services/datasets/mnist';
import type { StartMessage } from './protocol';

const limited = (dataset: Dataset & { take?: (count: number) => Dataset }, limit: number | undefined): Dataset =>
  limit !== undefined && dataset.take ? dataset.take(limit) : dataset;

export const openTrainingData = (message: StartMessage): { train: Dataset; validation?: Dataset } => {
  const spec = message.dataset;
  if (spec.kind === 'mnist') {
    return {
      train: limited(loadMnist('train'), message.limit),
      validation: limited(loadMnist('test'), message.limit ? Math.ceil(message.limit / 6) : undefined),
    };
  }
  throw new Error(`the ${spec.kind} dataset cannot be opened by this worker yet`);
};
