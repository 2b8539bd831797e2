/**
 * `cnn-studio predict FILE.cnnproj IMAGE... [--json]`: the trained network's answer for each
 * image: class probabilities, sigmoid probabilities, or the raw outputs of a regression head.
 */
import { readFileSync } from 'node:fs';
import { ImageResizer } from '../../../engine/data/resize';
import { Plan } from '../../../engine/train/plan';
import { describeFileError } from '../../services/datasets/image-files';
import { decodeImage } from '../../services/datasets/images';
import { CliError } from './errors';
import type { CommandOutput } from './inspect';
import { loadTrained } from './evaluate';

const softmax = (values: Float32Array): number[] => {
  const max = Math.max(...values);
  const exps = Array.from(values, (value) => Math.exp(value - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
};

export const runPredict = async (file: string, images: string[], options: { json: boolean }): Promise<CommandOutput> => {
  if (images.length === 0) throw new CliError('cnn-studio predict needs at least one IMAGE after the project file');
  const { model, data } = await loadTrained(file);
  const [channels, height, width] = model.input.outputShape;
  if (height !== width) throw new CliError(`predict reads square images; the graph's Input is ${height}×${width}`);
  if (channels !== 1 && channels !== 3)
    throw new CliError(`predict reads grey or colour images; the graph's Input has ${channels} channels`);
  const plan = new Plan(model, 1, () => 0);
  const resizer = new ImageResizer();
  const bytes = new Uint8Array(channels * height * width);
  const head = model.head;
  const results = images.map((path) => {
    let picture;
    let file: Uint8Array;
    try {
      file = new Uint8Array(readFileSync(path));
    } catch (error) {
      throw new CliError(`cannot read ${path}: ${describeFileError(error)}`);
    }
    try {
      picture = decodeImage(file);
    } catch (error) {
      throw new CliError(`cannot use ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    resizer.resize(picture.data, picture.width, picture.height, height, channels as 1 | 3, 'area', bytes, 0);
    for (let i = 0; i < bytes.length; i++) plan.input[i] = bytes[i] / 255;
    const stats = data.stats;
    if (stats) {
      const plane = height * width;
      // The same rule as NormalisedDataset (engine/data/preprocess.ts), so training and prediction agree.
      for (let c = 0; c < channels; c++) {
        const scale = stats.std[c] > 1e-6 ? 1 / stats.std[c] : 1;
        for (let i = 0; i < plane; i++) plan.input[c * plane + i] = (plan.input[c * plane + i] - stats.mean[c]) * scale;
      }
    }
    const output = plan.forward(false).slice();
    if (head.type === 'ClassificationHead') {
      const probabilities = softmax(output);
      const best = probabilities.indexOf(Math.max(...probabilities));
      return {
        kind: 'class' as const,
        image: path,
        prediction: data.classes?.[best] ?? String(best),
        probabilities,
        classes: data.classes ?? probabilities.map((_, i) => String(i)),
      };
    }
    if (head.type === 'BinaryHead')
      return { kind: 'binary' as const, image: path, probabilities: Array.from(output, (value) => 1 / (1 + Math.exp(-value))) };
    return { kind: 'values' as const, image: path, outputs: Array.from(output) };
  });
  if (options.json) return { stdout: `${JSON.stringify(results)}\n`, stderr: '', exitCode: 0 };
  const lines = results.map((result) => {
    if (result.kind === 'class') {
      const ranked = result.probabilities
        .map((p, i) => [result.classes[i], p] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3);
      return `${result.image}: ${result.prediction} (${ranked.map(([name, p]) => `${name} ${(p * 100).toFixed(1)}%`).join(', ')})`;
    }
    if (result.kind === 'binary') return `${result.image}: ${result.probabilities.map((p) => `${(p * 100).toFixed(1)}%`).join(', ')}`;
    const outputs = result.outputs.length > 8 ? `${result.outputs.length} values` : result.outputs.map((v) => v.toFixed(4)).join(', ');
    return `${result.image}: ${outputs}`;
  });
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 };
};
