/**
 * Helpers for the Node host's tests: a server on a free port over a tiny stand-in renderer
 * (no Vite build needed), raw HTTP requests, and a WebSocket client speaking the wire format.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import { WEBSOCKET_PATH, type HostMessage, type StartFiltersProgress, type StudioJobEvent } from '../../../electron/api';
import { startStudioServer, type StudioServer } from '../../../electron/host/server/server';

export const TOKEN = 'test-token-0123456789';

export interface Harness {
  readonly server: StudioServer;
  readonly folder: string;
}

export const startHarness = async (): Promise<Harness> => {
  const folder = mkdtempSync(join(tmpdir(), 'cnn-studio-server-'));
  const renderer = join(folder, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>CNN Studio</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1);');
  writeFileSync(join(folder, 'secret.txt'), 'not for the web');
  const server = await startStudioServer({
    port: 0,
    rendererFolder: renderer,
    configFolder: join(folder, 'config'),
    application: 'CNN Studio test',
    defaultFolder: folder,
    token: TOKEN,
  });
  return { server, folder };
};

/** One host and one connected client for a test file: started before its tests, closed after them. */
export const useHostClient = (): { readonly harness: Harness; readonly client: RpcClient } => {
  const host = {} as { harness: Harness; client: RpcClient };
  beforeAll(async () => {
    host.harness = await startHarness();
    host.client = await RpcClient.connect(host.harness.server.port);
  });
  afterAll(async () => {
    host.client?.close();
    await host.harness?.server.close();
  });
  return host;
};

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A GET (or another method) with exactly the headers given, and the raw path (no normalisation). */
export const httpGet = (port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });

/** Opens a socket; resolves with it, or rejects with the HTTP status the host answered. */
export const openSocket = (port: number, query: string, origin: string | undefined): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${WEBSOCKET_PATH}${query}`, origin === undefined ? {} : { origin });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });

/** A client of the wire format: `call` resolves with the result or rejects with {name, message}. */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  readonly events = new Map<string, StudioJobEvent[]>();
  /** `previewStartFilters`'s progress, by request id. */
  readonly progress = new Map<number, StartFiltersProgress[]>();
  private readonly waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as HostMessage;
      if ('event' in message && message.event === 'start-filters') {
        this.progress.set(message.id, [...(this.progress.get(message.id) ?? []), message.data]);
        return;
      }
      if ('event' in message) {
        this.events.set(message.jobId, [...(this.events.get(message.jobId) ?? []), message.data]);
        for (const wake of this.waiters.splice(0)) wake();
        return;
      }
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if ('error' in message) waiting?.reject(message.error);
      else waiting?.resolve(message.result);
    });
  }

  static async connect(port: number): Promise<RpcClient> {
    return new RpcClient(await openSocket(port, `?token=${TOKEN}`, `http://127.0.0.1:${port}`));
  }

  /** Sends any text, for malformed-message tests; resolves with the next answer. */
  raw(text: string): Promise<HostMessage> {
    return new Promise((resolve) => {
      this.socket.once('message', (data) => resolve(JSON.parse(data.toString()) as HostMessage));
      this.socket.send(text);
    });
  }

  call<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
    return this.request<T>(method, ...params).answer;
  }

  /** A request and its id (to find its progress). */
  request<T = unknown>(method: string, ...params: unknown[]): { id: number; answer: Promise<T> } {
    const id = this.nextId++;
    const answer = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
    return { id, answer };
  }

  /** Waits until the job's events include `finished` (or the time runs out). */
  async finished(jobId: string, timeoutMs = 60_000): Promise<StudioJobEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.events.get(jobId) ?? []).some((event) => event.type === 'finished')) {
      if (Date.now() > deadline) throw new Error(`job ${jobId} did not finish in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 500);
      });
    }
    return this.events.get(jobId)!;
  }

  close(): void {
    this.socket.close();
  }
}
