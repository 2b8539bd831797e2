/**
 * Which tensors a graph's weights must have, from the CPU backend's layer table: the
 * `expectedTensors` that the project container needs to check weights against a graph.
 */
import { CPU_LAYERS } from '../../../engine/backends/cpu/layers';
import type { GraphDocument } from '../../../engine/graph/document';
import type { ExpectedTensors } from '../../../engine/project/container';
import { compileModel } from '../../../engine/train/plan';

/** state_dict name → shape of the graph's tensors, or null when the graph has errors. */
export const expectedTensorsFromCatalogue: ExpectedTensors = (graph: GraphDocument) => {
  try {
    const model = compileModel(graph, CPU_LAYERS);
    return new Map([...model.specs].map(([name, spec]) => [name, [...spec.shape]]));
  } catch {
    return null;
  }
};
