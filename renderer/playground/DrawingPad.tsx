/**
 * A square to draw on with the mouse, a pen or a finger: white ink on black, as MNIST's digits
 * are. Each pointer move paints a round-capped segment and calls `onInk`; an image file dropped
 * on it is handed to `onFile`.
 */
import { useRef, type DragEvent, type PointerEvent, type RefObject } from 'react';

/** The pad's size in canvas pixels (and on screen). */
export const PAD_SIZE = 224;

interface Props {
  readonly canvas: RefObject<HTMLCanvasElement | null>;
  /** The brush's diameter in pad pixels. */
  readonly brush: number;
  readonly onInk: () => void;
  readonly onFile: (file: File) => void;
}

/** Paints the pad black. */
export const clearPad = (canvas: HTMLCanvasElement): void => {
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
};

export const DrawingPad = ({ canvas, brush, onInk, onFile }: Props) => {
  const last = useRef<{ x: number; y: number } | null>(null);

  const at = (event: PointerEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: ((event.clientX - box.left) * PAD_SIZE) / box.width, y: ((event.clientY - box.top) * PAD_SIZE) / box.height };
  };

  const paint = (to: { x: number; y: number }) => {
    const context = canvas.current?.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    const from = last.current ?? to;
    context.strokeStyle = '#fff';
    context.lineWidth = brush;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
    last.current = to;
    onInk();
  };

  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  };

  return (
    <div className="playground-pad" onDragOver={(event) => event.preventDefault()} onDrop={drop}>
      <canvas
        ref={canvas}
        width={PAD_SIZE}
        height={PAD_SIZE}
        data-testid="playground-pad"
        aria-label="Drawing pad: draw a digit here, or drop an image"
        onPointerDown={(event) => {
          event.currentTarget.setPointerCapture(event.pointerId);
          last.current = null;
          paint(at(event));
        }}
        onPointerMove={(event) => {
          if (last.current) paint(at(event));
        }}
        onPointerUp={() => (last.current = null)}
        onPointerCancel={() => (last.current = null)}
      />
    </div>
  );
};
