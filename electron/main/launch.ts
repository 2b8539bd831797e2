/** Project files handed to the app at launch (command line, file associations) and from dialogs. No electron import. */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_EXTENSION = '.cnnproj';

const isProjectFile = (path: string): boolean => path.toLowerCase().endsWith(PROJECT_EXTENSION);

/**
 * The project files among command-line arguments, as absolute paths. Switches (`--no-sandbox`,
 * Chromium's own) and other files are skipped; `file://` URLs (Linux desktop files pass `%U`) are
 * turned into paths; relative paths are taken from `cwd`, the folder the launch came from.
 */
export const projectPathsFromArgv = (argv: readonly string[], cwd: string): string[] => {
  const paths: string[] = [];
  for (const argument of argv) {
    if (argument.startsWith('-')) continue;
    let path = argument;
    if (/^file:\/\//i.test(argument)) {
      try {
        path = fileURLToPath(argument);
      } catch {
        continue;
      }
    }
    if (!isProjectFile(path)) continue;
    paths.push(isAbsolute(path) ? path : resolve(cwd, path));
  }
  return [...new Set(paths)];
};

/** A path chosen in a save dialog, with the project extension added when it lacks it. */
export const withProjectExtension = (path: string): string => (isProjectFile(path) ? path : `${path}${PROJECT_EXTENSION}`);
