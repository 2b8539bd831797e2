// The application menu's template: the usual items and shortcuts, per platform, DevTools only in development.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { menuTemplate, type MenuActions } from '../../../electron/main/menu';

const recordingActions = (calls: string[]): MenuActions => ({
  newWindow: () => calls.push('newWindow'),
  newProject: () => calls.push('newProject'),
  open: () => calls.push('open'),
  save: () => calls.push('save'),
  saveAs: () => calls.push('saveAs'),
  undo: () => calls.push('undo'),
  redo: () => calls.push('redo'),
  trainStart: () => calls.push('trainStart'),
  trainPause: () => calls.push('trainPause'),
  trainStop: () => calls.push('trainStop'),
  shortcuts: () => calls.push('shortcuts'),
  toggleTheme: () => calls.push('toggleTheme'),
  openLogFolder: () => calls.push('openLogFolder'),
});

const items = (template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
  template.flatMap((item) => [item, ...items((item.submenu as MenuItemConstructorOptions[] | undefined) ?? [])]);

const byLabel = (template: MenuItemConstructorOptions[], label: string) => items(template).find((item) => item.label === label);
const roles = (template: MenuItemConstructorOptions[]) => items(template).flatMap((item) => (item.role ? [item.role] : []));

describe('the application menu', () => {
  it('has File, Edit, View, Train, Window and Help menus with the usual shortcuts', () => {
    const template = menuTemplate({ platform: 'linux', development: false, appName: 'CNN Studio', actions: recordingActions([]) });
    expect(template.map((menu) => menu.label)).toEqual(['&File', '&Edit', '&View', '&Train', '&Window', '&Help']);
    const shortcuts = Object.fromEntries(
      items(template).flatMap((item) => (item.label && item.accelerator ? [[item.label, item.accelerator]] : [])),
    );
    expect(shortcuts).toEqual({
      'New Project': 'CmdOrCtrl+N',
      'New Window': 'CmdOrCtrl+Shift+N',
      'Open…': 'CmdOrCtrl+O',
      Save: 'CmdOrCtrl+S',
      'Save As…': 'CmdOrCtrl+Shift+S',
      'Close Window': 'CmdOrCtrl+W',
      Undo: 'CmdOrCtrl+Z',
      Redo: 'Ctrl+Y',
      'Start Training': 'F5',
      'Pause or Resume Training': 'F6',
      'Stop Training': 'Shift+F5',
    });
    expect(roles(template)).toEqual(
      expect.arrayContaining([
        'close',
        'quit',
        'cut',
        'copy',
        'paste',
        'selectAll',
        'resetZoom',
        'zoomIn',
        'zoomOut',
        'togglefullscreen',
        'minimize',
        'about',
        'help',
      ]),
    );
  });

  it('runs the project commands through the actions', () => {
    const calls: string[] = [];
    const template = menuTemplate({ platform: 'win32', development: false, appName: 'CNN Studio', actions: recordingActions(calls) });
    const labels = ['New Project', 'New Window', 'Open…', 'Save', 'Save As…', 'Undo', 'Redo'];
    labels.push('Start Training', 'Pause or Resume Training', 'Stop Training', 'Keyboard Shortcuts', 'Open Log Folder', 'Switch Theme');
    for (const label of labels) (byLabel(template, label)!.click as () => void)();
    expect(calls).toEqual([
      'newProject',
      'newWindow',
      'open',
      'save',
      'saveAs',
      'undo',
      'redo',
      'trainStart',
      'trainPause',
      'trainStop',
      'shortcuts',
      'openLogFolder',
      'toggleTheme',
    ]);
  });

  it('offers reload and the developer tools in development only', () => {
    const development = menuTemplate({ platform: 'linux', development: true, appName: 'CNN Studio', actions: recordingActions([]) });
    const release = menuTemplate({ platform: 'linux', development: false, appName: 'CNN Studio', actions: recordingActions([]) });
    expect(roles(development)).toEqual(expect.arrayContaining(['toggleDevTools', 'reload', 'forceReload']));
    for (const role of ['toggleDevTools', 'reload', 'forceReload']) expect(roles(release)).not.toContain(role);
  });

  it('on macOS starts with the app menu (which holds Quit) and uses Cmd+Shift+Z for redo', () => {
    const template = menuTemplate({ platform: 'darwin', development: false, appName: 'CNN Studio', actions: recordingActions([]) });
    expect(template[0].label).toBe('CNN Studio');
    expect(roles([template[0]])).toEqual(expect.arrayContaining(['about', 'hide', 'quit']));
    expect(roles([template[1]])).not.toContain('quit');
    expect(byLabel(template, 'Redo')!.accelerator).toBe('Cmd+Shift+Z');
    // The OS's recent documents (app.addRecentDocument) under File; About is in the app menu only.
    expect(roles(template)).toEqual(expect.arrayContaining(['recentDocuments', 'clearRecentDocuments']));
    expect(roles(template).filter((role) => role === 'about')).toHaveLength(1);
  });
});
