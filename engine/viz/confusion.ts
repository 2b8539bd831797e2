/**
 * How a classifier does on a set: the confusion matrix (rows the true class, columns the
 * predicted one), each class's accuracy, and the samples it gets wrong, most confident first.
 */
import type { Dataset } from '../data/dataset';
import { argmaxRow } from '../train/metrics';
import type { Plan } from '../train/plan';
import { classCount, classProbability, classScoreNode, VizError } from './class-score';

export interface Misclassified {
  readonly sample: number;
  readonly label: number;
  readonly predicted: number;
  /** The probability given to the predicted class. */
  readonly confidence: number;
}

export interface ConfusionReport {
  readonly classes: number;
  readonly samples: number;
  /** classes × classes, row-major: counts[true · classes + predicted]. */
  readonly counts: Int32Array;
  /** Per class: correct / samples of that class (NaN for a class with none). */
  readonly perClass: Float64Array;
  readonly accuracy: number;
  /** At most `limit`, most confident first. */
  readonly misclassified: Misclassified[];
  /** How many were wrong in all. */
  readonly wrong: number;
}

export const confusionReport = (plan: Plan, dataset: Dataset, options: { indices?: Int32Array; limit?: number } = {}): ConfusionReport => {
  if (dataset.target.kind !== 'class') throw new VizError(`${dataset.name} has no classes; a confusion matrix needs a classification set`);
  const classes = classCount(plan.model);
  if (dataset.target.classes !== classes)
    throw new VizError(`${dataset.name} has ${dataset.target.classes} classes but the network scores ${classes}`);
  const indices = options.indices ?? Int32Array.from({ length: dataset.size }, (_, i) => i);
  const limit = options.limit ?? 100;
  const counts = new Int32Array(classes * classes);
  const labels = new Int32Array(plan.batch);
  const scores = classScoreNode(plan.model).id;
  const misclassified: Misclassified[] = [];
  let wrong = 0;
  for (let first = 0; first < indices.length; first += plan.batch) {
    const n = Math.min(plan.batch, indices.length - first);
    dataset.fill(indices, first, n, plan.input, labels);
    plan.forward(false);
    const logits = plan.activation(scores)!;
    for (let slot = 0; slot < n; slot++) {
      const predicted = argmaxRow(logits, slot, classes);
      counts[labels[slot] * classes + predicted]++;
      if (predicted === labels[slot]) continue;
      wrong++;
      misclassified.push({
        sample: indices[first + slot],
        label: labels[slot],
        predicted,
        confidence: classProbability(logits, slot, classes, predicted),
      });
    }
  }
  misclassified.sort((a, b) => b.confidence - a.confidence || a.sample - b.sample);
  const perClass = new Float64Array(classes);
  let correct = 0;
  for (let k = 0; k < classes; k++) {
    let total = 0;
    for (let j = 0; j < classes; j++) total += counts[k * classes + j];
    perClass[k] = total === 0 ? NaN : counts[k * classes + k] / total;
    correct += counts[k * classes + k];
  }
  return {
    classes,
    samples: indices.length,
    counts,
    perClass,
    accuracy: indices.length === 0 ? NaN : correct / indices.length,
    misclassified: misclassified.slice(0, limit),
    wrong,
  };
};
