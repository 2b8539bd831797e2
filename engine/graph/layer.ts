/**
 * What a layer type is: its parameters, the shapes it accepts and produces, and what it costs.
 * Each type is defined once (engine/graph/layers/) and everything else reads it from there.
 */
import type { IssueCode } from './issues';
import type { LayerType } from './layer-types';
import type { ParamSchema } from './params';
import type { Shape } from './shape';

export type LayerCategory = 'input' | 'convolution' | 'pooling' | 'normalisation' | 'structure' | 'activation' | 'head';

/** For a factorised convolution: how it compares with the standard convolution it replaces. */
export interface Comparison {
  /** e.g. "standard 3×3 convolution, 32 → 64 channels" */
  readonly replaces: string;
  readonly standardParams: number;
  readonly standardMacs: number;
  /** This layer's parameters divided by the standard convolution's. */
  readonly paramRatio: number;
  /** This layer's multiply-adds divided by the standard convolution's. */
  readonly macRatio: number;
}

export interface LayerResult {
  readonly shape: Shape;
  /** Trainable weights (what PyTorch's `parameters()` counts). */
  readonly params: number;
  /** Non-trainable state that is saved with the weights, such as batch norm's running statistics. */
  readonly buffers?: number;
  /** Multiply-adds of one forward pass over one sample (conventions in docs/ARCHITECTURE.md). */
  readonly macs: number;
  /** Each output dimension's formula with its numbers, e.g. "H: ⌊(28 + 2 + 2 − 5) / 1⌋ + 1 = 28". */
  readonly formulas?: readonly string[];
  readonly comparison?: Comparison;
}

export interface InferContext<P> {
  readonly nodeId: string;
  readonly params: P;
  /** The shapes arriving at the input ports, in port order. */
  readonly inputs: readonly Shape[];
  /** The types of the nodes feeding each port. */
  readonly inputTypes: readonly LayerType[];
  /** The shape of the graph's Input node, when it is known. */
  readonly graphInput: Shape | null;
  /** Reports a problem with this node; the message is prefixed with the node id. */
  error(code: IssueCode, message: string, param?: string): void;
  warn(code: IssueCode, message: string, param?: string): void;
}

export interface LayerDefinition<P> {
  readonly type: LayerType;
  readonly category: LayerCategory;
  /** Name in the palette, e.g. "Convolution". */
  readonly title: string;
  /** One line for the palette. */
  readonly summary: string;
  /** A paragraph that teaches the concept. */
  readonly help: string;
  /** How many incoming edges the layer takes; Add and Concat take several, one per port. */
  readonly inputs: { readonly min: number; readonly max: number };
  readonly params: ParamSchema<P>;
  /** Output shape and cost from the input shapes, or null after reporting what is wrong. */
  infer(context: InferContext<P>): LayerResult | null;
}

/** A definition with its params type erased, for tables of all layers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLayerDefinition = LayerDefinition<any>;

export const defineLayer = <P>(definition: LayerDefinition<P>): LayerDefinition<P> => definition;
