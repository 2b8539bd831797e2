/** The native dialogs for project files: which one to open, where to save. */
import { dialog, type BrowserWindow, type FileFilter } from 'electron';
import { withProjectExtension } from './launch';

const PROJECT_FILTERS: FileFilter[] = [{ name: 'CNN Studio projects', extensions: ['cnnproj'] }];

/** The project file the person chose, or null when they cancelled. */
export const askProjectToOpen = async (parent: BrowserWindow | undefined, defaultPath: string): Promise<string | null> => {
  const options = { title: 'Open a project', defaultPath, filters: PROJECT_FILTERS, properties: ['openFile' as const] };
  const answer = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return answer.canceled ? null : (answer.filePaths[0] ?? null);
};

/** Where to save the project (ending in .cnnproj), or null when they cancelled. */
export const askWhereToSave = async (parent: BrowserWindow | undefined, defaultPath: string): Promise<string | null> => {
  const options = {
    title: 'Save the project as',
    defaultPath,
    filters: PROJECT_FILTERS,
    properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
  };
  const answer = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
  return answer.canceled || !answer.filePath ? null : withProjectExtension(answer.filePath);
};
