/**
 * Keeps a Monaco model of the model code and the editor store in step, both ways:
 *
 * - typing is parsed 300 ms after the last key (and when the editor loses the focus); code that
 *   parses replaces the graph, all of it one undo step while the editor keeps the focus (nothing
 *   happens when it means the graph there already is); code with mistakes leaves
 *   the graph alone and gets markers on the mistakes;
 * - a change of the graph made elsewhere (canvas, inspector, undo) re-prints the code, changing
 *   only the lines that differ and keeping the cursor and the comments (reprintWithComments: the
 *   lines of unchanged layers stay as written, a re-printed layer keeps the comments above it and
 *   on its line); a change that the code does not show (moving a layer) leaves the text alone;
 *   and while a parse is pending the text being typed is never replaced, unless another document
 *   was loaded (another project): then the text typed for the one before is dropped, never
 *   parsed into the new one, and Monaco's undo starts afresh;
 * - the layers selected on the canvas have their lines highlighted.
 */
import type { GraphDocument } from '../../engine/graph/document';
import { reprintWithComments } from '../../engine/graph/model-code/comments';
import { parseModelCode } from '../../engine/graph/model-code/parse';
import { printModelCode } from '../../engine/graph/model-code/print';
import type { EditorStore } from '../editor/editor-store';
import { codeProblems, graphProblems, type ListedProblem } from './code-problems';
import { monaco, EDITOR_OPTIONS } from './monaco';
import { MODEL_CODE_LANGUAGE } from './model-code-language';

export const PARSE_DELAY_MS = 300;

/** The lines of `next` that differ from `previous`, as one replacement (shared first and last lines are kept). */
const changedLines = (previous: string, next: string) => {
  const a = previous.split('\n');
  const b = next.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return { startLine: start + 1, endLine: a.length - end, text: b.slice(start, b.length - end) };
};

export class ModelCodeBinding {
  readonly view: monaco.editor.IStandaloneCodeEditor;
  private readonly model: monaco.editor.ITextModel;
  private readonly unsubscribe: () => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The graph last seen, and its code: a new graph with the same code changed nothing the text shows. */
  private shown: GraphDocument;
  private shownCode: string;
  private lines: ReadonlyMap<string, number> = new Map();
  private syntax: ListedProblem[] = [];
  private parses = false;
  private applying = false;
  private committing = false;
  /** The lines of the layers selected on the canvas, highlighted. */
  private readonly selection: monaco.editor.IEditorDecorationsCollection;
  private selected: readonly string[] = [];
  /** The store's count of documents loaded when the text was last set from it (see EditorState.loads). */
  private loads: number;

