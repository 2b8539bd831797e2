/**
 * Node's modules, and the image decoders for files (pngjs, jpeg-js, which need Node's streams), as
 * the GPU window's page sees them (build/gpu-page.vite.config.mjs points those imports here): each
 * function says that the page cannot do this. The training code the page runs reaches them only
 * for files and threads, which it never asks for (worker-page.ts).
 */
const unavailable =
  (name: string) =>
  (..._args: unknown[]): never => {
    throw new Error(`${name} is not available in the GPU window (it has no Node.js)`);
  };

export const existsSync = unavailable('existsSync');
export const readFileSync = unavailable('readFileSync');
export const statSync = unavailable('statSync');
export const readdirSync = unavailable('readdirSync');
export const openSync = unavailable('openSync');
export const readSync = unavailable('readSync');
export const closeSync = unavailable('closeSync');
export const resolve = unavailable('path.resolve');
export const join = unavailable('path.join');
export const dirname = unavailable('path.dirname');
export const extname = unavailable('path.extname');
export const isAbsolute = unavailable('path.isAbsolute');
export const createRequire = unavailable('createRequire');
export const pathToFileURL = unavailable('pathToFileURL');
export const fileURLToPath = unavailable('fileURLToPath');
export const gunzipSync = unavailable('gunzipSync');
export const availableParallelism = (): number => 1;
export const constants = { signals: {} as Record<string, number> };
export const workerData = null;
export class Worker {
  constructor() {
    throw new Error('worker threads are not available in the GPU window');
  }
}
export class PNG {
  static readonly sync = { read: unavailable('PNG.sync.read'), write: unavailable('PNG.sync.write') };
}
export default { decode: unavailable('jpeg.decode'), encode: unavailable('jpeg.encode') };
