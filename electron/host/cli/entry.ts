/** The process entry of the command line (bin/cnn-studio.mjs, and the bundled out/cli/cnn-studio.mjs). */
import { enableRelaxedSimd } from '../../worker/relaxed-simd';
import { runCli } from './main';
import type { Terminal } from './progress';

// Before any CPU kernel runs: the engine then picks its FMA build (engine/backends/cpu/heap.ts).
enableRelaxedSimd();

const terminal = (stream: NodeJS.WriteStream): Terminal => ({
  write: (text) => void stream.write(text),
  get isTTY() {
    return Boolean(stream.isTTY);
  },
  get columns() {
    return stream.columns ?? 80;
  },
});

process.exitCode = await runCli(process.argv.slice(2), terminal(process.stdout), terminal(process.stderr));