  constructor(
    host: HTMLElement,
    private readonly store: EditorStore,
    private readonly onProblems: (problems: readonly ListedProblem[]) => void,
  ) {
    this.shown = store.graph;
    this.shownCode = printModelCode(this.shown);
    this.loads = store.getState().loads;
    this.model = monaco.editor.createModel(this.shownCode, MODEL_CODE_LANGUAGE);
    this.view = monaco.editor.create(host, { ...EDITOR_OPTIONS, model: this.model, ariaLabel: 'Model code' });
    this.model.onDidChangeContent(() => {
      if (this.applying) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.parse(), PARSE_DELAY_MS);
    });
    // Typing is one undo step of the graph for as long as the editor has the focus.
    this.view.onDidBlurEditorText(() => {
      if (this.timer !== undefined) this.parse();
      store.endMerge();
    });
    // Ctrl+S saves the graph: read what was just typed first.
    this.view.onKeyDown((event) => {
      if ((event.ctrlKey || event.metaKey) && event.keyCode === monaco.KeyCode.KeyS && this.timer !== undefined) this.parse();
    });
    this.selection = this.view.createDecorationsCollection();
    this.unsubscribe = store.subscribe(() => {
      this.graphChanged();
      this.showSelection();
    });
    this.parse();
  }

  /** Parses the text now; commits it to the store when it parses and differs from the graph. */
  parse(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const parsed = parseModelCode(this.model.getValue(), this.store.graph);
    this.lines = parsed.lines;
    this.syntax = codeProblems(parsed.problems);
    this.parses = parsed.document !== null;
    if (parsed.document && printModelCode(parsed.document) !== printModelCode(this.store.graph)) {
      this.committing = true;
      try {
        this.store.replaceGraph(parsed.document);
      } finally {
        this.committing = false;
      }
    }
    this.shown = this.store.graph;
    this.shownCode = printModelCode(this.shown);
    this.showProblems();
    this.selected = [];
    this.showSelection();
  }

  private graphChanged(): void {
    const { graph, loads } = this.store.getState();
    if (loads !== this.loads) return this.startOver();
    if (this.committing || graph === this.shown) return;
    if (this.timer !== undefined) return; // a parse is pending: the text being typed wins
    const code = printModelCode(graph);
    // The graph the text shows, when it parsed: the layers that print the same keep their lines as written.
    const previous = this.parses ? this.shown : null;
    this.shown = graph;
    if (code === this.shownCode) {
      this.showProblems();
      return;
    }
    this.shownCode = code;
    this.setText(reprintWithComments(this.model.getValue(), graph, previous));
    this.parse();
  }

  /** Another document was loaded: show its code afresh, dropping what was typed for the one before. */
  private startOver(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.loads = this.store.getState().loads;
    this.shown = this.store.graph;
    this.shownCode = printModelCode(this.shown);
    this.applying = true;
    try {
      this.model.setValue(this.shownCode);
    } finally {
      this.applying = false;
    }
    this.parse();
  }

  private setText(code: string): void {
    const { startLine, endLine, text } = changedLines(this.model.getValue(), code);
    const edit =
      text.length === 0 // lines removed: up to the start of the line after them
        ? { range: new monaco.Range(startLine, 1, endLine + 1, 1), text: '' }
        : endLine < startLine // lines inserted before startLine
          ? { range: new monaco.Range(startLine, 1, startLine, 1), text: `${text.join('\n')}\n` }
          : { range: new monaco.Range(startLine, 1, endLine, this.model.getLineMaxColumn(endLine)), text: text.join('\n') };
    const state = this.view.saveViewState();
    this.applying = true;
    try {
      this.model.pushEditOperations([], [edit], () => null);
    } finally {
      this.applying = false;
    }
    if (state) this.view.restoreViewState(state);
  }

  private showProblems(): void {
    const graph = this.parses ? graphProblems(this.store.getState().report, this.lines) : [];
    const all = [...this.syntax, ...graph].sort((a, b) => a.line - b.line || a.column - b.column);
    const markers = (problems: ListedProblem[]): monaco.editor.IMarkerData[] =>
      problems.map((problem) => ({
        severity: problem.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
        startLineNumber: problem.line,
        startColumn: problem.column,
        endLineNumber: problem.endLine,
        endColumn: problem.endColumn || this.model.getLineMaxColumn(Math.min(problem.endLine, this.model.getLineCount())),
        message: problem.message,
        source: problem.syntax ? 'model code' : 'graph',
      }));
    monaco.editor.setModelMarkers(this.model, 'model-code', markers(this.syntax));
    monaco.editor.setModelMarkers(this.model, 'graph-analysis', markers(graph));
    this.onProblems(all);
  }

  /** Highlights the lines of the selected layers; one newly selected on the canvas is scrolled into view. */
  private showSelection(): void {
    const { selectedNodes } = this.store.getState();
    if (selectedNodes === this.selected) return;
    this.selected = selectedNodes;
    const lines = selectedNodes.flatMap((id) => (this.lines.has(id) ? [this.lines.get(id)!] : []));
    this.selection.set(
      lines.map((line) => ({
        range: new monaco.Range(line, 1, line, 1),
        options: { isWholeLine: true, className: 'code-selected-layer', linesDecorationsClassName: 'code-selected-layer-margin' },
      })),
    );
    if (lines.length === 1 && !this.view.hasTextFocus()) this.view.revealLineInCenterIfOutsideViewport(lines[0]);
  }

  /** Shows a line, for a click in the problem list. */
  reveal(line: number, column: number): void {
    this.view.revealLineInCenterIfOutsideViewport(line);
    this.view.setPosition({ lineNumber: line, column });
    this.view.focus();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe();
    this.view.dispose();
    this.model.dispose();
  }
}
