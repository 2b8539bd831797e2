import { describe, expect, it } from 'vitest';
import { analyzeGraph } from '../../../engine/graph/analyze';
import { GRAPH_FORMAT, GRAPH_VERSION } from '../../../engine/graph/document';
import { TEMPLATES } from '../../../engine/graph/templates';

describe('templates', () => {
  it('has the six the course needs, and unique names', () => {
    const names = TEMPLATES.map((template) => template.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['lenet5', 'convnet', 'mobilenet', 'resnet', 'autoencoder', 'dilated']) expect(names).toContain(name);
  });

  describe.each(TEMPLATES.map((template) => [template.name, template] as const))('%s', (_name, template) => {
    const document = template.build();
    const report = analyzeGraph(document);

    it('passes validation without errors or warnings', () => {
      expect(report.issues).toEqual([]);
      expect(report.valid).toBe(true);
    });

    it('is a versioned graph document with a name and a description', () => {
      expect(document.format).toBe(GRAPH_FORMAT);
      expect(document.version).toBe(GRAPH_VERSION);
      expect(document.name).toBeTruthy();
      expect(document.description).toBeTruthy();
    });

    it('gives every node a shape, a distinct canvas position, and orders them all', () => {
      expect(report.nodes.every((node) => node.outputShape !== null)).toBe(true);
      expect(report.order).toHaveLength(document.nodes.length);
      const positions = document.nodes.map((node) => `${node.position?.x},${node.position?.y}`);
      expect(new Set(positions).size).toBe(positions.length);
    });

    it('round-trips through JSON unchanged', () => {
      expect(analyzeGraph(JSON.parse(JSON.stringify(document)))).toEqual(report);
    });
  });

  it('LeNet-5 is the classic 6-16-120-84-10 with padding 2 on the first convolution', () => {
    const report = analyzeGraph(TEMPLATES.find((t) => t.name === 'lenet5')!.build());
    const shapes = Object.fromEntries(report.nodes.map((node) => [node.id, node.outputShape]));
    expect(shapes.conv1).toEqual([6, 28, 28]);
    expect(shapes.conv2).toEqual([16, 10, 10]);
    expect(shapes.fc1).toEqual([120]);
    expect(shapes.fc2).toEqual([84]);
    expect(shapes.fc3).toEqual([10]);
  });

  it('the autoencoder and U-Net end in an image the size of their input', () => {
    for (const name of ['autoencoder', 'unet']) {
      const report = analyzeGraph(TEMPLATES.find((t) => t.name === name)!.build());
      expect(report.outputShape?.slice(1)).toEqual(report.inputShape?.slice(1));
    }
  });
});
