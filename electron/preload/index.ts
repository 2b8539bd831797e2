/**
 * The preload: exposes `window.studio` (the StudioApi contract, electron/api.ts) and nothing
 * else. Sandboxed, so it is bundled into one CommonJS file (out/preload/index.cjs) whose only
 * require is `electron`.
 *
 * - Each request method is an `ipcRenderer.invoke` on its own `studio:` channel; the answer is an
 *   Envelope, and an error is rethrown with its name (a title) and message.
 * - `watchJob` asks main for a stream with a fresh nonce; main answers on `studio:job-port` with
 *   that nonce and two MessagePorts: one from main (the events so far, and those main makes) and
 *   one from the job's worker (its progress, epochs and checkpoint notices, straight from the
 *   utility process: electron/worker/job-stream.ts). Ports with any other nonce are closed.
 *   MessagePorts do not cross the context bridge, so the ports stay here and each event goes to
 *   the page's listener (a function, which the bridge does carry); the page sees the plain
 *   StudioApi that renderer/api/client.ts expects. Unsubscribing closes the ports and tells main.
 * - `previewStartFilters` keeps the page's progress listener here and sends a fresh nonce as a
 *   fourth argument; main answers progress on `studio:start-filters-progress` with that nonce.
 * - Menu commands from main (`studio:menu`) are posted to the page as
 *   `{ source: 'cnn-studio', type: 'menu', command, path? }` with `window.postMessage`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { STUDIO_REQUEST_METHODS, type SerializedError, type StartFiltersProgress, type StudioApi, type StudioJobEvent } from '../api';
import {
  JOB_PORT_CHANNEL,
  MENU_CHANNEL,
  START_FILTERS_PROGRESS_CHANNEL,
  PAGE_MESSAGE_SOURCE,
  channelOf,
  isMenuCommandMessage,
  type ChannelMethod,
  type Envelope,
} from '../main/channels';

/** The browser's MessagePort, the parts used (the project's TypeScript has no DOM library). */
interface PagePort {
  onmessage: ((event: { data: unknown }) => void) | null;
  close(): void;
}

interface PageWindow {
  postMessage(message: unknown, targetOrigin: string): void;
  crypto: { getRandomValues(array: Uint8Array): Uint8Array };
}

const page = globalThis as unknown as PageWindow;

const hostError = (error: SerializedError): Error => {
  const thrown = new Error(error.message);
  thrown.name = error.name;
  return thrown;
};

const invoke = async (method: ChannelMethod, params: unknown[]): Promise<unknown> => {
  const envelope = (await ipcRenderer.invoke(channelOf(method), ...params)) as Envelope;
  if (!envelope.ok) throw hostError(envelope.error);
  return envelope.value;
};

const newNonce = (): string =>
  Array.from(page.crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');

/** Streams waiting for their ports, by nonce. */
const waitingPorts = new Map<string, (ports: PagePort[]) => void>();

ipcRenderer.on(JOB_PORT_CHANNEL, (event, info: unknown) => {
  const nonce = typeof info === 'object' && info !== null ? (info as { nonce?: unknown }).nonce : undefined;
  const ports = event.ports as unknown as PagePort[];
  const take = typeof nonce === 'string' ? waitingPorts.get(nonce) : undefined;
  if (!take || ports.length < 1 || ports.length > 2) {
    for (const port of ports) port.close();
    return;
  }
  waitingPorts.delete(nonce as string);
  take(ports);
});

/** The progress listeners of `previewStartFilters` calls not yet answered, by nonce. */
const progressListeners = new Map<string, (progress: StartFiltersProgress) => void>();

ipcRenderer.on(START_FILTERS_PROGRESS_CHANNEL, (_event, info: unknown) => {
  if (typeof info !== 'object' || info === null) return;
  const { nonce, progress } = info as { nonce?: unknown; progress?: StartFiltersProgress };
  if (typeof nonce === 'string' && progress) progressListeners.get(nonce)?.(progress);
});

ipcRenderer.on(MENU_CHANNEL, (_event, message: unknown) => {
  if (isMenuCommandMessage(message)) page.postMessage({ source: PAGE_MESSAGE_SOURCE, type: 'menu', ...message }, '*');
});

const watchJob: StudioApi['watchJob'] = async (jobId, listener) => {
  if (typeof jobId !== 'string' || typeof listener !== 'function') throw new TypeError('watchJob needs a job id and a listener');
  const nonce = newNonce();
  const portsArrive = new Promise<PagePort[]>((resolve) => waitingPorts.set(nonce, resolve));
  try {
    await invoke('watchJob', [jobId, nonce]);
  } catch (error) {
    waitingPorts.delete(nonce);
    throw error;
  }
  const ports = await portsArrive;
  for (const port of ports) port.onmessage = (event) => listener(event.data as StudioJobEvent);
  let open = true;
  return () => {
    if (!open) return;
    open = false;
    for (const port of ports) port.close();
    void invoke('unwatchJob', [nonce]).catch(() => undefined);
  };
};

const previewStartFilters: StudioApi['previewStartFilters'] = async (document, nodeId, overrides, onProgress) => {
  if (typeof onProgress !== 'function') return (await invoke('previewStartFilters', [document, nodeId, overrides])) as never;
  const nonce = newNonce();
  progressListeners.set(nonce, onProgress);
  try {
    return (await invoke('previewStartFilters', [document, nodeId, overrides, nonce])) as never;
  } finally {
    progressListeners.delete(nonce);
  }
};

const studio = Object.fromEntries(
  STUDIO_REQUEST_METHODS.map((method) => [method, (...params: unknown[]) => invoke(method, params)]),
) as unknown as StudioApi;
studio.watchJob = watchJob;
studio.previewStartFilters = previewStartFilters;

contextBridge.exposeInMainWorld('studio', studio);
