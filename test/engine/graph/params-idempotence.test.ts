import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../engine/graph/catalogue';
import { normaliseParam, type ParamSpec } from '../../../engine/graph/params';

/** Every written form a parameter of this kind may take, within the spec's limits. */
const writtenForms = (spec: ParamSpec): unknown[] => {
  switch (spec.kind) {
    case 'int':
      return [undefined, spec.default, spec.min, spec.max];
    case 'float':
      return [undefined, spec.default, ...(spec.minExclusive ? [] : [spec.min]), ...(spec.maxExclusive ? [] : [spec.max])];
    case 'bool':
      return [undefined, true, false];
    case 'enum':
      return [undefined, ...spec.values];
    case 'pair':
      return [undefined, spec.default, spec.min, spec.max, [spec.min, spec.max]];
    case 'padding':
      return [undefined, spec.default, 'valid', 'same', 0, spec.max, [1, 2], [0, 1, 2, 3]];
  }
};

const cases = Object.entries(CATALOGUE).flatMap(([type, definition]) =>
  Object.entries(definition.params as Record<string, ParamSpec>).flatMap(([name, spec]) =>
    writtenForms(spec).map((written) => [type, name, written, spec] as const),
  ),
);

const normalised = (spec: ParamSpec, value: unknown): unknown => {
  const result = normaliseParam(spec, value);
  if (!result.ok) throw new Error(result.problem);
  return result.value;
};

describe('normalising a normalised parameter', () => {
  it('covers every layer type that has parameters', () => {
    const withParams = Object.entries(CATALOGUE).filter(([, definition]) => Object.keys(definition.params).length > 0);
    expect(new Set(cases.map(([type]) => type))).toEqual(new Set(withParams.map(([type]) => type)));
  });

  it.each(cases)('%s.%s written as %j gives the same value again', (_type, _name, written, spec) => {
    const once = normalised(spec, written);
    expect(normaliseParam(spec, once)).toEqual({ ok: true, value: once });
  });
});

describe('padding written in its canonical object form', () => {
  const spec = CATALOGUE.Conv2D.params.padding as ParamSpec;

  it('reads each mode', () => {
    expect(normaliseParam(spec, { mode: 'same' })).toEqual({ ok: true, value: { mode: 'same' } });
    expect(normaliseParam(spec, { mode: 'explicit', top: 1, bottom: 2, left: 0, right: 3 })).toEqual({
      ok: true,
      value: { mode: 'explicit', top: 1, bottom: 2, left: 0, right: 3 },
    });
  });

  it.each([
    [{ mode: 'full' }, 'as an object must have a mode of "valid", "same" or "explicit", not "full"'],
    [{ top: 1 }, 'as an object must have a mode of "valid", "same" or "explicit", not undefined'],
    [{ mode: 'valid', top: 1 }, `with mode "valid" has no 'top'`],
    [{ mode: 'explicit', top: 1, bottom: 1, left: 1, right: 1, centre: 2 }, `with mode "explicit" has no 'centre'`],
    [{ mode: 'explicit', top: 1, bottom: 1, left: 1 }, 'right must be a whole number, not undefined'],
    [{ mode: 'explicit', top: -1, bottom: 1, left: 1, right: 1 }, 'top must be at least 0, not -1'],
  ])('refuses %j saying what is wrong', (value, problem) => {
    expect(normaliseParam(spec, value)).toEqual({ ok: false, problem });
  });
});
