/**
 * Analysis of a graph document: every node's output shape, parameters and multiply-adds, the
 * totals, and every problem, each attached to its node. One pure pass; it never throws, whatever
 * it is given, so the IDE can run it on every edit and the CLI on any file.
 */
import { isError, type Issue, type IssueCode } from './issues';
import type { Comparison, InferContext, LayerResult } from './layer';
import type { LayerType } from './layer-types';
import { IssueList, parseGraph, type ParsedGraph, type ParsedNode } from './parse';
import { elementCount, formatShape, type Shape } from './shape';
import { checkEnds, checkPorts, checkReachesHead, orderNodes } from './topology';

/** Tensors and weight sets beyond this many values per sample cannot be held by the engine. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export interface NodeReport {
  readonly id: string;
  /** The type as written (it may be unknown). */
  readonly type: string;
  readonly label: string;
  /** Canonical parameters, or null when some are invalid or the type is unknown. */
  readonly params: Record<string, unknown> | null;
  /** Null when it cannot be known: this node or one before it has an error. */
  readonly outputShape: Shape | null;
  readonly paramCount: number;
  readonly bufferCount: number;
  readonly macs: number;
  readonly formulas: readonly string[];
  readonly comparison?: Comparison;
  readonly issues: readonly Issue[];
}

export interface GraphTotals {
  readonly params: number;
  readonly buffers: number;
  /** Multiply-adds of one forward pass over one sample. */
  readonly macs: number;
  /** Values of every layer's output for one sample: what training keeps for the backward pass. */
  readonly activations: number;
}

export interface GraphReport {
  /** True when there is no error (warnings allowed). */
  readonly valid: boolean;
  /** Nodes with a usable id, in document order. */
  readonly nodes: readonly NodeReport[];
  /** Node ids in execution order (those that could be ordered). */
  readonly order: readonly string[];
  /** Every issue: about the graph, edges and nodes. */
  readonly issues: readonly Issue[];
  readonly totals: GraphTotals;
  readonly inputShape: Shape | null;
  readonly outputShape: Shape | null;
}

const inferNode = (
  node: ParsedNode,
  inputs: Shape[],
  inputTypes: LayerType[],
  graphInput: Shape | null,
  issues: IssueList,
): LayerResult | null => {
  const report = (code: IssueCode, message: string, param?: string) =>
    issues.add(code, `${node.id}: ${message}`, param === undefined ? { nodeId: node.id } : { nodeId: node.id, param });
  const context: InferContext<unknown> = {
    nodeId: node.id,
    params: node.params,
    inputs,
    inputTypes,
    graphInput,
    error: report,
    warn: report,
  };
  const result = node.definition!.infer(context);
  if (!result) return null;
  const size = elementCount(result.shape);
  if (!result.shape.every((dim) => Number.isInteger(dim) && dim > 0) || size > MAX_ELEMENTS) {
    issues.add(
      'tensor-too-large',
      `${node.id}: its output ${formatShape(result.shape)} holds ${size.toExponential(2)} values per sample, more than a machine can hold; use smaller sizes`,
      { nodeId: node.id },
    );
    return null;
  }
  if (result.params > MAX_ELEMENTS) {
    issues.add(
      'tensor-too-large',
      `${node.id}: it would have ${result.params.toExponential(2)} weights, more than a machine can hold; use fewer units or filters`,
      { nodeId: node.id },
    );
    return null;
  }
  return result;
};

const inferShapes = (graph: ParsedGraph, order: string[], input: ParsedNode | null, issues: IssueList): Map<string, LayerResult> => {
  const results = new Map<string, LayerResult>();
  for (const id of order) {
    const node = graph.nodes.get(id)!;
    if (!node.definition || !node.params) continue;
    const ports = graph.incoming.get(id)!;
    const portNumbers = [...ports.keys()].sort((a, b) => a - b);
    const { min, max } = node.definition.inputs;
    const wired =
      portNumbers.length >= min && portNumbers.length <= max && portNumbers.every((port, i) => port === i && ports.get(port)!.length === 1);
    if (!wired) continue;
    const sources = portNumbers.map((port) => ports.get(port)![0].source);
    const inputs = sources.map((source) => results.get(source)?.shape);
    if (inputs.some((shape) => shape === undefined)) continue;
    const inputTypes = sources.map((source) => graph.nodes.get(source)!.definition!.type);
    const graphInput = input ? (results.get(input.id)?.shape ?? null) : null;
    const result = inferNode(node, inputs as Shape[], inputTypes, graphInput, issues);
    if (result) results.set(id, result);
  }
  return results;
};

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

