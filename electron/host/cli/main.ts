/**
 * The `cnn-studio` command line. Each command returns its output and exit status, so tests can
 * run it in-process as well as through the real executable.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors';
import { inspect, type CommandOutput } from './inspect';
import { listTemplates, newFromTemplate } from './new';
import { runBench } from '../bench/command';

const USAGE = `usage: cnn-studio <command> [options]

commands:
  new --list                          print the template names, one per line
  new --template NAME [-o FILE]       write a template graph to FILE (or stdout); --force replaces FILE
  inspect FILE [--json]               shapes, parameters, multiply-adds and problems of a graph;
                                      exits 1 when the graph is invalid
  bench [--model NAME] [--json]       train and inference speed of the benchmark models, and SGEMM
        [--steps N] [--windows N] [--warmup N] [--backend cpu]
  help                                print this text
`;

const COMING = {
  serve: 'the IDE served to a browser by the Node host',
  train: 'training from the command line',
} as const;

const parse = <Options extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: Options) => {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
};

export const runCli = (argv: string[]): CommandOutput => {
  const [command, ...rest] = argv;
  try {
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
        if (positionals.length !== 1) throw new CliError(`cnn-studio inspect needs exactly one FILE\n${USAGE}`);
        return inspect(positionals[0], { json: Boolean(values.json) });
      }
      case 'bench': {
        const { values, positionals } = parse(rest, {
          model: { type: 'string' },
          backend: { type: 'string' },
          json: { type: 'boolean' },
          steps: { type: 'string' },
          windows: { type: 'string' },
          warmup: { type: 'string' },
        });
        if (positionals.length) throw new CliError(`cnn-studio bench takes no file\n${USAGE}`);
        return runBench({ ...values, json: Boolean(values.json) }, (line) => process.stderr.write(`${line}\n`));
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return { stdout: USAGE, stderr: '', exitCode: command === undefined ? 2 : 0 };
      default:
        if (Object.hasOwn(COMING, command)) {
          throw new CliError(`cnn-studio ${command}: ${COMING[command as keyof typeof COMING]} is not part of this version yet`);
        }
        throw new CliError(`unknown command '${command}'\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof CliError) return { stdout: '', stderr: `cnn-studio: ${error.message}\n`, exitCode: error.exitCode };
    throw error;
  }
};
