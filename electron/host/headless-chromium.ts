/**
 * Debian's Chromium, driven headless by playwright-core: the browser tests (test/e2e) and the
 * editor benchmark share its path and the switches that keep a fresh profile quiet and offline.
 */
export const CHROMIUM = '/usr/bin/chromium';

export const HEADLESS_SWITCHES: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
