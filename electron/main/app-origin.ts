/**
 * Where the renderer comes from and what it may reach: the `app://studio` origin (a custom
 * protocol instead of file://, Electron security checklist item 18), the Content-Security-Policy,
 * the check of every IPC sender's frame URL (item 17), navigation, and the external links the app
 * itself made (item 15). Pure functions: no electron import, so they are tested under plain Node.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page every window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The page's policy, the same as the Node host's (electron/host/server/server.ts); the reasons
 * for `'unsafe-inline'` styles and `data:` images are in shared/design/TOOLCHAIN.md ("CSP with
 * zero violations").
 */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

const parse = (url: unknown): URL | null => {
  if (typeof url !== 'string') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
};

/** Whether a URL belongs to the app's own origin (parsed, never compared as text). */
export const isAppUrl = (url: unknown): boolean => {
  const parsed = parse(url);
  return (
    parsed !== null &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname.toLowerCase() === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
};

export type SenderVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Whether an IPC message may be answered: it must come from the top frame of one of our windows,
 * showing our page. `frameUrl` is `event.senderFrame?.url` (undefined once the frame is gone).
 */
export const checkSender = (frameUrl: string | undefined, isTopFrame: boolean): SenderVerdict => {
  if (frameUrl === undefined) return { ok: false, reason: 'the sending frame is gone' };
  if (!isTopFrame) return { ok: false, reason: `a sub-frame (${frameUrl}) may not call the host` };
  if (!isAppUrl(frameUrl)) return { ok: false, reason: `${frameUrl} is not the app's page (${APP_ORIGIN})` };
  return { ok: true };
};

/** `will-navigate`: a window may only move within the app's own origin. */
export const mayNavigate = (url: string): boolean => isAppUrl(url);

/**
 * Headers with our CSP in place of any other (header names compare case-insensitively), for
 * `session.webRequest.onHeadersReceived`.
 */
export const withContentSecurityPolicy = (headers: Record<string, string[]> | undefined): Record<string, string[]> => {
  const result: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
};

/**
 * The https links the app itself made (a Help menu entry, a link the main process built): only
 * these are ever handed to `shell.openExternal`. A page asking to open anything else is refused.
 */
export class ExternalLinks {
  private readonly made = new Set<string>();

  /** Records a link the app made; throws for anything but a plain https URL. */
  make(url: string): string {
    const parsed = parse(url);
    if (!parsed || parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '')
      throw new Error(`only plain https links can be opened outside the app, not ${url}`);
    this.made.add(parsed.href);
    return parsed.href;
  }

  /** Whether `url` is one the app made (compared after parsing, so spelling tricks do not pass). */
  mayOpen(url: string): boolean {
    const parsed = parse(url);
    return parsed !== null && parsed.protocol === 'https:' && this.made.has(parsed.href);
  }
}
