/**
 * Parameter values as text in the inspector, and back: `5` or `3, 5` for a pair, `same`,
 * `valid`, `1` or `1, 2` for padding. Blank text means "the default". Pure, so it is tested
 * without a browser.
 */
import { compactParam, normaliseParam, type ParamSpec } from '../../engine/graph/params';

/** The text that shows a value as written in the node (or the default when it is absent). */
export const paramText = (spec: ParamSpec, raw: unknown): string => {
  const normalised = normaliseParam(spec, raw);
  const value = normalised.ok ? compactParam(spec, normalised.value) : raw;
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
};

export type ParsedText = { ok: true; value: unknown } | { ok: false; problem: string };

const numbers = (text: string): number[] | null => {
  const parts = text.split(/\s*[,×x\s]\s*/i).filter(Boolean);
  const values = parts.map(Number);
  return values.length && values.every(Number.isFinite) ? values : null;
};

/** The value to store for some text; `undefined` (the default) for blank text. */
export const parseParamText = (spec: ParamSpec, input: string): ParsedText => {
  const text = input.trim();
  if (text === '') return { ok: true, value: undefined };
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const value = Number(text);
      return Number.isFinite(value) ? { ok: true, value } : { ok: false, problem: 'enter a number' };
    }
    case 'pair': {
      const values = numbers(text);
      if (!values || values.length > 2) return { ok: false, problem: 'enter a number, or height, width' };
      return { ok: true, value: values.length === 1 ? values[0] : values };
    }
    case 'padding': {
      if (text === 'same' || text === 'valid') return { ok: true, value: text };
      const values = numbers(text);
      if (!values || ![1, 2, 4].includes(values.length))
        return { ok: false, problem: 'enter same, valid, a number, "vertical, horizontal" or "top, bottom, left, right"' };
      return { ok: true, value: values.length === 1 ? values[0] : values };
    }
    case 'bool':
      return text === 'true' || text === 'false' ? { ok: true, value: text === 'true' } : { ok: false, problem: 'true or false' };
    case 'enum':
      return spec.values.includes(text) ? { ok: true, value: text } : { ok: false, problem: `one of ${spec.values.join(', ')}` };
  }
};

/** The engine's complaint about a value (range, form), or null when it is acceptable. */
export const valueProblem = (spec: ParamSpec, value: unknown): string | null => {
  const result = normaliseParam(spec, value);
  return result.ok ? null : result.problem;
};
