/**
 * `StudioApi` over the Node host's WebSocket (`cnn-studio serve`): requests are numbered and
 * answered in any order; job events, and a filter preview's progress, are pushed. The token comes
 * from the page's URL.
 */
import {
  STUDIO_REQUEST_METHODS,
  WEBSOCKET_PATH,
  type ClientMessage,
  type HostMessage,
  type SerializedError,
  type StartFiltersProgress,
  type StudioApi,
  type StudioJobEvent,
  type StudioRequestMethod,
} from '../../electron/api';

/** An error that came from the host, with its name (a title) and message. */
export class HostError extends Error {
  constructor(serialized: SerializedError) {
    super(serialized.message);
    this.name = serialized.name;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

const lostConnection = (): HostError =>
  new HostError({
    name: 'ConnectionError',
    message: 'the connection to the CNN Studio host was lost; restart `cnn-studio serve` and reload',
  });

/** Connects, and resolves once the socket is open; rejects when the host refuses it. */
export const connectSocketApi = (location: Location, onClose: () => void): Promise<StudioApi> => {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `ws://${location.host}${WEBSOCKET_PATH}?token=${encodeURIComponent(token)}`;
  const socket = new WebSocket(url);
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(event: StudioJobEvent) => void>>();
  /** The progress listeners of requests not yet answered, by request id. */
  const progressListeners = new Map<number, (progress: StartFiltersProgress) => void>();
  let nextId = 1;
  let closed = false;

  const request = (
    method: ClientMessage['method'],
    params: unknown[],
    onProgress?: (progress: StartFiltersProgress) => void,
  ): Promise<unknown> => {
    if (closed) return Promise.reject(lostConnection());
    const id = nextId++;
    if (onProgress) progressListeners.set(id, onProgress);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    }).finally(() => progressListeners.delete(id));
  };

  socket.addEventListener('message', (message) => {
    let data: HostMessage;
    try {
      data = JSON.parse(String(message.data)) as HostMessage;
    } catch {
      return;
    }
    if ('event' in data) {
      if (data.event === 'start-filters') progressListeners.get(data.id)?.(data.data);
      else for (const listener of listeners.get(data.jobId) ?? []) listener(data.data);
      return;
    }
    const waiting = pending.get(data.id);
    if (!waiting) return;
    pending.delete(data.id);
    if ('error' in data) waiting.reject(new HostError(data.error));
    else waiting.resolve(data.result);
  });

  const api = Object.fromEntries(
    STUDIO_REQUEST_METHODS.map((method: StudioRequestMethod) => [method, (...params: unknown[]) => request(method, params)]),
  ) as unknown as StudioApi;
  // the listener stays here; the host sends progress with the request's id
  api.previewStartFilters = (document, nodeId, overrides, onProgress) =>
    request('previewStartFilters', [document, nodeId, overrides], onProgress) as ReturnType<StudioApi['previewStartFilters']>;
  api.watchJob = async (jobId, listener) => {
    let set = listeners.get(jobId);
    if (!set) listeners.set(jobId, (set = new Set()));
    set.add(listener);
    try {
      await request('watchJob', [jobId]);
    } catch (error) {
      set.delete(listener);
      throw error;
    }
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        listeners.delete(jobId);
        if (!closed) void request('unwatchJob', [jobId]).catch(() => undefined);
      }
    };
  };

  return new Promise((resolve, reject) => {
    let opened = false;
    socket.addEventListener(
      'open',
      () => {
        opened = true;
        resolve(api);
      },
      { once: true },
    );
    socket.addEventListener('close', () => {
      closed = true;
      for (const waiting of pending.values()) waiting.reject(lostConnection());
      pending.clear();
      if (opened) onClose();
      else
        reject(
          new HostError({
            name: 'ConnectionError',
            message: 'the CNN Studio host refused the connection; open the URL that `cnn-studio serve` printed',
          }),
        );
    });
  });
};
