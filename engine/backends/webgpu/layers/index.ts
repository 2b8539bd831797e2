/**
 * The WebGPU backend's layer table: one entry per layer type, or the compiler says which is
 * missing. Every type of the catalogue runs on the GPU, so `auto` never has to fall back to the
 * CPU because of a layer.
 */
import type { LayerType } from '../../../graph/layer-types';
import { BASIC_GPU_LAYERS } from './basic';
import {
  conv2dLayer,
  convTranspose2dLayer,
  denseLayer,
  depthwiseConv2dLayer,
  separableConv2dLayer,
  spatiallySeparableConv2dLayer,
} from './convolution';
import type { AnyGpuLayer } from './types';

export type GpuLayerTable = Readonly<Record<LayerType, AnyGpuLayer>>;

export const GPU_LAYERS: GpuLayerTable = {
  ...BASIC_GPU_LAYERS,
  Conv2D: conv2dLayer,
  DepthwiseConv2D: depthwiseConv2dLayer,
  SeparableConv2D: separableConv2dLayer,
  SpatiallySeparableConv2D: spatiallySeparableConv2dLayer,
  ConvTranspose2D: convTranspose2dLayer,
  Dense: denseLayer,
};

export type { AnyGpuLayer, GpuBackwardContext, GpuForwardContext, GpuLayer } from './types';
