/**
 * The desktop app's menu commands, carried out with the same actions as the page's own buttons
 * and shortcuts. The Electron preload posts each one to the page as a `message` event (a
 * PageMenuMessage, electron/api.ts); anything else arriving as a message is ignored. In a
 * browser nothing posts them, and the page works as before.
 */
import { isPageMenuMessage, type MenuCommandMessage } from '../../electron/api';
import { training } from '../training/training-store';
import { backToStart, openProject, saveProject, showError } from './actions';
import { overlays } from './overlays';
import { app, editor, layout } from './state';

/** Carries out one command; commands about the open project do nothing on the start page. */
export const runMenuCommand = ({ command, path }: MenuCommandMessage): void => {
  const state = app.getState();
  const api = state.api;
  const inEditor = state.screen === 'editor';
  switch (command) {
    case 'new':
      return backToStart();
    case 'open':
      if (path) void openProject(path);
      return;
    case 'save':
      if (inEditor) void saveProject();
      return;
    case 'saveAs':
      if (!inEditor) return;
      // A path chosen in the native dialog is saved to directly; without one, the page asks.
      if (path) void saveProject(path, true);
      else app.update({ savingAs: true });
      return;
    case 'undo':
      if (inEditor) editor.undo();
      return;
    case 'redo':
      if (inEditor) editor.redo();
      return;
    case 'trainStart':
      if (inEditor) training.requestStart?.();
      return;
    case 'trainPause':
      if (api) training.togglePause(api).catch(showError);
      return;
    case 'trainStop':
      if (api) training.stop(api).catch(showError);
      return;
    case 'toggleTheme':
      return layout.nextTheme();
    case 'shortcuts':
      return overlays.update({ helpOpen: true });
  }
};

/** Listens for menu commands from the preload; returns the function that stops listening. */
export const listenForMenuCommands = (): (() => void) => {
  const receive = (event: MessageEvent) => {
    // Only the page's own window (where the preload posts) and origin; never another frame.
    if (event.source !== window || event.origin !== window.location.origin) return;
    if (isPageMenuMessage(event.data)) runMenuCommand(event.data);
  };
  window.addEventListener('message', receive);
  return () => window.removeEventListener('message', receive);
};
