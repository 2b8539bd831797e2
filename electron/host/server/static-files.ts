/** The built renderer's files, served read-only from one folder; nothing outside it is reachable. */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Hashed asset names never change; index.html does on every build. */
  readonly immutable: boolean;
}

/**
 * The file for a URL path, or null when there is none (or the path tries to leave the folder).
 * `/` is index.html.
 */
export const readStaticFile = async (root: string, urlPath: string): Promise<StaticFile | null> => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const path = normalize(join(root, relative));
  if (!path.startsWith(normalize(root) + sep)) return null;
  try {
    const info = await stat(path);
    if (!info.isFile()) return null;
    const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    return { body: await readFile(path), contentType: type, immutable: relative.startsWith('assets/') };
  } catch {
    return null;
  }
};
