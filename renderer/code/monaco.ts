/**
 * Monaco, bundled (no CDN): the core editor with its contributions (hover, find, folding, …), the
 * Python colouring for the PyTorch view and our model-code language. Its worker is a file of our
 * own origin, created through MonacoEnvironment (without one Monaco falls back to a blob: worker,
 * which the page's CSP forbids). Loaded only with the code panel (a lazy chunk).
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/python/register';
import { registerModelCode } from './model-code-language';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };
registerModelCode(monaco);

export { monaco };

/** Monaco's theme follows the page's (<html data-theme>, set by app/theme.ts). */
const pageTheme = (): 'vs' | 'vs-dark' => (document.documentElement.dataset.theme === 'light' ? 'vs' : 'vs-dark');
new MutationObserver(() => monaco.editor.setTheme(pageTheme())).observe(document.documentElement, {
  attributes: true,
  attributeFilter: ['data-theme'],
});

/** Options every view shares. `editContext: false`: keys go through a textarea, whose typing React Flow leaves alone. */
export const EDITOR_OPTIONS: monaco.editor.IStandaloneEditorConstructionOptions = {
  theme: pageTheme(),
  automaticLayout: true,
  editContext: false,
  minimap: { enabled: false },
  fontSize: 13,
  scrollBeyondLastLine: false,
  tabSize: 4,
  renderWhitespace: 'none',
  fixedOverflowWidgets: true,
  // Shapes are written 6×28×28 and 1×28×28 → 6×28×28: not characters to warn about.
  unicodeHighlight: { ambiguousCharacters: false },
};
