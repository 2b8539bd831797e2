/**
 * The `app://studio` protocol that serves the built renderer (out/renderer) read-only, with the
 * CSP on every response; and the session's hardening: every permission request and check is
 * refused, and the CSP is also set on any response that passes through the network stack.
 */
import { protocol, type Session } from 'electron';
import { readStaticFile } from '../host/server/static-files';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY, withContentSecurityPolicy } from './app-origin';

/** Before `ready`: `app:` is a standard, secure scheme (relative URLs, `self` in the CSP, fetch). */
export const registerAppScheme = (): void => {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
};

const plain = (status: number, text: string): Response =>
  new Response(`${text}\n`, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
  });

/** Serves `folder` (the built renderer) at `app://studio/`; nothing outside it is reachable. */
export const serveRenderer = (session: Session, folder: string): void => {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.hostname.toLowerCase() !== APP_HOST) return plain(404, 'Not found');
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    const file = await readStaticFile(folder, url.pathname);
    if (!file) return plain(404, 'Not found');
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.body), {
      status: 200,
      headers: {
        'Content-Type': file.contentType,
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      },
    });
  });
};

/** No permission (camera, notifications, clipboard, …) is ever granted; the CSP rides on every response. */
export const hardenSession = (session: Session): void => {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) }),
  );
};
