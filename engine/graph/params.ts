/**
 * Parameter schemas: every layer describes its parameters once, with defaults, valid ranges and
 * a help text. The same schema drives validation here, the inspector in the IDE, and the docs.
 *
 * In a graph file a parameter may be written in a short form (a kernel of `3` means 3×3, a
 * padding of `1` means one pixel on every side); `normaliseParams` turns every form into one
 * canonical value, or reports exactly what is wrong with it. A canonical value is itself a valid
 * written one: normalising twice gives the same result.
 */

/** [height, width]. */
export type Pair = readonly [number, number];

/** Resolved padding: `same` is worked out per layer from its input size, kernel and stride. */
export type Padding =
  | { readonly mode: 'valid' }
  | { readonly mode: 'same' }
  | { readonly mode: 'explicit'; readonly top: number; readonly bottom: number; readonly left: number; readonly right: number };

interface SpecBase<T> {
  readonly label: string;
  readonly help: string;
  readonly default: T;
}

export interface IntSpec extends SpecBase<number> {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
}
export interface FloatSpec extends SpecBase<number> {
  readonly kind: 'float';
  readonly min: number;
  readonly max: number;
  /** True when `max` itself is not allowed (a dropout rate of 1 drops everything). */
  readonly maxExclusive?: boolean;
  /** True when `min` itself is not allowed (an epsilon of 0 divides by zero). */
  readonly minExclusive?: boolean;
}
export interface BoolSpec extends SpecBase<boolean> {
  readonly kind: 'bool';
}
export interface EnumSpec<T extends string = string> extends SpecBase<T> {
  readonly kind: 'enum';
  readonly values: readonly T[];
}
export interface PairSpec extends SpecBase<Pair> {
  readonly kind: 'pair';
  readonly min: number;
  readonly max: number;
}
export interface PaddingSpec extends SpecBase<Padding> {
  readonly kind: 'padding';
  /** Largest explicit padding on one side. */
  readonly max: number;
}

export type ParamSpec = IntSpec | FloatSpec | BoolSpec | EnumSpec | PairSpec | PaddingSpec;

// Wrapped in tuples so that a union such as 'mse' | 'bce' maps to one EnumSpec, not a union of them.
type SpecFor<T> = [T] extends [Pair]
  ? PairSpec
  : [T] extends [Padding]
    ? PaddingSpec
    : [T] extends [boolean]
      ? BoolSpec
      : [T] extends [number]
        ? IntSpec | FloatSpec
        : [T] extends [string]
          ? EnumSpec<T>
          : never;

/** A schema whose keys and value kinds are checked against the layer's params interface. */
export type ParamSchema<P> = { readonly [K in keyof P]: SpecFor<P[K]> };

/** Limits that keep a graph within what a desktop machine can hold. */
export const LIMITS = {
  channels: 65_536,
  spatial: 16_384,
  kernel: 255,
  stride: 64,
  dilation: 64,
  padding: 255,
  units: 1_048_576,
  scale: 64,
} as const;

export type ParamResult = { ok: true; value: unknown } | { ok: false; problem: string };

const describe = (value: unknown): string => {
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value === 'object' ? 'an object' : typeof value;
};

const checkInt = (value: unknown, min: number, max: number): string | null => {
  if (typeof value !== 'number') return `must be a whole number, not ${describe(value)}`;
  if (!Number.isFinite(value)) return `must be a finite whole number, not ${describe(value)}`;
  if (!Number.isInteger(value)) return `must be a whole number, not ${value}`;
  if (value < min) return `must be at least ${min}, not ${value}`;
  if (value > max) return `must be at most ${max}, not ${value}`;
  return null;
};

const normaliseInt = (spec: IntSpec, value: unknown): ParamResult => {
  const problem = checkInt(value, spec.min, spec.max);
  return problem ? { ok: false, problem } : { ok: true, value };
};

const normaliseFloat = (spec: FloatSpec, value: unknown): ParamResult => {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { ok: false, problem: `must be a finite number, not ${describe(value)}` };
  }
  const belowMin = spec.minExclusive ? value <= spec.min : value < spec.min;
  const aboveMax = spec.maxExclusive ? value >= spec.max : value > spec.max;
  if (belowMin) return { ok: false, problem: `must be ${spec.minExclusive ? 'greater than' : 'at least'} ${spec.min}, not ${value}` };
  if (aboveMax) return { ok: false, problem: `must be ${spec.maxExclusive ? 'less than' : 'at most'} ${spec.max}, not ${value}` };
  return { ok: true, value };
};

