/**
 * One WebSocket = one window: requests (`{id, method, params}`) are checked and answered with
 * `{id, result}` or `{id, error: {name, message}}`; watched jobs' events are pushed as
 * `{event: 'job', jobId, data}`, and a `previewStartFilters`'s progress as `{event: 'start-filters',
 * id, data}` with its request's id. The wire format is `ClientMessage` / `HostMessage` in api.ts.
 */
import type { WebSocket } from 'ws';
import { STUDIO_REQUEST_METHODS, type HostMessage, type StartFiltersProgress, type StudioRequestMethod, type Unsubscribe } from '../../api';
import { ARGUMENT_CHECKS } from './arguments';
import { RequestError, serializeError } from './errors';
import { WindowSession, type HostServices } from './window-session';

const METHODS = new Set<string>(STUDIO_REQUEST_METHODS);

interface Parsed {
  readonly id: number;
  readonly method: string;
  readonly params: unknown[];
}

/** The request in a message, or an error saying what is wrong (with the id when there is one). */
export const parseClientMessage = (raw: string): Parsed | { id: number | null; error: RequestError } => {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { id: null, error: new RequestError('a message must be JSON') };
  }
  if (typeof value !== 'object' || value === null) return { id: null, error: new RequestError('a message must be an object') };
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { id: null, error: new RequestError('a message needs a numeric id') };
  if (typeof method !== 'string') return { id, error: new RequestError('a message needs a method') };
  if (!Array.isArray(params)) return { id, error: new RequestError('params must be a list') };
  return { id, method, params };
};

export const connectWindow = (ws: WebSocket, services: HostServices, log: (line: string) => void): void => {
  const session = new WindowSession(services);
  const watches = new Map<string, Unsubscribe>();
  const send = (message: HostMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  const run = async (id: number, method: string, params: unknown[]): Promise<unknown> => {
    if (method === 'watchJob' || method === 'unwatchJob') {
      const jobId = params[0];
      if (typeof jobId !== 'string') throw new RequestError(`${method} needs a job id`);
      watches.get(jobId)?.();
      watches.delete(jobId);
      if (method === 'watchJob') {
        const stop = await session.watchJob(jobId, (data) => send({ event: 'job', jobId, data }));
        watches.set(jobId, stop);
      }
      return null;
    }
    if (!METHODS.has(method)) throw new RequestError(`there is no method '${method}'`);
    const name = method as StudioRequestMethod;
    const args = ARGUMENT_CHECKS[name](params);
    if (name === 'previewStartFilters') args.push((data: StartFiltersProgress) => send({ event: 'start-filters', id, data }));
    const call = session[name] as (...values: unknown[]) => Promise<unknown>;
    const result = await call.apply(session, args);
    return result === undefined ? null : result;
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) return send({ id: -1, error: serializeError(new RequestError('messages must be text')) });
    const parsed = parseClientMessage(data.toString());
    if ('error' in parsed) return send({ id: parsed.id ?? -1, error: serializeError(parsed.error) });
    run(parsed.id, parsed.method, parsed.params).then(
      (result) => send({ id: parsed.id, result }),
      (error: unknown) => {
        const serialized = serializeError(error);
        if (serialized.name === 'InternalError') log(`${parsed.method} failed: ${error instanceof Error ? error.stack : String(error)}`);
        send({ id: parsed.id, error: serialized });
      },
    );
  });
  ws.on('close', () => {
    for (const stop of watches.values()) stop();
    watches.clear();
    session.dispose();
  });
};
