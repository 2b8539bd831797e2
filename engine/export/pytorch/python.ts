/**
 * Writing Python source from TypeScript: literals, identifiers and names that are safe to use.
 *
 * Graph ids may hold '-' and may be Python keywords or names nn.Module already uses (`forward`,
 * `training`, `eval`), none of which can be a plain attribute. Such a layer is registered under
 * its exact id all the same, so state_dict names never change; only how the code reaches it does.
 */

const KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

/**
 * Public names of nn.Module (PyTorch 1.13 and 2.x): a layer attribute called one of these would
 * shadow it, or be refused by `add_module`.
 */
const MODULE_ATTRIBUTES = new Set([
  'T_destination',
  'add_module',
  'apply',
  'bfloat16',
  'buffers',
  'call_super_init',
  'children',
  'compile',
  'cpu',
  'cuda',
  'double',
  'dump_patches',
  'eval',
  'extra_repr',
  'float',
  'forward',
  'get_buffer',
  'get_extra_state',
  'get_parameter',
  'get_submodule',
  'half',
  'ipu',
  'load_state_dict',
  'modules',
  'mtia',
  'named_buffers',
  'named_children',
  'named_modules',
  'named_parameters',
  'parameters',
  'register_backward_hook',
  'register_buffer',
  'register_forward_hook',
  'register_forward_pre_hook',
  'register_full_backward_hook',
  'register_full_backward_pre_hook',
  'register_load_state_dict_post_hook',
  'register_load_state_dict_pre_hook',
  'register_module',
  'register_parameter',
  'register_state_dict_post_hook',
  'register_state_dict_pre_hook',
  'requires_grad_',
  'set_extra_state',
  'set_submodule',
  'share_memory',
  'state_dict',
  'to',
  'to_empty',
  'train',
  'training',
  'type',
  'xpu',
  'zero_grad',
]);

/** Built-in functions and types: a variable of that name would hide it (forward itself calls float()). */
const BUILTINS = new Set([
  'abs',
  'all',
  'any',
  'bool',
  'dict',
  'dir',
  'filter',
  'float',
  'format',
  'getattr',
  'hash',
  'id',
  'input',
  'int',
  'isinstance',
  'iter',
  'len',
  'list',
  'map',
  'max',
  'min',
  'next',
  'object',
  'open',
  'print',
  'range',
  'round',
  'set',
  'setattr',
  'slice',
  'sorted',
  'str',
  'sum',
  'super',
  'tuple',
  'type',
  'vars',
  'zip',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const isPythonKeyword = (name: string): boolean => KEYWORDS.has(name);

/** True when `self.<id> = module` works and reads as the id: a plain identifier nn.Module does not use. */
export const isPlainAttribute = (id: string): boolean =>
  IDENTIFIER.test(id) && !id.startsWith('_') && !KEYWORDS.has(id) && !MODULE_ATTRIBUTES.has(id);

/**
 * True when `self.add_module(id, module)` accepts the id: nn.Module refuses names it already has as
 * attributes, and the private ones differ between versions, so every '_' name counts as taken.
 */
export const canAddModule = (id: string): boolean => !id.startsWith('_') && !MODULE_ATTRIBUTES.has(id) && !id.includes('.');

/** A Python string literal in single quotes. */
export const pyString = (text: string): string => {
  let out = "'";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === "'") out += "\\'";
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}'`;
};

/** Text inside a docstring: backslashes doubled, so nothing is an escape, and no closing quotes. */
export const docText = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');

/** A number as Python writes it: integers without a point, others with enough digits to round-trip. */
export const pyNumber = (value: number): string => {
  if (Number.isNaN(value)) return "float('nan')";
  if (!Number.isFinite(value)) return value > 0 ? "float('inf')" : "float('-inf')";
  return String(value);
};

/** A Python float literal (`0.0`, `1e-05`, `0.5`). */
export const pyFloat = (value: number): string => {
  const text = pyNumber(value);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
};

/**
 * A JSON-like value as a Python literal (dicts, lists, strings, numbers, booleans, None); nested
 * values are broken over lines once the one-line form passes `width` columns.
 */
export const pyLiteral = (value: unknown, indent = 0, width = 100): string => {
  const flat = pyFlat(value);
  if (flat.length + indent <= width || value === null || typeof value !== 'object') return flat;
  const pad = ' '.repeat(indent + 4);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) return `[\n${value.map((item) => `${pad}${pyLiteral(item, indent + 4, width)},\n`).join('')}${close}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  return `{\n${entries.map(([key, item]) => `${pad}${pyString(key)}: ${pyLiteral(item, indent + 4, width)},\n`).join('')}${close}}`;
};

const pyFlat = (value: unknown): string => {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) return `[${value.map(pyFlat).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${pyString(key)}: ${pyFlat(item)}`).join(', ')}}`;
  }
  return pyString(String(value));
};

/** A tuple literal: `(1, 2)`, `(3,)`. */
export const pyTuple = (values: readonly (number | string)[]): string =>
  `(${values.map((v) => (typeof v === 'number' ? pyNumber(v) : v)).join(', ')}${values.length === 1 ? ',' : ''})`;

/** A kernel, stride or dilation: one number when both axes agree, else a tuple. */
export const pyPair = ([h, w]: readonly [number, number] | readonly number[]): string => (h === w ? String(h) : `(${h}, ${w})`);

/** A class name from a project name: "LeNet-5" → "LeNet5", "small u-net (segmentation)" → "SmallUNetSegmentation". */
export const className = (name: string | undefined, taken: ReadonlySet<string>): string => {
  const words = (name ?? '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let result = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  if (!result) result = 'Network';
  if (/^[0-9]/.test(result)) result = `Net${result}`;
  while (taken.has(result) || KEYWORDS.has(result)) result = `${result}Model`;
  return result;
};

/**
 * Unique local variable names for node ids: '-' becomes '_', keywords and built-ins get a trailing
 * '_', and a name already taken (or reserved) a number.
 */
export class VariableNames {
  private readonly used: Set<string>;
  private readonly byId = new Map<string, string>();

  constructor(reserved: Iterable<string>) {
    this.used = new Set(reserved);
  }

  name(id: string, preferred?: string): string {
    const known = this.byId.get(id);
    if (known) return known;
    let base = preferred ?? id.replace(/[^A-Za-z0-9_]/g, '_');
    if (!IDENTIFIER.test(base)) base = `_${base}`;
    if (KEYWORDS.has(base) || BUILTINS.has(base)) base = `${base}_`;
    let candidate = base;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${base}_${n}`;
    this.used.add(candidate);
    this.byId.set(id, candidate);
    return candidate;
  }
}
