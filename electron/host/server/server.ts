/**
 * The Node host's server: HTTP for the built renderer and a WebSocket for `StudioApi`, on
 * 127.0.0.1 only. Every request and socket is checked (auth.ts); each socket is one window with
 * its own project (WindowSession), and the windows share the project store, the job manager and
 * the recent list.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WEBSOCKET_PATH } from '../../api';
import { JobManager } from '../../services/jobs/job-manager';
import { ForkWorkerHost, type WorkerHost } from '../../services/jobs/worker-host';
import { checkHttpRequest, checkSocketRequest, cookieName, newToken, type RequestFacts } from './auth';
import { RecoveryStore } from '../../services/recovery/recovery-store';
import { RecentProjects, recoveryFolder } from './recent';
import { connectWindow } from './socket-window';
import { memoryLimitBytes } from './start-run';
import { readStaticFile } from './static-files';
import { TrainingJobs } from './training-jobs';
import type { HostServices } from './window-session';

/** The Content-Security-Policy of the page (docs: shared/design/TOOLCHAIN.md, "CSP with zero violations"). */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

export interface StudioServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The built renderer (out/renderer). */
  readonly rendererFolder: string;
  /** Where the recent list is kept, and (in `recovery/`) the windows' unsaved documents. */
  readonly configFolder: string;
  readonly application: string;
  readonly defaultFolder: string;
  /** Fixed for tests; a new random one by default. */
  readonly token?: string;
  /** Where training workers run; forked Node processes by default. */
  readonly workerHost?: WorkerHost;
  /** Told about refused requests, for the terminal. */
  readonly log?: (line: string) => void;
}

export interface StudioServer {
  readonly port: number;
  readonly token: string;
  /** The URL to open: `http://127.0.0.1:PORT/?token=…`. */
  readonly url: string;
  /** Stops the jobs, closes every socket and the server. */
  close(): Promise<void>;
}

const factsOf = (request: IncomingMessage): RequestFacts => ({
  url: request.url ?? '/',
  host: request.headers.host,
  origin: request.headers.origin,
  cookie: request.headers.cookie,
  fetchSite: request.headers['sec-fetch-site'] as string | undefined,
});

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const refuseHttp = (response: ServerResponse, status: number, text: string): void => {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
  response.end(`${text}\n`);
};

const refuseUpgrade = (socket: Duplex, reason: string): void => {
  socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
};

export const startStudioServer = async (options: StudioServerOptions): Promise<StudioServer> => {
  const token = options.token ?? newToken();
  const log = options.log ?? (() => undefined);
  const manager = new JobManager(options.workerHost ?? new ForkWorkerHost(), { maxConcurrent: 1, memoryLimitBytes: memoryLimitBytes() });
  const services: HostServices = {
    jobs: new TrainingJobs(manager),
    recent: new RecentProjects(options.configFolder),
    recovery: new RecoveryStore(recoveryFolder(options.configFolder), { application: options.application }),
    application: options.application,
    defaultFolder: options.defaultFolder,
  };
  let port = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const verdict = checkHttpRequest(factsOf(request), token, port);
    if (!verdict.allowed) {
      log(`refused ${request.method} ${new URL(request.url ?? '/', 'http://x').pathname}: ${verdict.reason}`);
      return refuseHttp(response, 403, `Forbidden: ${verdict.reason}`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuseHttp(response, 405, 'Method not allowed');
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const file = await readStaticFile(options.rendererFolder, path);
    if (!file) return refuseHttp(response, 404, 'Not found');
    const headers: Record<string, string> = {
      'Content-Type': file.contentType,
      'Content-Length': String(file.body.length),
      'Cache-Control': file.immutable ? 'private, max-age=31536000, immutable' : 'no-store',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      ...SECURITY_HEADERS,
    };
    if (verdict.tokenInQuery) headers['Set-Cookie'] = `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    response.writeHead(200, headers);
    response.end(request.method === 'HEAD' ? undefined : file.body);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`error answering ${request.url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) refuseHttp(response, 500, 'Internal error');
      else response.destroy();
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 32 * 1024 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const verdict = checkSocketRequest(factsOf(request), token, port);
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (!verdict.allowed || path !== WEBSOCKET_PATH) {
      log(`refused a socket: ${verdict.allowed ? `wrong path ${path}` : verdict.reason}`);
      return refuseUpgrade(socket, verdict.allowed ? 'Not found' : `Forbidden: ${verdict.reason}`);
    }
    sockets.handleUpgrade(request, socket, head, (ws: WebSocket) => connectWindow(ws, services, log));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    close: async () => {
      services.jobs.stopAll();
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
