/** Opening and saving project files for the CLI, with one-line errors. */
import type { OpenedProject } from '../../services/project/store';
import { ProjectStore } from '../../services/project/store';
import { CliError } from './errors';

export const store = new ProjectStore({ createdWith: 'CNN Studio 0.1.0 (cnn-studio CLI)' });

export const openProjectFile = async (path: string): Promise<OpenedProject> => {
  if (!path.endsWith('.cnnproj'))
    throw new CliError(`${path} is not a project file; give a .cnnproj (make one with cnn-studio new --template NAME -o FILE.cnnproj)`);
  const opened = await store.open(path);
  if (!opened.ok) throw new CliError(`cannot open ${path}: ${opened.error.message}`);
  return opened;
};
