/** The process entry of the bundled command line (out/cli/cnn-studio.mjs). */
import { runCli } from './main';

const { stdout, stderr, exitCode } = runCli(process.argv.slice(2));
process.stdout.write(stdout);
process.stderr.write(stderr);
process.exitCode = exitCode;
