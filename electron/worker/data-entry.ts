/**
 * The data server's entry inside an Electron utility process (forked by electron/main/data-process.ts
 * for a GPU window whose job reads files; bundled to out/main/data-server.mjs): it says
 * `{ type: 'ready' }`, then main posts one `{ type: 'serve', start }` message with the data port,
 * and a DataServer (data-server.ts) answers the window's page on it, so decoding files never
 * holds up main. No electron import:
 * `process.parentPort` is Electron's, typed here by the parts used.
 */
import type { DataServerPort } from './data-server';
import { DataServer } from './data-server';
import { validateHostMessage, type StartMessage } from './protocol';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports?: readonly DataServerPort[] }) => void): unknown;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('the data server runs in an Electron utility process (process.parentPort is missing)');

let serving = false;
parentPort.on('message', ({ data, ports }) => {
  const message = data as { type?: unknown; start?: unknown } | null;
  if (serving || message?.type !== 'serve' || ports?.length !== 1) return;
  const start = validateHostMessage(message.start);
  if (start.type !== 'start') throw new Error(`the data server was sent ${start.type}, not a start message`);
  serving = true;
  new DataServer(ports[0]).bind(start as StartMessage);
});
parentPort.postMessage({ type: 'ready' });
