/**
 * The worker protocol's messages for visualisation (gathered into protocol.ts's unions):
 *
 * - `visual` (host → worker): a layer's filters (its weight tensors), the outputs of layers
 *   for one sample, or an analysis (engine/viz/analysis.ts: saliency, Grad-CAM, occlusion and
 *   deconvnet for one sample; the top-9 patches of a feature and the confusion report over the
 *   first samples of a set), run through the current weights in inference mode. Answered by a
 *   `visual` reply with the same requestId, between training steps.
 * - `watch` (host → worker): also push the filters of one layer (default the first convolution)
 *   every N steps, as `visual` replies with requestId 0; `everySteps: 0` stops it.
 *
 * Tensors travel as Float32Arrays, as everywhere in the protocol; an analysis's maps and a
 * filters reply's gradients as 8-bit images with their scale (Uint8Array).
 */
import { analysisMaps, isAnalysisKind, type AnalysisKind, type VisualAnalysis } from '../../engine/viz/analysis';
import type { FilterGradients } from '../../engine/viz/filter-gradients';

export type VisualKind = 'filters' | 'activations' | AnalysisKind;
export type VisualSubset = 'validation' | 'train';

export interface VisualRequestMessage {
  readonly type: 'visual';
  /** From 1; replies pushed by `watch` carry 0. */
  readonly requestId: number;
  readonly kind: VisualKind;
  /**
   * filters: the layer. activations: the one layer to send (see `nodes`). gradcam: the layer
   * (default the last convolution or activation with image output). deconvnet, top-patches: the
   * layer of the feature (required).
   */
  readonly nodeId?: string;
  /** activations: the layers to send; default `nodeId`, else every convolution, pooling and activation layer with image output. */
  readonly nodes?: readonly string[];
  /** activations and the analyses of one sample: the sample, an index into `subset` (default 0). */
  readonly sample?: number;
  /** Default the validation set, or the training set when the run has none. */
  readonly subset?: VisualSubset;
  /** saliency, gradcam, occlusion: the class (default the one predicted for the sample). */
  readonly classIndex?: number;
  /** deconvnet, top-patches: the feature's channel in `nodeId` (default 0). */
  readonly channel?: number;
  /** occlusion: the grey square's side and step in pixels (defaults: a quarter of the image, half that). */
  readonly size?: number;
  readonly stride?: number;
  /** top-patches, confusion: how many of the subset's first samples to read (defaults 500 and 2000). */
  readonly samples?: number;
  /** filters: also send the last training step's gradient of each filter tensor (`gradients` in the reply). */
  readonly withGradients?: boolean;
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
  /** For the analysis kinds. */
  readonly analysis?: VisualAnalysis;
  /** filters asked `withGradients`: one 8-bit gradient per tensor of `tensors`, or a note saying why there are none. */
  readonly gradients?: FilterGradients;
  /** Set instead of tensors when the request cannot be answered, saying why. */
  readonly error?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isKind = (value: unknown): value is VisualKind => value === 'filters' || value === 'activations' || isAnalysisKind(value);
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
  if (!isKind(m.kind)) return `kind must be one of ${VISUAL_KINDS.join(', ')}`;
  if (m.nodeId !== undefined && !isName(m.nodeId)) return 'nodeId must be a layer id';
  if (m.kind === 'filters' && m.nodeId === undefined) return 'a filters request needs the nodeId of a layer';
  if (m.nodes !== undefined && !(Array.isArray(m.nodes) && m.nodes.length <= 1000 && m.nodes.every(isName)))
    return 'nodes must be a list of layer ids';
  if (m.sample !== undefined && !isCount(m.sample)) return 'sample must be a whole number from 0';
  if (m.subset !== undefined && m.subset !== 'validation' && m.subset !== 'train') return "subset must be 'validation' or 'train'";
  if ((m.kind === 'deconvnet' || m.kind === 'top-patches') && m.nodeId === undefined)
    return `a ${m.kind} request needs the nodeId of a layer`;
  for (const key of ['classIndex', 'channel'] as const)
    if (m[key] !== undefined && !isCount(m[key])) return `${key} must be a whole number from 0`;
  for (const key of ['size', 'stride', 'samples'] as const)
    if (m[key] !== undefined && !(isCount(m[key]) && (m[key] as number) >= 1)) return `${key} must be a whole number from 1`;
  if (m.withGradients !== undefined && typeof m.withGradients !== 'boolean') return 'withGradients must be true or false';
  if (m.withGradients === true && m.kind !== 'filters') return 'withGradients goes with a filters request only';
  return null;
};

