/**
 * The application menu as a template (data plus click handlers), built from the platform and
 * whether this is a development run; index.ts hands it to `Menu.buildFromTemplate`. Commands
 * that concern the page's project (new, save, undo, redo, and open/save-as once their native
 * dialog has answered) go to the focused window through `actions`. Only types from electron.
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
      { role: 'togglefullscreen' },
    ] as MenuItemConstructorOptions[],
  };
  const window: MenuItemConstructorOptions = {
    label: '&Window',
    submenu: [{ role: 'minimize' }, ...(mac ? [{ role: 'zoom' }, separator, { role: 'front' }] : [])] as MenuItemConstructorOptions[],
  };
  return [...(mac ? [appMenu] : []), file, edit, view, window];
};
