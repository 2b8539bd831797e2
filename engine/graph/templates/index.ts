/** The templates a new project can start from. */
import type { GraphDocument } from '../document';
import { convnet, dilated, lenet5 } from './classic';
import { autoencoder, unet } from './image-to-image';
import { factorised, mobilenet, resnet } from './modern';

export interface Template {
  readonly name: string;
  readonly build: () => GraphDocument;
}

/** In the order the start page and `cnn-studio new --list` show them. */
export const TEMPLATES: readonly Template[] = [
  { name: 'lenet5', build: lenet5 },
  { name: 'convnet', build: convnet },
  { name: 'mobilenet', build: mobilenet },
  { name: 'resnet', build: resnet },
  { name: 'autoencoder', build: autoencoder },
  { name: 'dilated', build: dilated },
  { name: 'factorised', build: factorised },
  { name: 'unet', build: unet },
];

export const findTemplate = (name: string): Template | undefined => TEMPLATES.find((template) => template.name === name);
