/**
 * `cnn-studio serve [--port N]`: builds the renderer when it is missing or stale, serves the IDE
 * on 127.0.0.1, prints the URL with its token, and runs until Ctrl-C (or SIGTERM).
 */
import { CliError } from '../cli/errors';
import type { Terminal } from '../cli/progress';
import { configFolder } from './recent';
import { ensureRendererBuilt, packageRoot, rendererOutput } from './renderer-build';
import { startStudioServer } from './server';

export const APPLICATION = 'CNN Studio 0.1.0';

export interface ServeArguments {
  readonly port?: string;
  /** Serve out/renderer as it is, even when stale. */
  readonly noBuild?: boolean;
}

const portOf = (value: string | undefined): number => {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be a port number from 0 to 65535, not '${value}'`);
  return port;
};

/** Runs the server until the process is told to stop; resolves to the exit status. */
export const runServe = async (args: ServeArguments, out: Terminal, err: Terminal): Promise<number> => {
  const port = portOf(args.port);
  const root = packageRoot();
  if (!args.noBuild) {
    try {
      await ensureRendererBuilt((line) => err.write(`${line}\n`), root);
    } catch (error) {
      throw new CliError(`the IDE could not be built: ${error instanceof Error ? error.message : String(error)}`, 1);
    }
  }
  let server;
  try {
    server = await startStudioServer({
      port,
      rendererFolder: rendererOutput(root),
      configFolder: configFolder(),
      application: APPLICATION,
      defaultFolder: process.cwd(),
      log: (line) => err.write(`cnn-studio serve: ${line}\n`),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} is in use; choose another with --port, or 0 for any free one`, 1);
    throw new CliError(`the server could not start: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
  out.write(`CNN Studio is running at ${server.url}\n`);
  err.write('open that URL in a browser (it holds the access token); press Ctrl-C to stop\n');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  err.write(`stopping (${signal})…\n`);
  await server.close();
  return 0;
};
