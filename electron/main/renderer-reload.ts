/**
 * Development only (`npm start`): scripts/start.mjs rebuilds the renderer into out/renderer in
 * Vite's watch mode, and main reloads its windows when a rebuild has landed. The page keeps being
 * served by `app://studio` with its CSP, exactly as in a package (a dev server on http://localhost
 * would need a second origin allowed everywhere). A window with unsaved changes asks first, as
 * for any reload. No electron import.
 */
import { existsSync, watch } from 'node:fs';
import { join } from 'node:path';

/**
 * Calls `onRebuilt` once a burst of changes in `folder` has been quiet for `quietMs` and the
 * folder holds an index.html again (Vite writes the page last). Returns the function that stops.
 */
export const watchRendererBuild = (folder: string, onRebuilt: () => void, quietMs = 300): (() => void) => {
  let timer: NodeJS.Timeout | null = null;
  const watcher = watch(folder, { recursive: true }, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (existsSync(join(folder, 'index.html'))) onRebuilt();
    }, quietMs);
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
};
