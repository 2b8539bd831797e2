/**
 * The worker protocol's messages for visualisation (gathered into protocol.ts's unions):
 *
 * - `visual` (host → worker): a layer's filters (its weight tensors), or the outputs of layers
 *   for one sample, run through the current weights in inference mode. Answered by a `visual`
 *   reply with the same requestId, between training steps.
 * - `watch` (host → worker): also push the filters of one layer (default the first convolution)
 *   every N steps, as `visual` replies with requestId 0; `everySteps: 0` stops it.
 *
 * Tensors travel as Float32Arrays, as everywhere in the protocol.
 */

export type VisualKind = 'filters' | 'activations';
export type VisualSubset = 'validation' | 'train';

export interface VisualRequestMessage {
  readonly type: 'visual';
  /** From 1; replies pushed by `watch` carry 0. */
  readonly requestId: number;
  readonly kind: VisualKind;
  /** filters: the layer. activations: the one layer to send (see `nodes`). */
  readonly nodeId?: string;
  /** activations: the layers to send; default `nodeId`, else every convolution, pooling and activation layer with image output. */
  readonly nodes?: readonly string[];
  /** activations: the sample, an index into `subset` (default 0). */
  readonly sample?: number;
  /** Default the validation set, or the training set when the run has none. */
  readonly subset?: VisualSubset;
}

export interface WatchMessage {
  readonly type: 'watch';
  /** Default: the first layer that has filters. */
  readonly nodeId?: string;
  /** Push every N training steps; 0 stops. */
  readonly everySteps: number;
}

export interface VisualTensorMessage {
  readonly nodeId: string;
  /** filters: the state_dict name (`conv1.weight`); activations: the node id. */
  readonly name: string;
  /** filters: PyTorch's layout; activations: per sample ([C, H, W] or [F]). */
  readonly shape: number[];
  readonly values: Float32Array;
}

export interface VisualSampleMessage {
  readonly index: number;
  readonly subset: VisualSubset;
  /** How many samples the subset has. */
  readonly count: number;
  /** The class, for datasets of classes. */
  readonly label?: number;
  /** The sample as the network sees it (after preprocessing), and the head's output for it. */
  readonly input: VisualTensorMessage;
  readonly output: VisualTensorMessage;
}

export interface VisualReplyMessage {
  readonly type: 'visual';
  readonly requestId: number;
  readonly kind: VisualKind;
  /** The weights' age: epochs begun and optimiser steps taken. */
  readonly epoch: number;
  readonly globalStep: number;
  readonly tensors: VisualTensorMessage[];
  readonly sample?: VisualSampleMessage;
  /** Set instead of tensors when the request cannot be answered, saying why. */
  readonly error?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isKind = (value: unknown): value is VisualKind => value === 'filters' || value === 'activations';
const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 256;

const isTensor = (value: unknown): value is VisualTensorMessage =>
  isRecord(value) &&
  typeof value.nodeId === 'string' &&
  typeof value.name === 'string' &&
  Array.isArray(value.shape) &&
  value.shape.every(isCount) &&
  value.values instanceof Float32Array &&
  value.values.length === value.shape.reduce((product: number, n: number) => product * n, 1);

export const checkVisualRequest = (m: Record<string, unknown>): string | null => {
  if (!isCount(m.requestId)) return 'requestId must be a whole number';
  if (!isKind(m.kind)) return "kind must be 'filters' or 'activations'";
  if (m.nodeId !== undefined && !isName(m.nodeId)) return 'nodeId must be a layer id';
  if (m.kind === 'filters' && m.nodeId === undefined) return 'a filters request needs the nodeId of a layer';
  if (m.nodes !== undefined && !(Array.isArray(m.nodes) && m.nodes.length <= 1000 && m.nodes.every(isName)))
    return 'nodes must be a list of layer ids';
  if (m.sample !== undefined && !isCount(m.sample)) return 'sample must be a whole number from 0';
  if (m.subset !== undefined && m.subset !== 'validation' && m.subset !== 'train') return "subset must be 'validation' or 'train'";
  return null;
};

export const checkWatch = (m: Record<string, unknown>): string | null => {
  if (!isCount(m.everySteps)) return 'everySteps must be a whole number (0 stops)';
  return m.nodeId === undefined || isName(m.nodeId) ? null : 'nodeId must be a layer id';
};

export const checkVisualReply = (m: Record<string, unknown>): string | null => {
  if (!isCount(m.requestId) || !isKind(m.kind)) return 'a visual reply needs its requestId and kind';
  if (!isCount(m.epoch) || !isCount(m.globalStep)) return 'a visual reply needs the epoch and step of its weights';
  if (m.error !== undefined && typeof m.error !== 'string') return 'error must be text';
  if (!Array.isArray(m.tensors) || !m.tensors.every(isTensor))
    return 'tensors must be a list of {nodeId, name, shape, Float32Array values}';
  if (m.sample !== undefined) {
    const s = m.sample;
    if (!isRecord(s) || !isCount(s.index) || !isCount(s.count) || !isTensor(s.input) || !isTensor(s.output))
      return 'sample needs its index, count, input and output';
  }
  return null;
};