export const VISUAL_KINDS: readonly VisualKind[] = [
  'filters',
  'activations',
  'saliency',
  'gradcam',
  'occlusion',
  'deconvnet',
  'top-patches',
  'confusion',
];

const isMap = (value: unknown): boolean =>
  isRecord(value) &&
  typeof value.name === 'string' &&
  Array.isArray(value.shape) &&
  value.shape.every(isCount) &&
  typeof value.min === 'number' &&
  typeof value.scale === 'number' &&
  value.scale >= 0 &&
  value.data instanceof Uint8Array &&
  value.data.length === value.shape.reduce((product: number, n: number) => product * n, 1);

const checkAnalysis = (kind: unknown, analysis: unknown): string | null => {
  if (!isRecord(analysis) || analysis.kind !== kind) return 'analysis must be an object of the same kind as the reply';
  let maps: unknown[];
  try {
    maps = analysisMaps(analysis as unknown as VisualAnalysis);
  } catch {
    return `the ${String(kind)} analysis lacks its maps`;
  }
  return maps.every(isMap) ? null : 'every map of an analysis needs a name, shape, min, scale and one byte per value';
};

const isFiniteList = (value: unknown, length: number): value is number[] =>
  Array.isArray(value) && value.length === length && value.every((n) => typeof n === 'number' && Number.isFinite(n));

const isFilterGradient = (value: unknown): boolean =>
  isRecord(value) &&
  isName(value.name) &&
  Array.isArray(value.shape) &&
  value.shape.length === 4 &&
  value.shape.every(isCount) &&
  isFiniteList(value.mins, value.shape[0] as number) &&
  isFiniteList(value.scales, value.shape[0] as number) &&
  value.scales.every((scale) => scale >= 0) &&
  value.data instanceof Uint8Array &&
  value.data.length === value.shape.reduce((product: number, n: number) => product * n, 1);

const checkGradients = (kind: unknown, gradients: unknown, tensors: readonly VisualTensorMessage[]): string | null => {
  if (kind !== 'filters') return 'only a filters reply carries gradients';
  if (!isRecord(gradients) || !Array.isArray(gradients.tensors)) return 'gradients must be an object with a list of tensors';
  if (gradients.note !== undefined && typeof gradients.note !== 'string') return "gradients' note must be text";
  if (gradients.step !== undefined && !(isCount(gradients.step) && gradients.step >= 1))
    return "gradients' step must be a whole number from 1";
  if (gradients.note === undefined && (gradients.step === undefined || gradients.tensors.length !== tensors.length))
    return 'gradients need their step and one tensor per filter tensor, or a note saying why there are none';
  if (!gradients.tensors.every(isFilterGradient))
    return 'every gradient needs its name, a 4-D shape, one min and scale per filter and one byte per value';
  const mismatch = (gradients.tensors as { name: string; shape: number[] }[]).find(
    (gradient, i) => gradient.name !== tensors[i]?.name || gradient.shape.join() !== tensors[i].shape.join(),
  );
  return mismatch ? `the gradient ${mismatch.name} does not match its filter tensor` : null;
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
  if (m.gradients !== undefined) {
    const problem = checkGradients(m.kind, m.gradients, m.tensors as VisualTensorMessage[]);
    if (problem) return problem;
  }
  if (m.analysis !== undefined) return checkAnalysis(m.kind, m.analysis);
  return null;
};
