/**
 * `cnn-studio eval FILE.cnnproj [--limit N] [--json]`: the trained weights on the test split
 * (or the validation split when the data has no test split): loss, accuracy, per-class accuracy
 * and the confusion matrix for classification.
 */
import { dirname, resolve } from 'node:path';
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { Dataset } from '../../../engine/data/dataset';
import { SubsetDataset } from '../../../engine/data/split';
import { compileModel, type Model } from '../../../engine/train/plan';
import { loadStateDict } from '../../../engine/train/state-dict';
import { Trainer, type Evaluation } from '../../../engine/train/trainer';
import { openDataset, type OpenedDataset } from '../../services/datasets';
import type { OpenedProject } from '../../services/project/store';
import { CliError } from './errors';
import { formatTable } from './format';
import type { CommandOutput } from './inspect';
import { openProjectFile } from './project-files';
import { percent } from './progress';

/** The project's graph with its trained weights, and its data opened. */
export const loadTrained = async (file: string): Promise<{ opened: OpenedProject; model: Model; data: OpenedDataset }> => {
  const opened = await openProjectFile(file);
  const { project, tensors } = opened;
  if (!tensors.current) throw new CliError(`${file} has no trained weights yet; run cnn-studio train ${file} first`);
  if (!project.dataset) throw new CliError(`${file} has no dataset; set one in the project`);
  const model = compileModel(project.graph, CPU_LAYERS);
  loadStateDict(model, tensors.current);
  const data = openDataset(project.dataset, dirname(resolve(file)), project.split, project.preprocess);
  return { opened, model, data };
};

const first = (dataset: Dataset, count: number | undefined): Dataset =>
  count === undefined || count >= dataset.size
    ? dataset
    : new SubsetDataset(
        dataset,
        Int32Array.from({ length: count }, (_, i) => i),
        dataset.name,
      );

const renderEvaluation = (split: string, evaluation: Evaluation, classes: readonly string[] | undefined): string => {
  const lines = [`${split}: ${evaluation.samples} samples, loss ${evaluation.loss.toFixed(4)}`];
  const metrics = evaluation.classification;
  if (metrics) {
    lines.push(`accuracy ${percent(metrics.accuracy)}, top-${metrics.k} accuracy ${percent(metrics.topKAccuracy)}`, '');
    const k = metrics.perClass.length;
    const names = Array.from({ length: k }, (_, c) => classes?.[c] ?? String(c));
    const rows = names.map((name, row) => [
      name,
      percent(metrics.perClass[row]),
      ...Array.from({ length: k }, (_, col) => String(metrics.confusion[row * k + col])),
    ]);
    lines.push('confusion matrix (rows: true class, columns: predicted)');
    lines.push(formatTable(['class', 'accuracy', ...names], rows, [false, true, ...names.map(() => true)]));
  }
  return `${lines.join('\n')}\n`;
};

export const runEval = async (file: string, options: { json: boolean; limit?: number }): Promise<CommandOutput> => {
  const { opened, model, data } = await loadTrained(file);
  const [split, dataset] = data.test ? ['test', data.test] : data.validation ? ['validation', data.validation] : ['training', data.train];
  const trainer = new Trainer(model, { ...opened.project.training, epochs: 1 }, first(dataset, options.limit));
  const evaluation = trainer.evaluate(first(dataset, options.limit));
  if (options.json) {
    const metrics = evaluation.classification;
    const json = {
      file,
      split,
      samples: evaluation.samples,
      loss: evaluation.loss,
      ...(metrics
        ? {
            accuracy: metrics.accuracy,
            topK: metrics.k,
            topKAccuracy: metrics.topKAccuracy,
            perClass: [...metrics.perClass],
            confusion: [...metrics.confusion],
            classes: data.classes,
          }
        : {}),
    };
    return { stdout: `${JSON.stringify(json)}\n`, stderr: '', exitCode: 0 };
  }
  return { stdout: renderEvaluation(split, evaluation, data.classes), stderr: '', exitCode: 0 };
};