const normalisePair = (spec: PairSpec, value: unknown): ParamResult => {
  const parts = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(parts) || parts.length !== 2) {
    return { ok: false, problem: `must be a whole number or a [height, width] pair, not ${describe(value)}` };
  }
  for (const [axis, part] of parts.entries()) {
    const problem = checkInt(part, spec.min, spec.max);
    if (problem) return { ok: false, problem: `${axis === 0 ? 'height' : 'width'} ${problem}` };
  }
  return { ok: true, value: [parts[0], parts[1]] as Pair };
};

const PADDING_SIDES = ['top', 'bottom', 'left', 'right'] as const;

/**
 * The canonical object form (`{ mode: 'explicit', top, … }`), so that a normalised padding is
 * also a valid written one: its four sides by name, or the whole result when it needs no sides.
 */
const objectPadding = (value: object): ParamResult | Partial<Record<(typeof PADDING_SIDES)[number], unknown>> => {
  const { mode, ...rest } = value as Record<string, unknown>;
  if (mode !== 'valid' && mode !== 'same' && mode !== 'explicit')
    return { ok: false, problem: `as an object must have a mode of "valid", "same" or "explicit", not ${describe(mode)}` };
  const allowed: readonly string[] = mode === 'explicit' ? PADDING_SIDES : [];
  const extra = Object.keys(rest).filter((key) => !allowed.includes(key));
  if (extra.length > 0) return { ok: false, problem: `with mode "${mode}" has no ${extra.map((key) => `'${key}'`).join(', ')}` };
  return mode === 'explicit' ? rest : { ok: true, value: { mode } };
};

const normalisePadding = (spec: PaddingSpec, value: unknown): ParamResult => {
  if (value === 'valid' || value === 'same') return { ok: true, value: { mode: value } };
  const usage = `must be "valid", "same", a whole number, [vertical, horizontal] or [top, bottom, left, right]`;
  let sides: unknown[];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const written = objectPadding(value);
    if ('ok' in written) return written;
    for (const side of PADDING_SIDES) {
      const problem = checkInt(written[side], 0, spec.max);
      if (problem) return { ok: false, problem: `${side} ${problem}` };
    }
    sides = PADDING_SIDES.map((side) => written[side]);
  } else if (typeof value === 'number') sides = [value, value, value, value];
  else if (Array.isArray(value) && value.length === 2) sides = [value[0], value[0], value[1], value[1]];
  else if (Array.isArray(value) && value.length === 4) sides = value;
  else return { ok: false, problem: `${usage}, not ${describe(value)}` };
  for (const side of sides) {
    const problem = checkInt(side, 0, spec.max);
    if (problem) return { ok: false, problem: `each side ${problem}` };
  }
  const [top, bottom, left, right] = sides as number[];
  return { ok: true, value: { mode: 'explicit', top, bottom, left, right } };
};

/** Checks one value against its spec; `undefined` takes the default. */
export const normaliseParam = (spec: ParamSpec, value: unknown): ParamResult => {
  if (value === undefined) return { ok: true, value: spec.default };
  switch (spec.kind) {
    case 'int':
      return normaliseInt(spec, value);
    case 'float':
      return normaliseFloat(spec, value);
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, problem: `must be true or false, not ${describe(value)}` };
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? { ok: true, value }
        : { ok: false, problem: `must be one of ${spec.values.map((v) => `"${v}"`).join(', ')}, not ${describe(value)}` };
    case 'pair':
      return normalisePair(spec, value);
    case 'padding':
      return normalisePadding(spec, value);
  }
};

/** Turns canonical values back into the shortest form a person would write in a file. */
export const compactParam = (spec: ParamSpec, value: unknown): unknown => {
  if (spec.kind === 'pair') {
    const [h, w] = value as Pair;
    return h === w ? h : [h, w];
  }
  if (spec.kind === 'padding') {
    const padding = value as Padding;
    if (padding.mode !== 'explicit') return padding.mode;
    const { top, bottom, left, right } = padding;
    if (top === bottom && left === right) return top === left ? top : [top, left];
    return [top, bottom, left, right];
  }
  return value;
};
