/** Helpers shared by the CPU layers in basic*.ts. */
import { elementCount } from '../../../graph/shape';
import type { CpuLayer, ForwardContext, WeightSpec } from '../types';

/**
 * A layer written against its own params interface, typed as the plain `CpuLayer` that the
 * `Record<LayerType, CpuLayer>` table holds (the plan always passes the node's canonical params).
 */
export const cpuLayer = <P>(layer: CpuLayer<P>): CpuLayer => layer as unknown as CpuLayer;

/** For layers without weights. */
export const noWeights = (): WeightSpec[] => [];

/** Elements in the whole batch of the layer's output. */
export const outputCount = (ctx: ForwardContext<unknown>): number => ctx.batch * elementCount(ctx.outputShape);
