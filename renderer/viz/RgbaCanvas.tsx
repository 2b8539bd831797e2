/** An engine/viz picture on a <canvas>, pixel for pixel (ImageData), redrawn when it changes. */
import { useEffect, useRef } from 'react';
import type { RgbaImage } from '../../engine/viz/image';

interface Props {
  readonly image: RgbaImage;
  readonly label: string;
  readonly testId?: string;
  readonly className?: string;
}

export const RgbaCanvas = ({ image, label, testId, className }: Props) => {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    canvas.width = image.width;
    canvas.height = image.height;
    canvas.getContext('2d')?.putImageData(new ImageData(image.data, image.width, image.height), 0, 0);
  }, [image]);
  return <canvas ref={ref} role="img" aria-label={label} data-testid={testId} className={className ?? 'viz-canvas'} />;
};
