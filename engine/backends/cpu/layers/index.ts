/** The CPU backend's layer table: one entry per layer type, or the compiler says which is missing. */
import type { LayerType } from '../../../graph/layer-types';
import type { AnyCpuLayer } from '../types';
import { BASIC_CPU_LAYERS } from './basic';
import {
  conv2dLayer,
  convTranspose2dLayer,
  denseLayer,
  depthwiseConv2dLayer,
  separableConv2dLayer,
  spatiallySeparableConv2dLayer,
} from './convolution';

export const CPU_LAYERS: Readonly<Record<LayerType, AnyCpuLayer>> = {
  ...BASIC_CPU_LAYERS,
  Conv2D: conv2dLayer,
  DepthwiseConv2D: depthwiseConv2dLayer,
  SeparableConv2D: separableConv2dLayer,
  SpatiallySeparableConv2D: spatiallySeparableConv2dLayer,
  ConvTranspose2D: convTranspose2dLayer,
  Dense: denseLayer,
};
