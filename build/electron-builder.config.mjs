// electron-builder 26 configuration: `npm run dist` (electron-builder --config build/electron-builder.config.mjs).
// What goes into app.asar: the bundles in out/ (build/build-electron.mjs) and the `dependencies`
// of package.json. The renderer's libraries (React, xyflow, uPlot) are devDependencies, bundled
// into out/renderer, so none of them is packaged; test/build/… checks both. Sources:
// electron.build (configuration, file associations, linux, nsis) and app-builder-lib's scheme.json.

// Only this platform's prebuilt binaries of packaged dependencies (electron-builder expands the
// macros per build): the `webgpu` package ships dist/{linux-x64,linux-arm64,win32-x64,
// win32-arm64,darwin-universal}/dawn.node (132 MB in all), onnxruntime-node
// bin/napi-v6/<platform>/<arch>/ (a devDependency today, filtered in case it becomes one).
// Top-level patterns only: a platform's own `files` list would replace these.
const NATIVE_BINARIES_OF_OTHER_PLATFORMS = [
  '!node_modules/webgpu/dist/!(${platform}-${arch}|${platform}-universal){,/**}',
  '!node_modules/onnxruntime-node/bin/napi-v*/!(${platform}){,/**}',
  '!node_modules/onnxruntime-node/bin/napi-v*/${platform}/!(${arch}){,/**}',
];

// The project's web address: the deb target needs one (fpm's --url) and there is none yet. CI
// gives the repository's own (`${github.server_url}/${github.repository}`); without one the deb is
// left out (build/dist.mjs says so) rather than given an address that is not the project's.
const HOMEPAGE = process.env.CNN_STUDIO_HOMEPAGE || undefined;

/** @type {import('app-builder-lib').Configuration} */
const config = {
  appId: 'org.cnnstudio.app',
  productName: 'CNN Studio',
  copyright: 'Copyright © CNN Studio contributors',
  // package.json has no `main` (the repository is a Node project first); the packaged one gets it.
  extraMetadata: {
    main: 'out/main/index.mjs',
    author: { name: 'CNN Studio contributors' },
    ...(HOMEPAGE ? { homepage: HOMEPAGE } : {}),
  },
  directories: { output: 'dist', buildResources: 'build' },
  files: [
    'out/main/**',
    'out/preload/**',
    'out/renderer/**',
    '!**/*.map',
    // tsx (and its esbuild) run the TypeScript sources for the CLI and the Node host; the desktop
    // app runs bundles only.
    '!node_modules/{tsx,esbuild,@esbuild,get-tsconfig,resolve-pkg-maps}{,/**}',
    ...NATIVE_BINARIES_OF_OTHER_PLATFORMS,
  ],
  asar: true,
  // Native addons cannot be loaded from inside an archive.
  asarUnpack: ['**/*.node'],
  // Every native addon we ship is a Node-API one with prebuilt binaries (ABI-stable across Node
  // and Electron); @electron/rebuild 4 would also need Node >= 22.12.
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  fileAssociations: [
    {
      ext: 'cnnproj',
      name: 'CNN Studio project',
      description: 'A CNN Studio project: a network, its dataset and training settings, runs and weights',
      mimeType: 'application/x-cnn-studio-project',
      role: 'Editor',
      // build/cnnproj.icns (macOS) and build/cnnproj.ico (Windows), drawn by build/make-icon.mjs;
      // Linux takes the app's icon for the MIME type.
      icon: 'cnnproj',
    },
  ],
  electronFuses: {
    runAsNode: false,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    // Playwright's _electron drives development builds (out/main), which keep the inspector.
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  win: {
    target: [{ target: 'nsis', arch: ['x64', 'arm64'] }],
  },
  // File associations on Windows work only with a per-machine installation (electron.build).
  nsis: { oneClick: false, perMachine: true, allowToChangeInstallationDirectory: true },
  mac: {
    // One universal DMG (Apple silicon and Intel). @electron/universal merges the two builds and
    // refuses a Mach-O file that is the same in both unless listed here: the `webgpu` package's
    // darwin-universal/dawn.node is already universal.
    target: [{ target: 'dmg', arch: ['universal'] }],
    x64ArchFiles: '**/node_modules/webgpu/dist/darwin-universal/**',
    category: 'public.app-category.developer-tools',
    hardenedRuntime: true,
    entitlements: 'build/entitlements.mac.plist',
    entitlementsInherit: 'build/entitlements.mac.plist',
  },
  linux: {
    target: [{ target: 'AppImage', arch: ['x64'] }, ...(HOMEPAGE ? [{ target: 'deb', arch: ['x64'] }] : [])],
    category: 'Development',
    // Given, so that electron-builder does not ask for the author's e-mail address (the project has
    // none to publish); dpkg accepts a Maintainer without one.
    maintainer: 'CNN Studio contributors',
    synopsis: 'Build, train and look inside convolutional networks',
  },
  publish: null,
};

export default config;
