// The Node host's server, started for real on a free port: what it serves, to whom, and how a
// socket is refused or accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieName } from '../../../electron/host/server/auth';
import { CONTENT_SECURITY_POLICY } from '../../../electron/host/server/server';
import { httpGet, openSocket, RpcClient, startHarness, TOKEN, type Harness } from './server-harness';

let harness: Harness;
let port: number;

beforeAll(async () => {
  harness = await startHarness();
  port = harness.server.port;
});
afterAll(() => harness.server.close());

describe('serve: HTTP', () => {
  it('prints a URL on 127.0.0.1 with the token', () => {
    expect(harness.server.url).toBe(`http://127.0.0.1:${port}/?token=${TOKEN}`);
  });

  it('serves the page with the token, sets the cookie and the CSP', async () => {
    const answer = await httpGet(port, `/?token=${TOKEN}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<title>CNN Studio</title>');
    expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(String(answer.headers['set-cookie'])).toContain(`${cookieName(port)}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`);
  });

  it('serves assets with the cookie', async () => {
    const answer = await httpGet(port, '/assets/app.js', { Cookie: `${cookieName(port)}=${TOKEN}` });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('text/javascript');
  });

  it('refuses a missing or wrong token with 403', async () => {
    expect((await httpGet(port, '/')).status).toBe(403);
    expect((await httpGet(port, '/assets/app.js')).status).toBe(403);
    expect((await httpGet(port, '/?token=wrong')).status).toBe(403);
    expect((await httpGet(port, '/', { Cookie: `${cookieName(port)}=wrong` })).status).toBe(403);
  });

  it('refuses another Origin, another site or another Host with 403, even with the token', async () => {
    expect((await httpGet(port, `/?token=${TOKEN}`, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await httpGet(port, `/?token=${TOKEN}`, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await httpGet(port, `/?token=${TOKEN}`, { Host: `rebound.example:${port}` })).status).toBe(403);
  });

  it('serves nothing outside the renderer folder, and only GET and HEAD', async () => {
    const cookie = { Cookie: `${cookieName(port)}=${TOKEN}` };
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/nothing.js', '/%00'])
      expect((await httpGet(port, path, cookie)).status).toBe(404);
    expect((await httpGet(port, '/', cookie, 'POST')).status).toBe(405);
    expect((await httpGet(port, '/', cookie, 'HEAD')).status).toBe(200);
  });
});

describe('serve: the socket', () => {
  const origin = () => `http://127.0.0.1:${port}`;

  it('refuses a wrong or missing token, a wrong or missing Origin, with 403', async () => {
    await expect(openSocket(port, '?token=wrong', origin())).rejects.toThrow('HTTP 403');
    await expect(openSocket(port, '', origin())).rejects.toThrow('HTTP 403');
    await expect(openSocket(port, `?token=${TOKEN}`, 'http://evil.example')).rejects.toThrow('HTTP 403');
    await expect(openSocket(port, `?token=${TOKEN}`, undefined)).rejects.toThrow('HTTP 403');
  });

  it('accepts the token with its own origin, and answers hello', async () => {
    const client = await RpcClient.connect(port);
    const hello = await client.call<{ apiVersion: number; host: string }>('hello');
    expect(hello).toMatchObject({ apiVersion: 5, host: 'node', application: 'CNN Studio test' });
    client.close();
  });

  it('answers malformed messages with a RequestError and stays open', async () => {
    const client = await RpcClient.connect(port);
    expect(await client.raw('not json')).toMatchObject({ id: -1, error: { name: 'RequestError' } });
    expect(await client.raw('{"id": 7, "method": "hello"}')).toMatchObject({ id: 7, error: { name: 'RequestError' } });
    expect(await client.raw('{"id": 8, "method": "toString", "params": []}')).toMatchObject({
      id: 8,
      error: { name: 'RequestError', message: "there is no method 'toString'" },
    });
    await expect(client.call('openProject', 42)).rejects.toMatchObject({ name: 'RequestError' });
    await expect(client.call('hello', 'extra')).rejects.toMatchObject({ name: 'RequestError' });
    expect(await client.call('hello')).toMatchObject({ host: 'node' });
    client.close();
  });
});
