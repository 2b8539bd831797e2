// Lint rules, and the import boundaries between the folders (see docs/ARCHITECTURE.md):
// engine/ is pure TypeScript that runs anywhere; electron/services and the worker never import
// electron; the renderer reaches the host only through the StudioApi contract.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'http', 'net', 'crypto', 'url', 'util', 'stream'];

// The electron package itself (not our electron/ folder, which is imported by relative paths).
const ELECTRON = '^electron(/.*)?$';

const forbid = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', '.tmp/', '.devbench/', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: forbid([
      { group: ['**/electron/**', '**/renderer/**'], message: 'engine/ imports nothing from electron/ or renderer/.' },
      { regex: ELECTRON, message: 'engine/ imports nothing from electron.' },
      {
        group: NODE_BUILTINS,
        message: 'engine/ runs in Node, workers and browsers alike: keep Node-only code behind an interface in electron/.',
      },
    ]),
  },
  {
    files: ['electron/services/**/*.ts', 'electron/worker/**/*.ts', 'electron/host/**/*.ts'],
    rules: forbid([
      {
        regex: ELECTRON,
        message: 'services, workers and the Node host never import electron; only electron/main and electron/preload do.',
      },
      { group: ['**/renderer/**'], message: 'the host side does not import renderer code.' },
    ]),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: forbid([
      { regex: ELECTRON, message: 'the renderer is sandboxed: it never imports electron.' },
      {
        group: ['**/electron/services/**', '**/electron/worker/**', '**/electron/main/**', '**/electron/host/**', '**/electron/preload/**'],
        message: 'the renderer talks to the host only through the StudioApi contract (electron/api.ts).',
      },
      { group: NODE_BUILTINS, message: 'the renderer is sandboxed: no Node modules.' },
    ]),
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
