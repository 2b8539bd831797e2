// Printing the code of a changed graph again while keeping a person's comments
// (engine/graph/model-code/comments.ts): without comments it is the printer's text; unchanged
// statements keep their lines as written; a re-printed layer keeps the comments above it and on
// its line; a deleted layer's heading moves on; and the result always reads back as the new graph.
import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../../engine/graph/document';
import { reprintWithComments } from '../../../engine/graph/model-code/comments';
import { parseModelCode } from '../../../engine/graph/model-code/parse';
import { printModelCode } from '../../../engine/graph/model-code/print';
import { TEMPLATES, findTemplate } from '../../../engine/graph/templates';
import { Random } from '../../../engine/train/random';

const parse = (code: string): GraphDocument => {
  const parsed = parseModelCode(code);
  if (!parsed.document) throw new Error(parsed.problems.map((p) => `${p.line}:${p.column} ${p.message}`).join('\n'));
  return parsed.document;
};

const lenetCode = () => printModelCode(findTemplate('lenet5')!.build());
/** The graph of some code with one line's text replaced. */
const edited = (code: string, from: string, to: string): GraphDocument => {
  expect(code).toContain(from);
  return parse(code.replace(from, to));
};

describe('re-printing with comments', () => {
  it('is the printer’s text when there are no comments, for every template', () => {
    for (const template of TEMPLATES) {
      const graph = template.build();
      const code = printModelCode(graph);
      expect(reprintWithComments(code, graph, graph), template.name).toBe(code);
      expect(reprintWithComments(code, graph, null), template.name).toBe(code);
    }
    const code = lenetCode();
    const next = edited(code, 'filters=6', 'filters=8');
    expect(reprintWithComments(code, next, parse(code))).toBe(printModelCode(next));
    const empty: GraphDocument = { format: 'cnn-studio/graph', version: 1, nodes: [], edges: [] };
    expect(reprintWithComments(code, empty, parse(code))).toBe(printModelCode(empty));
  });

  it('keeps the comments of a re-printed layer, above it and on its line, and unchanged lines as written', () => {
    const code = lenetCode()
      .replace('conv1 = Conv2D', '# --- features ---\n\n# the first convolution\nconv1 = Conv2D')
      .replace('padding=2)', 'padding=2)   # as in the paper')
      .replace('relu1 = ReLU(conv1)', 'relu1   =   ReLU( conv1 )  # spaced my way')
      .replace('fc1 = Dense(flatten, units=120)', 'fc1 = Dense(\n  flatten,  # flattened\n  units=120,\n)')
      .concat('\n# the end\n');
    const previous = parse(code);
    const next = edited(code, 'filters=6', 'filters=8');
    const result = reprintWithComments(code, next, previous);
    const lines = result.split('\n');
    const at = lines.indexOf('conv1 = Conv2D(input, filters=8, kernel=5, padding=2)  # as in the paper');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at - 3, at)).toEqual(['# --- features ---', '', '# the first convolution']);
    expect(lines[at + 1]).toBe('relu1   =   ReLU( conv1 )  # spaced my way');
    expect(result).toContain('fc1 = Dense(\n  flatten,  # flattened\n  units=120,\n)');
    expect(result.endsWith('output = ClassificationHead(fc3)\n\n# the end\n')).toBe(true);
    expect(result.startsWith(`${printModelCode(next).split('\n').slice(0, 5).join('\n')}\n# --- features ---`)).toBe(true);
    // It reads back as the new graph.
    expect(printModelCode(parse(result))).toBe(printModelCode(next));
  });

  it('re-prints a changed call that spanned lines on one line, with its comments at the end', () => {
    const code = lenetCode().replace('fc2 = Dense(relu3, units=84)', 'fc2 = Dense(relu3,  # hidden\n  units=84)  # small');
    const next = edited(code, 'units=84', 'units=64');
    const result = reprintWithComments(code, next, parse(code));
    expect(result).toContain('\nfc2 = Dense(relu3, units=64)  # hidden # small\nrelu4 = ReLU(fc2)\n');
  });

  it('moves the heading of a deleted layer on to the next one, and drops the comment on its line', () => {
    const code = lenetCode().replace('pool1 = MaxPool2D(relu1)', '# pooling\npool1 = MaxPool2D(relu1)  # halves it');
    const next = edited(code.replace('pool1 = MaxPool2D(relu1)  # halves it\n', ''), 'Conv2D(pool1', 'Conv2D(relu1');
    const result = reprintWithComments(code, next, parse(code));
    expect(result).toContain('relu1 = ReLU(conv1)\n# pooling\nconv2 = Conv2D(relu1, kernel=5)\n');
    expect(result).not.toContain('halves it');
    expect(printModelCode(parse(result))).toBe(printModelCode(next));
  });

  it('keeps comments in their layer’s place when the printed order changes', () => {
    const code = lenetCode().replace('relu4 = ReLU(fc2)', '# the last hidden activation\nrelu4 = ReLU(fc2)');
    // A new layer between fc2 and relu4, written elsewhere: the printer puts it after fc2.
    const next = parse(code.replace('relu4 = ReLU(fc2)', 'relu4 = ReLU(extra)').concat('extra = Dropout(fc2)\n'));
    const result = reprintWithComments(code, next, parse(code));
    expect(result).toContain('fc2 = Dense(relu3, units=84)\nextra = Dropout(fc2)\n# the last hidden activation\nrelu4 = ReLU(extra)\n');
  });

  it('prints every statement afresh when the text did not parse, keeping the comments', () => {
    const good = lenetCode().replace('relu2 = ReLU(conv2)', 'relu2 = ReLU(conv2)  # keep me');
    const broken = good.replace('relu1 = ReLU(conv1)', 'relu1 = ReLU(conv1)\n# a try\nextra = Conv2D(relu1, filters=0  # oops');
    const next = edited(good, 'filters=6', 'filters=4');
    const result = reprintWithComments(broken, next, null);
    expect(result).toContain('relu1 = ReLU(conv1)\n# a try\npool1 = MaxPool2D(relu1)\n');
    expect(result).toContain('relu2 = ReLU(conv2)  # keep me\n');
    expect(result).not.toContain('oops');
    expect(printModelCode(parse(result))).toBe(printModelCode(next));
  });

  it('always gives code that reads back as the new graph, whatever the old text holds', () => {
    const random = new Random(20261126);
    const pieces = ['#', "'", '"', '(', ')', '[', ']', '\n', ' ', '=', ',', 'x', 'conv1 = ', 'network ', '# c'];
    const code = lenetCode();
    const next = edited(code, 'filters=6', 'filters=8');
    for (let trial = 0; trial < 300; trial++) {
      let text = code;
      for (let n = 0; n < 4; n++) {
        const at = random.below(text.length + 1);
        text = text.slice(0, at) + pieces[random.below(pieces.length)] + text.slice(at);
      }
      const parsed = parseModelCode(text);
      const result = reprintWithComments(text, next, parsed.document);
      expect(printModelCode(parse(result)), text).toBe(printModelCode(next));
    }
  });

  it('reads # inside quotes as text, not as a comment', () => {
    const code = lenetCode().replace("network 'LeNet-5'", "network 'LeNet #5'  # renamed");
    const previous = parse(code);
    expect(previous.name).toBe('LeNet #5');
    const next = { ...edited(code, 'filters=6', 'filters=8'), name: 'LeNet #6' };
    const result = reprintWithComments(code, next, previous);
    expect(result).toContain("\nnetwork 'LeNet #6'  # renamed\n");
  });
});
