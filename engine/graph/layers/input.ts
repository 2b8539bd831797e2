import { defineLayer } from '../layer';
import { LIMITS } from '../params';

export interface InputParams {
  channels: number;
  height: number;
  width: number;
}

export const input = defineLayer<InputParams>({
  type: 'Input',
  category: 'input',
  title: 'Input',
  summary: 'The images the network sees: channels × height × width.',
  help:
    'Every network starts here. A grey image has 1 channel, a colour image 3 (red, green, blue). ' +
    'Shapes in CNN Studio are written channels × height × width, for one sample; the batch is added when training.',
  inputs: { min: 0, max: 0 },
  params: {
    channels: { kind: 'int', label: 'Channels', help: '1 for grey images, 3 for colour.', default: 1, min: 1, max: LIMITS.channels },
    height: { kind: 'int', label: 'Height', help: 'Image height in pixels.', default: 28, min: 1, max: LIMITS.spatial },
    width: { kind: 'int', label: 'Width', help: 'Image width in pixels.', default: 28, min: 1, max: LIMITS.spatial },
  },
  infer: ({ params }) => ({ shape: [params.channels, params.height, params.width], params: 0, macs: 0 }),
});
