/**
 * The hidden GPU window's preload (electron/main/gpu-window-host.ts): hands the worker port and
 * the data port that main sends on `studio:gpu-port` to the page
 * (electron/worker/gpu-page/worker-page.ts) with `window.postMessage`, and exposes nothing. Bundled to out/preload/gpu.cjs; its only require is
 * `electron`.
 */
import { ipcRenderer } from 'electron';

const GPU_PORT_CHANNEL = 'studio:gpu-port';

interface PageWindow {
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
}

let handed = false;
ipcRenderer.on(GPU_PORT_CHANNEL, (event) => {
  const ports = event.ports as unknown as { close(): void }[];
  if (handed || ports.length !== 2) {
    for (const port of ports) port.close();
    return;
  }
  handed = true;
  (globalThis as unknown as PageWindow).postMessage({ source: 'cnn-studio', type: 'gpu-port' }, '*', ports);
});
