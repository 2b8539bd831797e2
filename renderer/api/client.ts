/**
 * The renderer's one way to its host: `window.studio` when an Electron preload provides it,
 * else the Node host's WebSocket. Nothing else in the renderer knows which host it has.
 */
import { STUDIO_API_VERSION, type HostInfo, type StudioApi } from '../../electron/api';
import { connectSocketApi } from './socket-client';

declare global {
  interface Window {
    /** Set by the Electron preload. */
    studio?: StudioApi;
  }
}

export interface Connection {
  readonly api: StudioApi;
  readonly host: HostInfo;
}

/** Connects to the host and checks that it speaks this renderer's version of the contract. */
export const connect = async (onLost: () => void): Promise<Connection> => {
  const api = window.studio ?? (await connectSocketApi(window.location, onLost));
  const host = await api.hello();
  if (host.apiVersion !== STUDIO_API_VERSION)
    throw new Error(`the host speaks StudioApi version ${host.apiVersion}, this page version ${STUDIO_API_VERSION}; reload the page`);
  return { api, host };
};
