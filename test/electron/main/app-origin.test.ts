// The desktop app's origin rules: which URLs are the app's, which IPC senders are answered,
// where a window may navigate, the CSP, and which links may leave the app.
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  ExternalLinks,
  checkSender,
  isAppUrl,
  mayNavigate,
  withContentSecurityPolicy,
} from '../../../electron/main/app-origin';
import { CONTENT_SECURITY_POLICY as SERVER_CSP } from '../../../electron/host/server/server';

describe('the app origin', () => {
  it.each([APP_ENTRY_URL, 'app://studio/', 'app://studio/assets/index-abc.js', 'app://STUDIO/index.html?open=/tmp/a.cnnproj#x'])(
    'accepts %s',
    (url) => expect(isAppUrl(url)).toBe(true),
  );

  it.each([
    'app://studio.evil.com/index.html',
    'app://evil.com/studio',
    'app://studio@evil.com/',
    'app://user:pass@studio/',
    'app://studio:8080/',
    'https://studio/',
    'file:///work/main/out/renderer/index.html',
    'http://127.0.0.1:5173/',
    'devtools://devtools/bundled/inspector.html',
    'about:blank',
    'app:studio',
    '',
    'not a url',
  ])('refuses %s', (url) => expect(isAppUrl(url)).toBe(false));

  it('refuses values that are not strings', () => {
    expect(isAppUrl(undefined)).toBe(false);
    expect(isAppUrl(null)).toBe(false);
    expect(isAppUrl({ toString: () => APP_ENTRY_URL })).toBe(false);
  });
});

describe('IPC senders', () => {
  it("answers the top frame of the app's page", () => {
    expect(checkSender(APP_ENTRY_URL, true)).toEqual({ ok: true });
  });

  it('refuses a sub-frame, a gone frame and any other page, saying why', () => {
    expect(checkSender(APP_ENTRY_URL, false)).toEqual({ ok: false, reason: expect.stringContaining('sub-frame') });
    expect(checkSender(undefined, true)).toEqual({ ok: false, reason: 'the sending frame is gone' });
    const other = checkSender('https://example.com/', true);
    expect(other.ok).toBe(false);
    expect(!other.ok && other.reason).toContain("https://example.com/ is not the app's page (app://studio)");
  });
});

describe('navigation', () => {
  it('stays within the app', () => {
    expect(mayNavigate('app://studio/index.html')).toBe(true);
    expect(mayNavigate('https://example.com/')).toBe(false);
    expect(mayNavigate('file:///etc/passwd')).toBe(false);
    expect(mayNavigate('javascript:alert(1)')).toBe(false);
  });
});

describe('the Content-Security-Policy', () => {
  it('is the one checked with Monaco and xyflow, and the same as the Node host serves', () => {
    expect(CONTENT_SECURITY_POLICY).toBe("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
    expect(CONTENT_SECURITY_POLICY).toBe(SERVER_CSP);
  });

  it('replaces any policy a response brought, whatever the header’s case, and keeps the other headers', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["default-src *; script-src 'unsafe-eval'"],
      'Content-Type': ['text/html'],
    });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

describe('external links', () => {
  it('opens only https links the app made, compared after parsing', () => {
    const links = new ExternalLinks();
    const made = links.make('https://example.org/docs/guide');
    expect(made).toBe('https://example.org/docs/guide');
    expect(links.mayOpen('https://example.org/docs/guide')).toBe(true);
    expect(links.mayOpen('https://EXAMPLE.org/docs/guide')).toBe(true);
    expect(links.mayOpen('https://example.org/docs/other')).toBe(false);
    expect(links.mayOpen('http://example.org/docs/guide')).toBe(false);
    expect(links.mayOpen('https://example.org@evil.com/docs/guide')).toBe(false);
    expect(links.mayOpen('not a url')).toBe(false);
  });

  it('refuses to make anything but a plain https link', () => {
    const links = new ExternalLinks();
    for (const url of ['http://example.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.org/', 'nonsense'])
      expect(() => links.make(url)).toThrow(/only plain https links/);
  });
});
