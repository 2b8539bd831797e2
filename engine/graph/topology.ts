/** Checks of how the nodes are wired: ports, the single input and head, cycles, dead ends. */
import type { IssueList, ParsedGraph, ParsedNode } from './parse';

const listIds = (ids: string[]): string => ids.join(', ');

/** Every input port has exactly one edge, and multi-input layers have enough ports in use. */
export const checkPorts = (graph: ParsedGraph, issues: IssueList): void => {
  for (const node of graph.nodes.values()) {
    const definition = node.definition;
    if (!definition || definition.inputs.max === 0) continue;
    const ports = graph.incoming.get(node.id)!;
    const place = { nodeId: node.id };
    const { min, max } = definition.inputs;
    for (const [port, edges] of ports) {
      if (edges.length > 1) {
        const sources = listIds(edges.map((edge) => edge.source));
        const advice = max === 1 ? 'to merge branches use Add or Concat' : 'connect each branch to its own port';
        issues.add(
          'port-overconnected',
          `${node.id}: input port ${port} has ${edges.length} incoming edges (from ${sources}) but takes one; ${advice}`,
          place,
        );
      }
    }
    if (max === 1) {
      if (!ports.has(0))
        issues.add('port-unconnected', `${node.id}: its input is not connected; connect the layer that should feed it`, place);
      continue;
    }
    const used = [...ports.keys()].sort((a, b) => a - b);
    const gaps = Array.from({ length: (used.at(-1) ?? -1) + 1 }, (_, port) => port).filter((port) => !ports.has(port));
    if (gaps.length) {
      issues.add(
        'port-unconnected',
        `${node.id}: input port ${gaps.join(', ')} is not connected while later ports are; connect the ports in order from 0`,
        place,
      );
    } else if (used.length < min) {
      issues.add(
        'port-unconnected',
        `${node.id}: needs at least ${min} inputs but has ${used.length}; connect another branch to it`,
        place,
      );
    }
  }
};

/** Exactly one Input and one output head. Returns them when they are unique. */
export const checkEnds = (graph: ParsedGraph, issues: IssueList): { input: ParsedNode | null; head: ParsedNode | null } => {
  const nodes = [...graph.nodes.values()];
  const inputs = nodes.filter((node) => node.definition?.type === 'Input');
  const heads = nodes.filter((node) => node.definition?.category === 'head');
  if (inputs.length === 0) issues.add('no-input', 'the graph has no Input layer; add one and connect it to the first layer');
  for (const extra of inputs.slice(1)) {
    issues.add('multiple-inputs', `${extra.id}: a network has one Input layer and '${inputs[0].id}' is already one; delete this one`, {
      nodeId: extra.id,
    });
  }
  if (heads.length === 0) {
    issues.add(
      'no-head',
      'the graph has no output head; end it with a ClassificationHead, RegressionHead, BinaryHead or ImageHead, which sets the loss',
    );
  }
  for (const extra of heads.slice(1)) {
    issues.add('multiple-heads', `${extra.id}: a network has one output head and '${heads[0].id}' is already one; delete this one`, {
      nodeId: extra.id,
    });
  }
  return { input: inputs[0] ?? null, head: heads[0] ?? null };
};

/**
 * Topological order (Kahn's algorithm, ties broken by document order so the result is stable).
 * Nodes in or after a cycle are left out; each cycle is reported once on every node in it.
 */
export const orderNodes = (graph: ParsedGraph, issues: IssueList): string[] => {
  const pending = new Map<string, number>();
  for (const node of graph.nodes.values()) {
    let count = 0;
    for (const edges of graph.incoming.get(node.id)!.values()) count += edges.length;
    pending.set(node.id, count);
  }
  const ready = [...graph.nodes.values()].filter((node) => pending.get(node.id) === 0).map((node) => node.id);
  const order: string[] = [];
  while (ready.length) {
    const id = ready.shift()!;
    order.push(id);
    for (const edge of graph.outgoing.get(id)!) {
      const left = pending.get(edge.target)! - 1;
      pending.set(edge.target, left);
      if (left === 0) ready.push(edge.target);
    }
  }
  if (order.length < graph.nodes.size) reportCycles(graph, new Set(order), issues);
  return order;
};

/** "a → b → c → a", shortened for long loops. */
const describeLoop = (cycle: string[]): string => {
  const shown = cycle.length > 8 ? [...cycle.slice(0, 6), `… ${cycle.length - 7} more …`, cycle[cycle.length - 1]] : cycle;
  return [...shown, cycle[0]].join(' → ');
};

const reportCycles = (graph: ParsedGraph, ordered: Set<string>, issues: IssueList): void => {
  // An iterative depth-first search: a recursive one would overflow the stack on long chains.
  const state = new Map<string, 'open' | 'done'>();
  for (const start of graph.nodes.keys()) {
    if (ordered.has(start) || state.has(start)) continue;
    const path: string[] = [start];
    const nextEdge: number[] = [0];
    state.set(start, 'open');
    while (path.length) {
      const id = path[path.length - 1];
      const edges = graph.outgoing.get(id)!;
      const edgeIndex = nextEdge[nextEdge.length - 1]++;
      if (edgeIndex >= edges.length) {
        state.set(id, 'done');
        path.pop();
        nextEdge.pop();
        continue;
      }
      const target = edges[edgeIndex].target;
      if (ordered.has(target)) continue;
      if (state.get(target) === 'open') {
        const cycle = path.slice(path.indexOf(target));
        const loop = describeLoop(cycle);
        for (const member of cycle) {
          issues.add('cycle', `${member}: is part of a cycle (${loop}); data must flow one way, so remove one of these edges`, {
            nodeId: member,
          });
        }
      } else if (!state.has(target)) {
        state.set(target, 'open');
        path.push(target);
        nextEdge.push(0);
      }
    }
  }
};

/** Nodes whose output never reaches the head are reported: they would be computed for nothing. */
export const checkReachesHead = (graph: ParsedGraph, head: ParsedNode, issues: IssueList): void => {
  const reaches = new Set<string>([head.id]);
  const queue = [head.id];
  while (queue.length) {
    const id = queue.pop()!;
    for (const edges of graph.incoming.get(id)!.values()) {
      for (const { source } of edges) {
        if (!reaches.has(source)) {
          reaches.add(source);
          queue.push(source);
        }
      }
    }
  }
  for (const node of graph.nodes.values()) {
    if (reaches.has(node.id) || node.definition?.category === 'head') continue;
    issues.add('unused-output', `${node.id}: its output does not lead to the output head '${head.id}'; connect it onwards or delete it`, {
      nodeId: node.id,
    });
  }
};
