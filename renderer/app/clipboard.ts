/**
 * Copy, cut and paste of layers through the system clipboard, so that layers copied in one
 * project (or window) paste into another. The keys work through the browser's clipboard events,
 * which need no permission; menu commands use the asynchronous Clipboard API where it is
 * allowed. Either way the last copy is also kept in memory, and a paste falls back to it when
 * the system clipboard cannot be read or is empty.
 */
import type { Position } from '../editor/graph-edits';
import { fragmentText, looksLikeFragment, parseFragment, type Fragment } from '../editor/fragment';
import { showError, showInfo } from './actions';
import { overlays } from './overlays';
import { app, editor } from './state';

let memory: string | null = null;

/** Whether an event comes from somewhere that has its own copy and paste (a text field, the code view). */
export const isTextField = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);

const forGraph = (event: Event): boolean =>
  app.getState().screen === 'editor' && !overlays.getState().helpOpen && !isTextField(event.target) && !hasTextSelection();

/** Text selected on the page (a notice, the inspector's help) keeps its ordinary copy. */
const hasTextSelection = (): boolean => {
  const selection = document.getSelection();
  return selection !== null && !selection.isCollapsed && selection.toString().trim() !== '';
};

const put = (fragment: Fragment, event?: ClipboardEvent): void => {
  const text = fragmentText(fragment);
  memory = text;
  if (event?.clipboardData) {
    event.clipboardData.setData('text/plain', text);
    event.preventDefault();
  } else {
    // Without an event (a menu command) the Clipboard API may be refused; the memory still has it.
    void navigator.clipboard?.writeText(text).catch(() => undefined);
  }
};

/** Pastes clipboard text when it holds layers; says why when it holds something else. */
const pasteText = (text: string | null | undefined, at?: Position): void => {
  const source = text?.trim() ? text : memory;
  if (!source) return showInfo('Nothing to paste: copy some layers first.');
  if (!looksLikeFragment(source) && source !== memory)
    return showInfo('Nothing to paste: the clipboard holds other text, not CNN Studio layers.');
  const read = parseFragment(source);
  if (!read.ok) return showError(`Cannot paste: ${read.reason}.`);
  const ids = editor.paste(read.fragment, at);
  if (ids.length) showInfo(`Pasted ${ids.length} layer${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}`);
};

export const copyLayers = (event?: ClipboardEvent): boolean => {
  const fragment = editor.copySelection();
  if (fragment) put(fragment, event);
  return fragment !== null;
};

export const cutLayers = (event?: ClipboardEvent): boolean => {
  const fragment = editor.cutSelection();
  if (fragment) put(fragment, event);
  return fragment !== null;
};

/** Pastes from a clipboard event, or (a menu command) from the Clipboard API, with the top-left layer `at` a canvas point if given. */
export const pasteLayers = async (event?: ClipboardEvent, at?: Position): Promise<void> => {
  if (event) {
    event.preventDefault();
    return pasteText(event.clipboardData?.getData('text/plain'));
  }
  let text: string | null = null;
  try {
    text = (await navigator.clipboard?.readText()) ?? null;
  } catch {
    // Not allowed (no permission, or the window lacks focus): the in-memory copy.
  }
  pasteText(text, at);
};

/**
 * Chromium runs the copy and paste keys only when something could be copied or pasted: a
 * text selection, or a page that cancels `beforecopy` / `beforepaste`. Cancelling them on the
 * canvas makes Ctrl+C and Ctrl+V send their clipboard events there too.
 */
const allow = (event: Event) => {
  if (forGraph(event)) event.preventDefault();
};

const onCopy = (event: ClipboardEvent) => {
  if (forGraph(event)) copyLayers(event);
};
const onCut = (event: ClipboardEvent) => {
  if (forGraph(event)) cutLayers(event);
};
const onPaste = (event: ClipboardEvent) => {
  if (forGraph(event)) void pasteLayers(event);
};

/** Listens for the clipboard events; returns the function that stops listening. */
export const listenToClipboard = (target: Document): (() => void) => {
  const listeners: [string, (event: never) => void][] = [
    ['beforecopy', allow],
    ['beforecut', allow],
    ['beforepaste', allow],
    ['copy', onCopy],
    ['cut', onCut],
    ['paste', onPaste],
  ];
  for (const [name, listener] of listeners) target.addEventListener(name, listener as EventListener);
  return () => {
    for (const [name, listener] of listeners) target.removeEventListener(name, listener as EventListener);
  };
};
