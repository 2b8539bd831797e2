/**
 * Model code in Monaco: the language id, its Monarch tokens (layer types known to the catalogue
 * are coloured as types, unknown ones not), brackets and comments, and completions of layer
 * types and of the parameters of the layer being written, with their help texts.
 */
import type * as Monaco from 'monaco-editor/editor/editor.api';
import { CATALOGUE } from '../../engine/graph/catalogue';
import { LAYER_TYPES, isLayerType } from '../../engine/graph/layer-types';
import type { ParamSpec } from '../../engine/graph/params';

export const MODEL_CODE_LANGUAGE = 'cnn-model-code';

const tokens: Monaco.languages.IMonarchLanguage = {
  layerTypes: [...LAYER_TYPES],
  tokenizer: {
    root: [
      [/#.*$/, 'comment'],
      [/(network|description)(?=\s*['"])/, 'keyword'],
      [
        /[A-Za-z_][\w-]*(?=\s*\()/,
        { cases: { '@layerTypes': { token: 'type', next: '@arguments' }, '@default': { token: 'invalid', next: '@arguments' } } },
      ],
      [/[A-Za-z_][\w-]*/, 'variable.name'],
      { include: '@values' },
    ],
    arguments: [
      [/#.*$/, 'comment'],
      [/\)/, { token: 'delimiter.parenthesis', next: '@pop' }],
      [/[A-Za-z_][\w-]*(?=\s*=)/, 'attribute.name'],
      [/(true|false|True|False)\b/, 'keyword'],
      [/[A-Za-z_][\w-]*/, 'variable'],
      { include: '@values' },
    ],
    values: [
      [/[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/, 'number'],
      [/'([^'\\]|\\.)*'?/, 'string'],
      [/"([^"\\]|\\.)*"?/, 'string'],
      [/[=,]/, 'delimiter'],
      [/[()[\]]/, '@brackets'],
      [/\s+/, 'white'],
    ],
  },
};

const configuration: Monaco.languages.LanguageConfiguration = {
  comments: { lineComment: '#' },
  brackets: [
    ['(', ')'],
    ['[', ']'],
  ],
  autoClosingPairs: [
    { open: '(', close: ')' },
    { open: '[', close: ']' },
    { open: "'", close: "'", notIn: ['string'] },
    { open: '"', close: '"', notIn: ['string'] },
  ],
  wordPattern: /[A-Za-z_][\w-]*|[+-]?\d+(\.\d+)?/,
};

const describeSpec = (spec: ParamSpec): string => {
  const range = 'min' in spec ? ` (${spec.min} to ${spec.max})` : spec.kind === 'enum' ? ` (${spec.values.join(', ')})` : '';
  return `${spec.label}${range}. ${spec.help}`;
};

/** The layer type whose call the cursor is in, reading back from the cursor on its line. */
const typeAtCursor = (line: string): string | null => {
  const match = /([A-Za-z_][\w-]*)\s*\([^()]*$/.exec(line);
  return match ? match[1] : null;
};

export const registerModelCode = (monaco: typeof Monaco): void => {
  if (monaco.languages.getLanguages().some((language) => language.id === MODEL_CODE_LANGUAGE)) return;
  monaco.languages.register({ id: MODEL_CODE_LANGUAGE });
  monaco.languages.setMonarchTokensProvider(MODEL_CODE_LANGUAGE, tokens);
  monaco.languages.setLanguageConfiguration(MODEL_CODE_LANGUAGE, configuration);
  monaco.languages.registerCompletionItemProvider(MODEL_CODE_LANGUAGE, {
    provideCompletionItems: (model, position) => {
      const word = model.getWordUntilPosition(position);
      const range = {
        startLineNumber: position.lineNumber,
        endLineNumber: position.lineNumber,
        startColumn: word.startColumn,
        endColumn: word.endColumn,
      };
      const before = model.getLineContent(position.lineNumber).slice(0, position.column - 1);
      const type = typeAtCursor(before);
      if (type !== null && isLayerType(type)) {
        const schema: Record<string, ParamSpec> = CATALOGUE[type].params;
        return {
          suggestions: Object.entries(schema).map(([name, spec]) => ({
            label: name,
            kind: monaco.languages.CompletionItemKind.Property,
            insertText: `${name}=`,
            detail: `${type} parameter`,
            documentation: describeSpec(spec),
            range,
          })),
        };
      }
      if (!/=\s*[A-Za-z_]*$/.test(before)) return { suggestions: [] };
      return {
        suggestions: LAYER_TYPES.map((layer) => ({
          label: layer,
          kind: monaco.languages.CompletionItemKind.Class,
          insertText: `${layer}(`,
          detail: CATALOGUE[layer].title,
          documentation: `${CATALOGUE[layer].summary} ${CATALOGUE[layer].help}`,
          range,
        })),
      };
    },
  });
  monaco.languages.registerHoverProvider(MODEL_CODE_LANGUAGE, {
    provideHover: (model, position) => {
      const word = model.getWordAtPosition(position);
      if (!word || !isLayerType(word.word)) return null;
      const layer = CATALOGUE[word.word];
      return { contents: [{ value: `**${layer.title}** (${layer.type})` }, { value: `${layer.summary} ${layer.help}` }] };
    },
  });
};
