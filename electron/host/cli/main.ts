/**
 * The `cnn-studio` command line. Commands that only compute return their output (so tests can
 * run them in-process too); `train` streams progress to the terminal as it goes.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runBench } from '../bench/command';
import { runServe } from '../server/command';
import { CliError } from './errors';
import { runEval } from './evaluate';
import { runExport } from './export';
import { runImport } from './import';
import { inspect, type CommandOutput } from './inspect';
import { listTemplates, newFromTemplate } from './new';
import { runPredict } from './predict';
import type { Terminal } from './progress';
import { runTrain } from './train';

const USAGE = `usage: cnn-studio <command> [options]

commands:
  new --list                          print the template names, one per line
  new --template NAME [-o FILE]       write a template: FILE.cnnproj makes a project (with a
                                      dataset to train on), FILE.json the graph alone, no FILE
                                      prints the graph; --force replaces FILE
  inspect FILE [--json]               shapes, parameters, multiply-adds and problems of a graph
                                      or project; exits 1 when the graph is invalid
  train FILE.cnnproj [--epochs N] [--batch-size B] [--lr X] [--optimizer sgd|adam|adamw|rmsprop]
        [--backend cpu|webgpu|auto] [--limit N] [--seed S] [--continue] [--json]
                                      train in a worker process; saves weights and the run
                                      record into the project; Ctrl-C stops cleanly
  eval FILE.cnnproj [--limit N] [--json]
                                      loss, accuracy and confusion matrix on the test split
  predict FILE.cnnproj IMAGE... [--json]
                                      the trained network's answer for PNG or JPEG images
  export FILE.cnnproj --format onnx|pytorch|safetensors -o OUT [--force]
                                      the trained model as ONNX, a PyTorch folder (model.py,
                                      weights, loader, train.py) or its weights alone
  import MODEL.onnx -o FILE.cnnproj [--dataset mnist|shapes|denoise] [--force]
                                      an ONNX model as an editable project with its weights
  bench [--model NAME] [--json]       train and inference speed of the benchmark models, and SGEMM
        [--steps N] [--windows N] [--warmup N] [--backend cpu|webgpu] [--threads N (default: every core)]
        [--editor] [--live-views]     (without --model, it also times the editor on a 300-node graph in
                                      Chromium and training with live views open; each flag runs only that)
  serve [--port N] [--no-build]       the IDE in a browser: serves it on 127.0.0.1 (any free port
                                      by default) and prints the URL with its access token;
                                      builds it first when out/renderer is missing or stale
  help                                print this text
`;

const parse = <Options extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: Options) => {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
};

const onePositional = (positionals: string[], command: string): string => {
  if (positionals.length !== 1) throw new CliError(`cnn-studio ${command} needs exactly one FILE\n${USAGE}`);
  return positionals[0];
};

const limitOf = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number from 1, not '${value}'`);
  return limit;
};

/** Runs a command that returns its output, or streams (train); resolves to the exit status. */
const dispatch = async (command: string | undefined, rest: string[], out: Terminal, err: Terminal): Promise<CommandOutput | number> => {
  switch (command) {
    case 'new': {
      const { values } = parse(rest, {
        list: { type: 'boolean' },
        template: { type: 'string', short: 't' },
        output: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
      });
      return values.list ? listTemplates() : newFromTemplate(values.template, values.output, Boolean(values.force));
    }
    case 'inspect': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } });
      return inspect(onePositional(positionals, 'inspect'), { json: Boolean(values.json) });
    }
    case 'train': {
      const { values, positionals } = parse(rest, {
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        optimizer: { type: 'string' },
        backend: { type: 'string' },
        limit: { type: 'string' },
        seed: { type: 'string' },
        continue: { type: 'boolean' },
        json: { type: 'boolean' },
      });
      const { 'batch-size': batchSize, ...others } = values;
      return runTrain(
        { ...others, batchSize, file: onePositional(positionals, 'train'), continue: Boolean(values.continue), json: Boolean(values.json) },
        out,
        err,
      );
    }
    case 'eval': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, limit: { type: 'string' } });
      return runEval(onePositional(positionals, 'eval'), { json: Boolean(values.json), limit: limitOf(values.limit) });
    }
    case 'predict': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } });
      const [file, ...images] = positionals;
      if (!file) throw new CliError(`cnn-studio predict needs a project FILE and images\n${USAGE}`);
      return runPredict(file, images, { json: Boolean(values.json) });
    }
    case 'export': {
      const { values, positionals } = parse(rest, {
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
      });
      return runExport(onePositional(positionals, 'export'), values.format, values.output, Boolean(values.force));
    }
    case 'import': {
      const { values, positionals } = parse(rest, {
        output: { type: 'string', short: 'o' },
        force: { type: 'boolean' },
        dataset: { type: 'string' },
      });
      return runImport(onePositional(positionals, 'import'), values.output, Boolean(values.force), values.dataset);
    }
    case 'bench': {
      const { values, positionals } = parse(rest, {
        model: { type: 'string' },
        backend: { type: 'string' },
        threads: { type: 'string' },
        json: { type: 'boolean' },
        steps: { type: 'string' },
        windows: { type: 'string' },
        warmup: { type: 'string' },
        editor: { type: 'boolean' },
        'live-views': { type: 'boolean' },
      });
      if (positionals.length) throw new CliError(`cnn-studio bench takes no file\n${USAGE}`);
      const { 'live-views': liveViews, ...options } = values;
      return runBench({ ...options, liveViews, json: Boolean(values.json) }, (line) => err.write(`${line}\n`));
    }
    case 'serve': {
      const { values, positionals } = parse(rest, { port: { type: 'string', short: 'p' }, 'no-build': { type: 'boolean' } });
      if (positionals.length) throw new CliError(`cnn-studio serve takes no file\n${USAGE}`);
      return runServe({ port: values.port, noBuild: Boolean(values['no-build']) }, out, err);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { stdout: USAGE, stderr: '', exitCode: command === undefined ? 2 : 0 };
    default:
      throw new CliError(`unknown command '${command}'\n${USAGE}`);
  }
};

/** Runs the CLI; every failure is one clear line on stderr and a non-zero status. */
export const runCli = async (argv: string[], out: Terminal, err: Terminal): Promise<number> => {
  const [command, ...rest] = argv;
  try {
    const result = await dispatch(command, rest, out, err);
    if (typeof result === 'number') return result;
    out.write(result.stdout);
    err.write(result.stderr);
    return result.exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      err.write(`cnn-studio: ${error.message}\n`);
      return error.exitCode;
    }
    err.write(`cnn-studio: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
};
