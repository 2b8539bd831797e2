// The Node host's access checks, as pure functions: the token (query or cookie), the Origin,
// the Host and Sec-Fetch-Site of HTTP requests and sockets.
import { describe, expect, it } from 'vitest';
import {
  checkHttpRequest,
  checkSocketRequest,
  cookieName,
  cookieValue,
  newToken,
  tokenMatches,
  type RequestFacts,
} from '../../../electron/host/server/auth';

const PORT = 4321;
const TOKEN = 'abc123';
const facts = (overrides: Partial<RequestFacts> = {}): RequestFacts => ({
  url: '/',
  host: `127.0.0.1:${PORT}`,
  origin: undefined,
  cookie: undefined,
  fetchSite: undefined,
  ...overrides,
});

describe('tokens', () => {
  it('makes long random URL-safe tokens', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(a);
  });

  it('matches only the exact token', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    for (const wrong of ['abc12', 'abc1234', 'ABC123', '', null, undefined]) expect(tokenMatches(TOKEN, wrong)).toBe(false);
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(cookieValue('a=1; cnn-studio-token-4321=xyz; b=2', cookieName(PORT))).toBe('xyz');
    expect(cookieValue('a=1', cookieName(PORT))).toBeNull();
    expect(cookieValue(undefined, cookieName(PORT))).toBeNull();
  });
});

describe('HTTP requests', () => {
  it('allows the token in the query, and says so (the page then gets the cookie)', () => {
    expect(checkHttpRequest(facts({ url: `/?token=${TOKEN}` }), TOKEN, PORT)).toEqual({ allowed: true, reason: '', tokenInQuery: true });
  });

  it('allows the token in the cookie', () => {
    const verdict = checkHttpRequest(facts({ url: '/assets/a.js', cookie: `${cookieName(PORT)}=${TOKEN}` }), TOKEN, PORT);
    expect(verdict).toMatchObject({ allowed: true, tokenInQuery: false });
  });

  it('refuses no token, a wrong token, and a wrong token in the query even with a good cookie', () => {
    expect(checkHttpRequest(facts(), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ url: '/?token=nope' }), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ cookie: `${cookieName(PORT)}=nope` }), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ url: '/?token=nope', cookie: `${cookieName(PORT)}=${TOKEN}` }), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ cookie: `${cookieName(PORT + 1)}=${TOKEN}` }), TOKEN, PORT).allowed).toBe(false);
  });

  it('refuses other origins, other sites and other Host names, even with the token', () => {
    const url = `/?token=${TOKEN}`;
    expect(checkHttpRequest(facts({ url, origin: 'http://evil.example' }), TOKEN, PORT).reason).toMatch(/evil.example/);
    expect(checkHttpRequest(facts({ url, origin: `http://localhost:${PORT}` }), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ url, origin: `http://127.0.0.1:${PORT + 1}` }), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ url, fetchSite: 'cross-site' }), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ url, host: `evil.example:${PORT}` }), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ url, host: undefined }), TOKEN, PORT).allowed).toBe(false);
    expect(checkHttpRequest(facts({ url, origin: `http://127.0.0.1:${PORT}`, fetchSite: 'same-origin' }), TOKEN, PORT).allowed).toBe(true);
  });
});

describe('sockets', () => {
  const origin = `http://127.0.0.1:${PORT}`;

  it('allows the token in the query with the own origin', () => {
    expect(checkSocketRequest(facts({ url: `/studio?token=${TOKEN}`, origin }), TOKEN, PORT).allowed).toBe(true);
  });

  it('refuses a missing or foreign origin, and a missing or wrong token (a cookie is not enough)', () => {
    expect(checkSocketRequest(facts({ url: `/studio?token=${TOKEN}` }), TOKEN, PORT).allowed).toBe(false);
    expect(checkSocketRequest(facts({ url: `/studio?token=${TOKEN}`, origin: 'http://evil.example' }), TOKEN, PORT).allowed).toBe(false);
    expect(checkSocketRequest(facts({ url: '/studio?token=nope', origin }), TOKEN, PORT).allowed).toBe(false);
    expect(checkSocketRequest(facts({ url: '/studio', origin, cookie: `${cookieName(PORT)}=${TOKEN}` }), TOKEN, PORT).allowed).toBe(false);
  });
});
