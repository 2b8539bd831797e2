/**
 * The built renderer (out/renderer): where it is, whether it is older than its sources, and
 * building it with Vite (renderer/vite.config.ts) when it is missing or stale.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, found from this file (works from the sources and from out/cli). */
export const packageRoot = (start = dirname(fileURLToPath(import.meta.url))): string => {
  let folder = start;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${start}`);
    folder = parent;
  }
  return folder;
};

export const rendererOutput = (root = packageRoot()): string => join(root, 'out', 'renderer');

/** What the renderer is built from: its own folder, the engine it bundles, the contract, the dependencies. */
const SOURCES = ['renderer', 'engine', join('electron', 'api.ts'), 'package.json'];

const newestChange = async (path: string): Promise<number> => {
  let info;
  try {
    info = await stat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, await newestChange(join(path, entry)));
  }
  return newest;
};

/** Null when out/renderer is up to date, else why it must be built. */
export const whyRebuild = async (root = packageRoot()): Promise<string | null> => {
  const index = join(rendererOutput(root), 'index.html');
  let built: number;
  try {
    built = (await stat(index)).mtimeMs;
  } catch {
    return 'the renderer has not been built yet';
  }
  if (!existsSync(join(root, 'renderer', 'vite.config.ts'))) return null; // a packaged app ships it built
  for (const source of SOURCES) if ((await newestChange(join(root, source))) > built) return `${source} changed since the last build`;
  return null;
};

/** Builds the renderer into out/renderer with Vite (a development dependency). */
export const buildRenderer = async (root = packageRoot()): Promise<void> => {
  // Vite and React follow NODE_ENV; a server started by a test runner (NODE_ENV=test) would
  // otherwise bundle React's development build.
  process.env.NODE_ENV = 'production';
  const vite = await import('vite');
  await vite.build({ configFile: join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
};

/** Builds the renderer when it is missing or older than its sources; says so through `log`. */
export const ensureRendererBuilt = async (log: (line: string) => void, root = packageRoot()): Promise<void> => {
  const reason = await whyRebuild(root);
  if (!reason) return;
  log(`building the IDE (${reason})…`);
  const started = Date.now();
  await buildRenderer(root);
  log(`built out/renderer in ${((Date.now() - started) / 1000).toFixed(1)} s`);
};
