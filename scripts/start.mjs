// `npm start`: the desktop app. Builds the renderer, the main process, the training worker and the
// preload (build/build-electron.mjs), then launches Electron on out/main/index.mjs, passing on
// any arguments (project files). While it runs, the renderer is rebuilt as its sources change
// (Vite's watch mode) and the app reloads its windows (electron/main/renderer-reload.ts);
// `--no-watch` turns that off. Where no Electron binary can be had, says so in one line and
// points to the browser version.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const ROOT = resolve(import.meta.dirname, '..');

const electronBinary = () => {
  try {
    const path = require('electron'); // the path of the binary, once its download has succeeded
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
};

const binary = electronBinary();
if (!binary) {
  console.error(
    'CNN Studio: the Electron runtime is not installed on this machine (its download failed or was skipped); use `npm run serve` to open CNN Studio in a browser.',
  );
  process.exit(1);
}

const { buildElectron } = await import('../build/build-electron.mjs');
console.error('CNN Studio: building the renderer, main process and preload…');
await buildElectron({ renderer: true });

const watchRenderer = !process.argv.includes('--no-watch');
let watcher = null;
if (watchRenderer) {
  const { build } = await import('vite');
  // Rebuilds into out/renderer on every change; keeps old hashed files (emptying the folder
  // would blank the windows between a rebuild's first and last write).
  watcher = await build({ configFile: resolve(ROOT, 'renderer', 'vite.config.ts'), build: { watch: {}, emptyOutDir: false } });
}

const env = { ...process.env, ...(watchRenderer ? { CNN_STUDIO_RENDERER_WATCH: '1' } : {}) };
delete env.ELECTRON_RUN_AS_NODE; // set, it would make the binary a plain Node
// npm runs scripts in the package's folder; relative project paths are the caller's (INIT_CWD).
const callerFolder = process.env.INIT_CWD ?? process.cwd();
const files = process.argv
  .slice(2)
  .filter((argument) => argument !== '--no-watch')
  .map((argument) => (argument.startsWith('-') ? argument : resolve(callerFolder, argument)));
const child = spawn(binary, [resolve(ROOT, 'out', 'main', 'index.mjs'), ...files], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', async (code, signal) => {
  await watcher?.close();
  process.exit(code ?? (signal ? 1 : 0));
});
