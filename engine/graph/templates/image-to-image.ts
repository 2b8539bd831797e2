/** Networks whose output is an image: an autoencoder and a small U-Net. */
import type { GraphDocument } from '../document';
import { GraphBuilder } from './builder';

/** Strided convolutions encode 28×28 to 7×7; transposed convolutions decode it back. */
export const autoencoder = (): GraphDocument => {
  const g = new GraphBuilder(
    'Convolutional autoencoder',
    'An encoder of strided convolutions squeezes the image to 32×7×7; a decoder of transposed convolutions (deconvolutions) rebuilds it, trained to reproduce its input.',
  );
  g.add('input', 'Input', { channels: 1, height: 28, width: 28 });
  g.add('enc1', 'Conv2D', { filters: 16, kernel: 3, stride: 2, padding: 'same' });
  g.add('enc_relu1', 'ReLU');
  g.add('enc2', 'Conv2D', { filters: 32, kernel: 3, stride: 2, padding: 'same' });
  g.add('enc_relu2', 'ReLU');
  g.add('dec1', 'ConvTranspose2D', { filters: 16, kernel: 3, stride: 2, padding: 1, outputPadding: 1 });
  g.add('dec_relu1', 'ReLU');
  g.add('dec2', 'ConvTranspose2D', { filters: 1, kernel: 3, stride: 2, padding: 1, outputPadding: 1 });
  g.add('sigmoid', 'Sigmoid');
  g.add('output', 'ImageHead', { loss: 'mse' });
  return g.build();
};

/** A one-level U-Net: the upsampled path is concatenated with the encoder's features. */
export const unet = (): GraphDocument => {
  const g = new GraphBuilder(
    'Small U-Net (segmentation)',
    'One level of U-Net (Ronneberger et al. 2015): encode, pool, upsample, and concatenate with the full-resolution features so the mask keeps fine detail.',
  );
  g.add('input', 'Input', { channels: 1, height: 28, width: 28 });
  g.add('enc1', 'Conv2D', { filters: 16, kernel: 3, padding: 'same' });
  const skip = g.add('enc_relu1', 'ReLU');
  g.add('pool', 'MaxPool2D', { kernel: 2 });
  g.add('enc2', 'Conv2D', { filters: 32, kernel: 3, padding: 'same' });
  g.add('enc_relu2', 'ReLU');
  const up = g.add('up', 'Upsample', { scale: 2, mode: 'bilinear' });
  g.add('concat', 'Concat', {}, [skip, up]);
  g.add('dec1', 'Conv2D', { filters: 16, kernel: 3, padding: 'same' });
  g.add('dec_relu1', 'ReLU');
  g.add('mask', 'Conv2D', { filters: 1, kernel: 1 });
  g.add('output', 'ImageHead', { loss: 'bce' });
  return g.build();
};
