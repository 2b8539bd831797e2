/** Every layer type CNN Studio knows, in palette order. Per-layer tables are `Record<LayerType, …>`. */
export const LAYER_TYPES = [
  'Input',
  'Conv2D',
  'DepthwiseConv2D',
  'SeparableConv2D',
  'SpatiallySeparableConv2D',
  'ConvTranspose2D',
  'MaxPool2D',
  'AvgPool2D',
  'GlobalAvgPool',
  'GlobalMaxPool',
  'BatchNorm2D',
  'Dropout',
  'Flatten',
  'Dense',
  'Add',
  'Concat',
  'Upsample',
  'ReLU',
  'LeakyReLU',
  'Sigmoid',
  'Tanh',
  'GELU',
  'Softmax',
  'ClassificationHead',
  'RegressionHead',
  'BinaryHead',
  'ImageHead',
] as const;

export type LayerType = (typeof LAYER_TYPES)[number];

export const isLayerType = (value: unknown): value is LayerType =>
  typeof value === 'string' && (LAYER_TYPES as readonly string[]).includes(value);