/** Analyses a graph document of any content. */
export const analyzeGraph = (raw: unknown): GraphReport => {
  const issues = new IssueList();
  const graph = parseGraph(raw, issues);
  if (!graph) {
    return {
      valid: false,
      nodes: [],
      order: [],
      issues: issues.all,
      totals: { params: 0, buffers: 0, macs: 0, activations: 0 },
      inputShape: null,
      outputShape: null,
    };
  }
  checkPorts(graph, issues);
  const { input, head } = checkEnds(graph, issues);
  const order = orderNodes(graph, issues);
  if (head) checkReachesHead(graph, head, issues);
  const results = inferShapes(graph, order, input, issues);

  // Grouped once: filtering every issue for every node is quadratic on large broken graphs.
  const issuesByNode = new Map<string, Issue[]>();
  for (const issue of issues.all) {
    if (issue.nodeId === undefined) continue;
    const list = issuesByNode.get(issue.nodeId);
    if (list) list.push(issue);
    else issuesByNode.set(issue.nodeId, [issue]);
  }
  const nodes: NodeReport[] = [...graph.nodes.values()].map((node) => {
    const result = results.get(node.id);
    return {
      id: node.id,
      type: node.type,
      label: node.label,
      params: node.params,
      outputShape: result?.shape ?? null,
      paramCount: result?.params ?? 0,
      bufferCount: result?.buffers ?? 0,
      macs: result?.macs ?? 0,
      formulas: result?.formulas ?? [],
      ...(result?.comparison ? { comparison: result.comparison } : {}),
      issues: issuesByNode.get(node.id) ?? [],
    };
  });
  const computed = [...results.values()];
  return {
    valid: !issues.all.some(isError),
    nodes,
    order,
    issues: issues.all,
    totals: {
      params: sum(computed.map((result) => result.params)),
      buffers: sum(computed.map((result) => result.buffers ?? 0)),
      macs: sum(computed.map((result) => result.macs)),
      activations: sum(computed.map((result) => elementCount(result.shape))),
    },
    inputShape: input ? (results.get(input.id)?.shape ?? null) : null,
    outputShape: head ? (results.get(head.id)?.shape ?? null) : null,
  };
};

/** Infers one layer alone, from its parameters and input shapes: the catalogue's rule in isolation. */
export const inferLayer = (
  type: LayerType,
  params: Record<string, unknown>,
  inputs: Shape[],
): { result: LayerResult | null; issues: Issue[] } => {
  const nodes: unknown[] = [];
  const edges: unknown[] = [];
  inputs.forEach((shape, port) => {
    const id = `in${port}`;
    const [channels, height, width] = shape.length === 3 ? shape : [shape[0], 1, 1];
    nodes.push({ id, type: 'Input', params: { channels, height, width } });
    if (shape.length === 1) {
      nodes.push({ id: `${id}_flat`, type: 'Flatten' });
      edges.push({ source: id, target: `${id}_flat` });
    }
    edges.push({ source: shape.length === 1 ? `${id}_flat` : id, target: 'layer', targetPort: port });
  });
  nodes.push({ id: 'layer', type, params });
  const issues = new IssueList();
  const graph = parseGraph({ nodes, edges }, issues);
  const order = graph ? orderNodes(graph, issues) : [];
  const results = graph ? inferShapes(graph, order, null, issues) : new Map<string, LayerResult>();
  const result = results.get('layer') ?? null;
  return { result, issues: issues.all.filter((issue) => issue.nodeId === 'layer' || issue.nodeId === undefined) };
};
