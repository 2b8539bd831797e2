/**
 * The IPC handlers: one `ipcMain.handle` per channel of channels.ts (one per StudioApi method,
 * plus the job stream's two), each refusing a sender that is not the top frame of one of our
 * windows showing `app://studio` (checked with a URL parser). Requests go to the window's
 * DesktopSession through the generic dispatch; answers are Envelopes.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { STUDIO_REQUEST_METHODS, type SerializedError, type StartFiltersProgress } from '../api';
import { RequestError, serializeError } from '../host/server/errors';
import { checkSender } from './app-origin';
import { START_FILTERS_PROGRESS_CHANNEL, channelOf, isNonce, type Envelope } from './channels';
import { dispatchRequest } from './desktop-session';
import type { StudioWindow, StudioWindows } from './windows';

const refused = (message: string): Envelope => ({ ok: false, error: { name: 'RequestError', message } satisfies SerializedError });

export const registerIpc = (windows: StudioWindows, log: (line: string) => void): void => {
  /** The sender's window, or why it may not be answered. */
  const senderWindow = (event: IpcMainInvokeEvent, channel: string): StudioWindow | string => {
    const frame = event.senderFrame;
    const verdict = checkSender(frame?.url, frame !== null && frame.parent === null);
    if (!verdict.ok) {
      log(`refused ${channel}: ${verdict.reason}`);
      return `refused: ${verdict.reason}`;
    }
    return windows.forContents(event.sender) ?? 'refused: this page is not a CNN Studio project window';
  };

  for (const method of STUDIO_REQUEST_METHODS) {
    const channel = channelOf(method);
    ipcMain.handle(channel, (event, ...params: unknown[]) => {
      const window = senderWindow(event, channel);
      if (typeof window === 'string') return refused(window);
      if (method === 'previewStartFilters' && isNonce(params[3])) {
        // the page's progress listener stays in the preload: progress goes back with its nonce
        const nonce = params[3];
        const onProgress = (progress: StartFiltersProgress) => {
          if (!event.sender.isDestroyed()) event.sender.send(START_FILTERS_PROGRESS_CHANNEL, { nonce, progress });
        };
        return dispatchRequest(window.session, method, params.slice(0, 3), log, [onProgress]);
      }
      return dispatchRequest(window.session, method, params, log);
    });
  }

  const streamRequest = (channel: string, run: (window: StudioWindow, params: unknown[]) => Promise<null> | null) =>
    ipcMain.handle(channel, async (event, ...params: unknown[]): Promise<Envelope> => {
      const window = senderWindow(event, channel);
      if (typeof window === 'string') return refused(window);
      try {
        return { ok: true, value: await run(window, params) };
      } catch (error) {
        return { ok: false, error: serializeError(error) };
      }
    });

  streamRequest(channelOf('watchJob'), (window, [jobId, nonce, ...rest]) => {
    if (typeof jobId !== 'string' || !isNonce(nonce) || rest.length > 0)
      throw new RequestError('watchJob needs a job id and a stream nonce');
    return window.watch(jobId, nonce);
  });
  streamRequest(channelOf('unwatchJob'), (window, [nonce, ...rest]) => {
    if (!isNonce(nonce) || rest.length > 0) throw new RequestError('unwatchJob needs a stream nonce');
    return window.unwatch(nonce);
  });
};
