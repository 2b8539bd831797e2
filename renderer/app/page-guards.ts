/**
 * What the page does for the window it lives in: it asks before being closed or reloaded with
 * unsaved changes or a run in progress (in Electron the main process then shows its own dialog:
 * electron/main/close-guard.ts; a browser shows its "leave site?" prompt), and it shows an error
 * that nothing caught instead of failing silently (and logs it, which the desktop app writes to
 * its log file).
 */
import { isActive, training } from '../training/training-store';
import { showError } from './actions';
import { app, editor, isDirty } from './state';

/** Why leaving the page would lose something, or null. */
export const reasonToStay = (): string | null => {
  if (isActive(training.getState())) return 'a training run is in progress';
  if (app.getState().screen === 'editor' && isDirty(app.getState(), editor.getState().version)) return 'the project has unsaved changes';
  return null;
};

/**
 * The browser's note that a ResizeObserver callback changed the layout again (seen when panels
 * are shown, hidden or resized): the next frame delivers the rest and nothing failed, so it is
 * no error to show.
 */
const isResizeObserverNote = (event: ErrorEvent): boolean => !event.error && /^ResizeObserver loop/.test(event.message);

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Installs the guards; returns the function that removes them. */
export const installPageGuards = (): (() => void) => {
  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (reasonToStay() === null) return;
    event.preventDefault();
    // Older Chromium (and so Electron) needs returnValue set as well.
    event.returnValue = '';
  };
  const uncaught = (event: ErrorEvent) => {
    if (isResizeObserverNote(event)) return;
    console.error(`uncaught error in the page: ${event.error instanceof Error ? (event.error.stack ?? event.message) : event.message}`);
    showError(`Something went wrong: ${event.message}`);
  };
  const unhandled = (event: PromiseRejectionEvent) => {
    console.error(`unhandled rejection in the page: ${event.reason instanceof Error ? event.reason.stack : String(event.reason)}`);
    showError(`Something went wrong: ${describe(event.reason)}`);
  };
  window.addEventListener('beforeunload', beforeUnload);
  window.addEventListener('error', uncaught);
  window.addEventListener('unhandledrejection', unhandled);
  return () => {
    window.removeEventListener('beforeunload', beforeUnload);
    window.removeEventListener('error', uncaught);
    window.removeEventListener('unhandledrejection', unhandled);
  };
};
