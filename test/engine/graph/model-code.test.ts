// Model code (engine/graph/model-code): every template prints, parses back to the same graph
// and prints the same text; every kind of mistake is reported on its line and columns; and the
// parser never throws, whatever it is given.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../engine/graph/catalogue';
import { LAYER_TYPES } from '../../../engine/graph/layer-types';
import { compactParam, type ParamSpec } from '../../../engine/graph/params';
import { formatValue } from '../../../engine/graph/model-code/values';
import { analyzeGraph } from '../../../engine/graph/analyze';
import type { GraphDocument } from '../../../engine/graph/document';
import { parseModelCode } from '../../../engine/graph/model-code/parse';
import { printModelCode } from '../../../engine/graph/model-code/print';
import { TEMPLATES, findTemplate } from '../../../engine/graph/templates';
import { Random } from '../../../engine/train/random';

const lenet = (): GraphDocument => findTemplate('lenet5')!.build();

/** The parsed document, failing the test with the problems when there are any. */
const parse = (code: string, previous?: GraphDocument): GraphDocument => {
  const parsed = parseModelCode(code, previous);
  if (!parsed.document) throw new Error(parsed.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n'));
  return parsed.document;
};

const problems = (code: string) =>
  parseModelCode(code).problems.map(({ line, column, endColumn, message }) => ({ line, column, endColumn, message }));

/** What analysis sees of a graph: each node's type, canonical params and output shape, and the totals. */
const meaning = (graph: GraphDocument) => {
  const report = analyzeGraph(graph);
  return {
    valid: report.valid,
    nodes: report.nodes
      .map(({ id, type, params, outputShape, label }) => ({ id, type, params, outputShape, label }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    totals: report.totals,
  };
};

describe('model code round trip', () => {
  it.each(TEMPLATES.map((t) => [t.name, t]))('%s: print(parse(print(g))) === print(g), and the graph means the same', (_, template) => {
    const graph = template.build();
    const code = printModelCode(graph);
    const parsed = parse(code, graph);
    expect(printModelCode(parsed)).toBe(code);
    expect(meaning(parsed)).toEqual(meaning(graph));
    expect(parsed.name).toBe(graph.name);
    expect(parsed.description).toBe(graph.description);
    // Every surviving layer keeps its place on the canvas.
    for (const node of parsed.nodes) expect(node.position).toEqual(graph.nodes.find((n) => n.id === node.id)!.position);
  });

  it('prints LeNet-5 readably: inputs first, defaults left out, shortest forms', () => {
    const code = printModelCode(lenet());
    expect(code).toContain("network 'LeNet-5'\n");
    expect(code).toContain('input = Input(channels=1, height=28, width=28)\n');
    expect(code).toContain('conv1 = Conv2D(input, filters=6, kernel=5, padding=2)\n');
    expect(code).toContain('relu1 = ReLU(conv1)\n');
    expect(code).toContain('conv2 = Conv2D(pool1, kernel=5)\n'); // 16 filters is the default
    expect(code).toContain('output = ClassificationHead(fc3)\n');
  });

  it('prints Add with its inputs in port order, and a layer after its inputs even when the document lists it first', () => {
    const graph = findTemplate('resnet')!.build();
    expect(printModelCode(graph)).toContain('block1_add = Add(block1_bn2, stem_relu)\n');
    const chain = lenet();
    expect(printModelCode({ ...chain, nodes: [...chain.nodes].reverse() })).toBe(printModelCode(chain));
  });

  it('keeps labels, explicit padding, floats and values written in long form', () => {
    const graph: GraphDocument = {
      format: 'cnn-studio/graph',
      version: 1,
      nodes: [
        { id: 'in', type: 'Input', params: { channels: 3, height: 32, width: 32 } },
        { id: 'c', type: 'Conv2D', label: "Bob's conv", params: { filters: 8, kernel: [3, 3], padding: [1, 1, 2, 2], stride: [1, 2] } },
        { id: 'bn', type: 'BatchNorm2D', params: { eps: 0.001, momentum: 0.1 } },
        { id: 'd', type: 'Dropout', params: { rate: 0.25 } },
      ],
      edges: [
        { source: 'in', target: 'c' },
        { source: 'c', target: 'bn' },
        { source: 'bn', target: 'd' },
      ],
    };
    const code = printModelCode(graph);
    expect(code).toContain("c = Conv2D(in, filters=8, stride=[1, 2], padding=[1, 2], label='Bob\\'s conv')\n");
    expect(code).toContain('bn = BatchNorm2D(c, eps=0.001)\n');
    expect(code).toContain('d = Dropout(bn, rate=0.25)\n');
    const parsed = parse(code);
    expect(parsed.nodes.find((n) => n.id === 'c')!.label).toBe("Bob's conv");
    expect(printModelCode(parsed)).toBe(code);
  });

  it('reads what a person types: comments, both quotes, True, calls over several lines, trailing commas', () => {
    const code = [
      '# my net',
      'network "tiny"  # the name',
      'x = Input(channels=3, height=8, width=8)',
      'c = Conv2D(x,',
      '    filters=4, padding="same", bias=False,',
      ')',
      'g = GlobalAvgPool(c)',
      'out = ClassificationHead(g, classes=4,)',
    ].join('\n');
    const graph = parse(code);
    expect(graph.name).toBe('tiny');
    expect(graph.nodes.map((n) => n.id)).toEqual(['x', 'c', 'g', 'out']);
    expect(graph.nodes[1].params).toEqual({ filters: 4, padding: 'same', bias: false });
    expect(graph.edges).toEqual([
      { source: 'x', target: 'c' },
      { source: 'c', target: 'g' },
      { source: 'g', target: 'out' },
    ]);
    expect(analyzeGraph(graph).valid).toBe(true);
  });

  it('allows a layer to be used before the line that defines it, and gives Add and Concat their ports in order', () => {
    const graph = parse(['i = Input()', 'j = Concat(a, b)', 'a = ReLU(i)', 'b = Sigmoid(i)'].join('\n'));
    expect(graph.edges.filter((e) => e.target === 'j')).toEqual([
      { source: 'a', target: 'j', targetPort: 0 },
      { source: 'b', target: 'j', targetPort: 1 },
    ]);
    expect(printModelCode(graph).split('\n').slice(2)).toEqual([
      'i = Input(channels=1, height=28, width=28)',
      'a = ReLU(i)',
      'b = Sigmoid(i)',
      'j = Concat(a, b)',
      '',
    ]);
  });

  it('keeps the positions of layers that survive and leaves new ones unplaced', () => {
    const graph = lenet();
    const code = printModelCode(graph).replace('relu1 = ReLU(conv1)', 'relu1 = ReLU(conv1)\nextra = Dropout(relu1)');
    const parsed = parse(code, graph);
    expect(parsed.nodes.find((n) => n.id === 'conv1')!.position).toEqual(graph.nodes.find((n) => n.id === 'conv1')!.position);
    expect(parsed.nodes.find((n) => n.id === 'extra')!.position).toBeUndefined();
  });

  it('leaves graph-level problems (a missing input, a kernel too large) to the analysis: the code parses', () => {
    const parsed = parseModelCode(
      printModelCode(lenet()).replace('conv2 = Conv2D(pool1, kernel=5)', 'conv2 = Conv2D(pool1, kernel=25)\nlonely = Dropout()'),
    );
    expect(parsed.problems).toEqual([]);
    const report = analyzeGraph(parsed.document);
    expect(report.valid).toBe(false);
    expect(report.issues.map((issue) => issue.nodeId)).toEqual(expect.arrayContaining(['conv2', 'lonely']));
  });
});

describe('model code mistakes, on their lines', () => {
  it('an unknown layer type, with a suggestion', () => {
    expect(problems('i = Input()\nc = Conv2d(i, filters=4)')).toEqual([
      { line: 2, column: 5, endColumn: 11, message: "unknown layer type 'Conv2d'; did you mean Conv2D?" },
    ]);
  });

  it('an unknown parameter, with the nearest name or the list', () => {
    expect(problems('i = Input()\n\nc = Conv2D(i, filter=4)\nr = ReLU(c, slope=2)')).toEqual([
      { line: 3, column: 15, endColumn: 21, message: "Conv2D has no parameter 'filter'; did you mean 'filters'?" },
      { line: 4, column: 13, endColumn: 18, message: "ReLU has no parameter 'slope'; it takes no parameters" },
    ]);
  });

  it('a bad value, with the catalogue’s own message, marked on the value', () => {
    expect(problems("i = Input()\nc = Conv2D(i, filters=0, padding='full', kernel=[3, 0])")).toEqual([
      { line: 2, column: 23, endColumn: 24, message: 'filters must be at least 1, not 0' },
      {
        line: 2,
        column: 34,
        endColumn: 40,
        message: 'padding must be "valid", "same", a whole number, [vertical, horizontal] or [top, bottom, left, right], not "full"',
      },
      { line: 2, column: 49, endColumn: 55, message: 'kernel width must be at least 1, not 0' },
    ]);
    expect(problems('i = Input(channels=2.5)')[0].message).toBe('channels must be a whole number, not 2.5');
  });

  it('an unknown input name', () => {
    expect(problems('input = Input()\nc = Conv2D(inpt)\nd = ReLU(nothing)')).toEqual([
      { line: 2, column: 12, endColumn: 16, message: "no layer is named 'inpt'; did you mean 'input'?" },
      {
        line: 3,
        column: 10,
        endColumn: 17,
        message: "no layer is named 'nothing'; define it with nothing = …, or use one of the names defined here",
      },
    ]);
  });

  it('a name defined twice', () => {
    expect(problems('i = Input()\nc = ReLU(i)\n# again\nc = Sigmoid(i)')).toEqual([
      { line: 4, column: 1, endColumn: 2, message: "'c' is already defined on line 2; give each layer its own name" },
    ]);
  });

  it('too many inputs, and inputs after parameters', () => {
    expect(problems('i = Input()\nj = Input(i)\nd = Dense(i, j, units=3)\ne = Dense(units=3, i)')).toEqual([
      { line: 2, column: 11, endColumn: 12, message: 'Input takes no inputs, not 1; remove the inputs' },
      { line: 3, column: 14, endColumn: 15, message: 'Dense takes at most 1 input, not 2; merge the branches with Add or Concat first' },
      {
        line: 4,
        column: 20,
        endColumn: 21,
        message: "the input 'i' comes after a parameter; list the inputs first, as in Dense(a, b, size=2)",
      },
    ]);
  });

  it('syntax: a bare word as a value, an unclosed call, a stray character, text without its quote', () => {
    expect(problems('i = Input()\nc = Conv2D(i, padding=same)\nd = ReLU(c\ne = ReLU(d) $\nnetwork "x')).toEqual([
      { line: 2, column: 23, endColumn: 27, message: "expected a value, not the name 'same'; write text in quotes, as in 'same'" },
      { line: 3, column: 9, endColumn: 10, message: "this '(' is not closed; end the layer with ')'" },
      { line: 4, column: 13, endColumn: 14, message: "unexpected character '$'" },
      { line: 5, column: 9, endColumn: 11, message: 'this text has no closing "; end it with " on the same line' },
    ]);
  });

  it('one mistake in a call over several lines is reported once, and the next layer is read', () => {
    expect(problems('i = Input()\nc = Conv2D(i,\n    filters=0x,\n    kernel=3)\nr = ReLU(c, 1)\nd = Dense(r)')).toEqual([
      { line: 3, column: 14, endColumn: 15, message: "expected ',' or ')' after 'filters', not 'x'" },
      { line: 5, column: 13, endColumn: 14, message: "expected an input layer's name or parameter=value, not '1'" },
    ]);
    // An unclosed call with a mistake ends where the next layer starts.
    expect(problems('i = Input()\nc = Conv2D(i, filters=$\nr = ReLU(c)\nbad = Nope(r)')).toEqual([
      { line: 2, column: 23, endColumn: 24, message: "unexpected character '$'" },
      { line: 4, column: 7, endColumn: 11, message: "unknown layer type 'Nope'; see docs/MODEL_CODE.md for the layer types" },
    ]);
  });

  it('a line that is no statement, and a header given twice', () => {
    expect(problems("Conv2D(x)\nnetwork 'a'\nnetwork 'b'")).toEqual([
      {
        line: 1,
        column: 1,
        endColumn: 7,
        message: "expected a layer such as conv1 = Conv2D(input, filters=16, kernel=3), or a # comment, not 'Conv2D'",
      },
      { line: 3, column: 1, endColumn: 8, message: 'the network is given twice; keep one line' },
    ]);
  });

  it('gives no document when there is any problem, but still the line of every layer', () => {
    const parsed = parseModelCode('i = Input()\n\nc = Bogus(i)');
    expect(parsed.document).toBeNull();
    expect([...parsed.lines]).toEqual([
      ['i', 1],
      ['c', 3],
    ]);
  });
});

describe('the model code parser never throws', () => {
  const ALPHABET = 'abcXYZ_019 .,=()[]\'"#\n\t-+e$\\';
  const codes = TEMPLATES.map((t) => printModelCode(t.build()));

  it('on random text, mutated templates, cut templates and huge inputs', () => {
    const random = new Random(20261126);
    const pick = (n: number) => Math.floor(random.uniform() * n);
    const inputs: string[] = ['', '\n\n', '(', ')', '[[[[', "'", 'a = B(', 'a = Input(x=[1, [2, [3]]])', '= = =', 'a = ReLU(a)'];
    for (let i = 0; i < 400; i++) inputs.push(Array.from({ length: pick(80) }, () => ALPHABET[pick(ALPHABET.length)]).join(''));
    for (let i = 0; i < 600; i++) {
      const code = codes[pick(codes.length)];
      const chars = [...code];
      for (let k = 0; k < 1 + pick(6); k++) {
        const at = pick(chars.length);
        const op = pick(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, ALPHABET[pick(ALPHABET.length)]);
        else chars[at] = ALPHABET[pick(ALPHABET.length)];
      }
      inputs.push(chars.join(''));
      inputs.push(code.slice(0, pick(code.length)));
    }
    inputs.push(
      '['.repeat(5000),
      `x = Input(${'a, '.repeat(20000)})`,
      Array.from({ length: 5000 }, (_, i) => `l${i} = ReLU(l${i + 1})`).join('\n'),
    );
    for (const input of inputs) {
      const parsed = parseModelCode(input);
      expect(parsed.document === null).toBe(parsed.problems.length > 0);
      for (const problem of parsed.problems) {
        expect(problem.line).toBeGreaterThanOrEqual(1);
        expect(problem.line).toBeLessThanOrEqual(input.split(/\r\n|\r|\n/).length);
        expect(problem.endColumn).toBeGreaterThan(problem.column - (problem.endLine > problem.line ? Infinity : 0));
        expect(problem.message.length).toBeGreaterThan(0);
      }
      // A parsed document prints and parses back to the same text.
      if (parsed.document) expect(printModelCode(parse(printModelCode(parsed.document)))).toBe(printModelCode(parsed.document));
    }
  });
});

describe('docs/MODEL_CODE.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../docs/MODEL_CODE.md'), 'utf8');

  it('lists every layer type with each of its parameters at its default, as the printer writes it', () => {
    for (const type of LAYER_TYPES) {
      const row = doc.split('\n').find((line) => line.startsWith(`| \`${type}\` `));
      expect(row, type).toBeDefined();
      const schema: Record<string, ParamSpec> = CATALOGUE[type].params;
      for (const [name, spec] of Object.entries(schema))
        expect(row, `${type}.${name}`).toContain(`\`${name}=${formatValue(compactParam(spec, spec.default))}\``);
    }
  });

  it('has examples that parse', () => {
    const examples = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]);
    expect(examples.length).toBeGreaterThanOrEqual(3);
    // The residual block uses stem_relu from the rest of the template: define it first.
    for (const example of examples) {
      const defined = example.includes('stem_relu =') || !example.includes('stem_relu') ? example : `stem_relu = Input()\n${example}`;
      expect(problems(defined)).toEqual([]);
    }
  });
});
