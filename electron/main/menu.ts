/**
 * The application menu as a template (data plus click handlers), built from the platform and
 * whether this is a development run; index.ts hands it to `Menu.buildFromTemplate`. Commands
 * that concern the page's project (new, save, undo, redo, training, and open/save-as once their
 * native dialog has answered) go to the focused window through `actions`. Shortcuts follow each
 * platform's habits (Cmd on macOS, Ctrl+Y redo on Windows and Linux; F5, F6 and Shift+F5 for
 * start, pause and stop as in IDEs). Only types from electron.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** A new window, on the start page. */
  newWindow(): void;
  /** A new project in the focused window. */
  newProject(): void;
  /** The native open dialog, then the file in the focused window (or a new one). */
  open(): void;
  save(): void;
  /** The native save dialog, then a save to the chosen path. */
  saveAs(): void;
  undo(): void;
  redo(): void;
  trainStart(): void;
  /** Pauses the running job, or resumes the paused one. */
  trainPause(): void;
  trainStop(): void;
  /** The keyboard shortcuts, shown in the page. */
  shortcuts(): void;
  /** The page's next theme (system, light, dark). */
  toggleTheme(): void;
  /** Opens the folder of the log file in the file manager. */
  openLogFolder(): void;
}

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  /** Reload and the developer tools are offered in development runs only. */
  readonly development: boolean;
  readonly appName: string;
  readonly actions: MenuActions;
}

const separator: MenuItemConstructorOptions = { type: 'separator' };

export const menuTemplate = ({ platform, development, appName, actions }: MenuOptions): MenuItemConstructorOptions[] => {
  const mac = platform === 'darwin';
  const appMenu: MenuItemConstructorOptions = {
    label: appName,
    submenu: [
      { role: 'about' },
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  };
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'New Project', accelerator: 'CmdOrCtrl+N', click: () => actions.newProject() },
      { label: 'New Window', accelerator: 'CmdOrCtrl+Shift+N', click: () => actions.newWindow() },
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
      // Files opened or saved (app.addRecentDocument); the OS keeps the list on macOS and Windows.
      ...(mac ? [{ role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] } as MenuItemConstructorOptions] : []),
      separator,
      { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => actions.save() },
      { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.saveAs() },
      separator,
      { label: 'Close Window', role: 'close', accelerator: 'CmdOrCtrl+W' },
      ...(mac ? [] : [separator, { role: 'quit' } as MenuItemConstructorOptions]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { label: 'Undo', accelerator: 'CmdOrCtrl+Z', click: () => actions.undo() },
      { label: 'Redo', accelerator: mac ? 'Cmd+Shift+Z' : 'Ctrl+Y', click: () => actions.redo() },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(development ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { label: 'Switch Theme', click: () => actions.toggleTheme() },
      { role: 'togglefullscreen' },
    ] as MenuItemConstructorOptions[],
  };
  const train: MenuItemConstructorOptions = {
    label: '&Train',
    submenu: [
      { label: 'Start Training', accelerator: 'F5', click: () => actions.trainStart() },
      { label: 'Pause or Resume Training', accelerator: 'F6', click: () => actions.trainPause() },
      { label: 'Stop Training', accelerator: 'Shift+F5', click: () => actions.trainStop() },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [
      { label: 'Keyboard Shortcuts', click: () => actions.shortcuts() },
      { label: 'Open Log Folder', click: () => actions.openLogFolder() },
      ...(mac ? [] : [separator, { role: 'about' } as MenuItemConstructorOptions]),
    ],
  };
  const window: MenuItemConstructorOptions = {
    label: '&Window',
    submenu: [{ role: 'minimize' }, ...(mac ? [{ role: 'zoom' }, separator, { role: 'front' }] : [])] as MenuItemConstructorOptions[],
  };
  return [...(mac ? [appMenu] : []), file, edit, view, train, window, help];
};
