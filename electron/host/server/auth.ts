/**
 * Who may talk to the Node host. It listens on 127.0.0.1 only, but any web page the person
 * visits can send requests there, and any local program can connect; so every request and
 * every socket must show the random token printed in the URL, and browsers' requests must come
 * from the host's own origin (this stops other sites, and DNS rebinding, from driving the IDE).
 *
 * - HTTP: the token comes in the query (`?token=…`, the printed URL) or in the cookie set on the
 *   first page load; a request that names a different Origin, or another Host, is refused.
 * - WebSocket: the token must be in the query and the Origin must be the host's own, exactly.
 *
 * Pure functions, so they can be tested without a server.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random token: 32 bytes, URL-safe. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** Compares in constant time; false for anything that is not the token. */
export const tokenMatches = (expected: string, given: string | null | undefined): boolean => {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The cookie that carries the token after the first page load; per port, as cookies ignore ports. */
export const cookieName = (port: number): string => `cnn-studio-token-${port}`;

/** The value of one cookie in a Cookie header, or null. */
export const cookieValue = (header: string | undefined, name: string): string | null => {
  if (!header) return null;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
};

export interface RequestFacts {
  /** The request target, e.g. `/assets/app.js?token=…`. */
  readonly url: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly cookie: string | undefined;
  /** `Sec-Fetch-Site`, which browsers send: `same-origin`, `cross-site`, `none`, … */
  readonly fetchSite: string | undefined;
}

export interface Verdict {
  readonly allowed: boolean;
  /** Why not, for the log and the 403 body (never names the token). */
  readonly reason: string;
  /** Whether the token came in the query (the page should then set the cookie). */
  readonly tokenInQuery: boolean;
}

const refuse = (reason: string): Verdict => ({ allowed: false, reason, tokenInQuery: false });

/** The only origin allowed: the printed URL's. */
export const ownOrigin = (port: number): string => `http://127.0.0.1:${port}`;

const queryToken = (url: string): string | null => {
  try {
    return new URL(url, 'http://127.0.0.1').searchParams.get('token');
  } catch {
    return null;
  }
};

const checkPlace = (facts: RequestFacts, port: number): string | null => {
  if (facts.host !== `127.0.0.1:${port}`) return `the Host header must be 127.0.0.1:${port}`;
  if (facts.origin !== undefined && facts.origin !== ownOrigin(port)) return `requests from ${facts.origin} are not allowed`;
  if (facts.fetchSite === 'cross-site' || facts.fetchSite === 'same-site') return 'requests from other sites are not allowed';
  return null;
};

/** May this HTTP request be answered? */
export const checkHttpRequest = (facts: RequestFacts, token: string, port: number): Verdict => {
  const place = checkPlace(facts, port);
  if (place) return refuse(place);
  const fromQuery = queryToken(facts.url);
  if (fromQuery !== null) {
    return tokenMatches(token, fromQuery) ? { allowed: true, reason: '', tokenInQuery: true } : refuse('the token is wrong');
  }
  if (tokenMatches(token, cookieValue(facts.cookie, cookieName(port)))) return { allowed: true, reason: '', tokenInQuery: false };
  return refuse('a token is needed: open the URL that `cnn-studio serve` printed');
};

/** May this WebSocket connect? Needs the token in the query and the host's own Origin. */
export const checkSocketRequest = (facts: RequestFacts, token: string, port: number): Verdict => {
  if (facts.origin === undefined) return refuse('a socket must come from the CNN Studio page (no Origin header)');
  const place = checkPlace(facts, port);
  if (place) return refuse(place);
  return tokenMatches(token, queryToken(facts.url)) ? { allowed: true, reason: '', tokenInQuery: true } : refuse('the token is wrong');
};
