// `npm run dist [-- electron-builder options]`: type-checks, builds the renderer, main, worker and
// preload, then packages them with electron-builder (build/electron-builder.config.mjs) into
// dist/ for this platform, or for the targets given (e.g. `npm run dist -- --linux AppImage`).
// electron-builder downloads the Electron runtime it packages (and, per target, tools such as NSIS
// or the AppImage runtime); on a machine without access to those downloads it fails there.
//
// A guard: while an early configuration was being tried, an electron-builder run left the
// repository's package.json replaced by the packaged one (scripts and devDependencies gone,
// extraMetadata merged in). It was not reproduced with this configuration, but package.json is
// compared before and after, and restored with a warning if it changed.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildElectron } from './build-electron.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const PACKAGE_JSON = resolve(ROOT, 'package.json');
const bin = (name) => resolve(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const run = (command, args) => spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

if (run(bin('tsc'), ['-p', 'tsconfig.json']) !== 0) process.exit(1);
await buildElectron({ renderer: true });

if (!process.env.CNN_STUDIO_HOMEPAGE && process.platform === 'linux')
  console.error(
    "dist: no deb package: it needs the project's web address, and none is set (CNN_STUDIO_HOMEPAGE=https://… npm run dist); building the AppImage only.",
  );

const before = readFileSync(PACKAGE_JSON);
const status = run(bin('electron-builder'), [
  '--config',
  'build/electron-builder.config.mjs',
  '--publish',
  'never',
  ...process.argv.slice(2),
]);
if (!readFileSync(PACKAGE_JSON).equals(before)) {
  writeFileSync(PACKAGE_JSON, before);
  console.error('dist: electron-builder changed package.json; it has been restored. Please report this with the command you ran.');
}
process.exit(status);
