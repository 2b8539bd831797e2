/**
 * Pieces the convolution explainer's views share: a matrix or map drawn as an image at a fixed
 * size with highlighted cells laid over it (so a step of the animation moves a box, not the
 * picture), the play / step controls, and the animation clock.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { signedMap, stretchedImage } from '../../engine/viz/heatmap';
import type { RgbaImage } from '../../engine/viz/image';
import { RgbaCanvas } from './RgbaCanvas';

/** How long one animation step shows. */
export const STEP_MS = 250;

/** The largest and smallest side a picture is drawn at, in CSS pixels. */
const LARGEST = 150;
const SMALLEST = 40;

/** A rectangle of cells: rows and columns from, and how many. */
export interface Cells {
  readonly row: number;
  readonly column: number;
  readonly rows?: number;
  readonly columns?: number;
  /** Drawn dashed: the cell lies in the padding. */
  readonly outside?: boolean;
}

const percent = (part: number, whole: number) => `${(100 * part) / whole}%`;

/** A picture of `rows` × `columns` cells, stretched to fit LARGEST, with `marks` outlined over it. */
export const MarkedPicture = ({
  image,
  rows,
  columns,
  marks,
  label,
  testId,
  caption,
}: {
  image: RgbaImage;
  rows: number;
  columns: number;
  marks: readonly Cells[];
  label: string;
  testId: string;
  caption: ReactNode;
}) => {
  const scale = LARGEST / Math.max(rows, columns);
  const width = Math.max(SMALLEST, Math.round(columns * scale));
  const height = Math.max(SMALLEST, Math.round(rows * scale));
  return (
    <figure className="explain-figure">
      <div className="explain-picture" style={{ width, height }}>
        <RgbaCanvas image={image} label={label} testId={testId} className="explain-canvas" />
        {marks.map((mark, index) => (
          <span
            key={index}
            className={mark.outside ? 'explain-mark outside' : 'explain-mark'}
            style={{
              top: percent(mark.row, rows),
              left: percent(mark.column, columns),
              height: percent(mark.rows ?? 1, rows),
              width: percent(mark.columns ?? 1, columns),
            }}
          />
        ))}
      </div>
      <figcaption className="muted">{caption}</figcaption>
    </figure>
  );
};

/** A row-major matrix in the diverging colours. */
export const matrixImage = (values: Float32Array, rows: number, columns: number): RgbaImage => signedMap(values, columns, rows);

/** One channel of a [C, H, W] tensor in grey, stretched to its range. */
export const channelImage = (values: Float32Array, channel: number, height: number, width: number): RgbaImage =>
  stretchedImage(values.subarray(channel * height * width, (channel + 1) * height * width), [1, height, width]);

/** The animated position: steps through 0 … count − 1 once every STEP_MS while playing (never while the page is hidden). */
export const useStepper = (count: number) => {
  const [position, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const at = Math.min(position, Math.max(0, count - 1));
  useEffect(() => {
    if (!playing || count < 2) return;
    let last = performance.now();
    let frame = requestAnimationFrame(function tick(now) {
      if (now - last >= STEP_MS) {
        last = now;
        setPosition((p) => (Math.min(p, count - 1) + 1) % count);
      }
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, count]);
  const step = (by: number) => {
    setPlaying(false);
    setPosition((p) => (((Math.min(p, count - 1) + by) % count) + count) % count);
  };
  return { position: at, playing, setPlaying, setPosition, step };
};

/** Play / pause, step back and forward, and a slider over the positions. */
export const StepperControls = ({ stepper, count, noun }: { stepper: ReturnType<typeof useStepper>; count: number; noun: string }) => (
  <div className="explain-controls">
    <button onClick={() => stepper.step(-1)} aria-label={`Previous ${noun}`} title={`Previous ${noun}`}>
      ◀
    </button>
    <button onClick={() => stepper.setPlaying(!stepper.playing)} aria-pressed={stepper.playing}>
      {stepper.playing ? 'Pause' : 'Play'}
    </button>
    <button onClick={() => stepper.step(1)} aria-label={`Next ${noun}`} title={`Next ${noun}`}>
      ▶
    </button>
    <input
      type="range"
      min={0}
      max={Math.max(0, count - 1)}
      value={stepper.position}
      aria-label={`The ${noun}`}
      onChange={(e) => {
        stepper.setPlaying(false);
        stepper.setPosition(Number(e.target.value));
      }}
    />
  </div>
);

/** A number shown short. */
export const short = (value: number): string =>
  Math.abs(value) < 1e-4 && value !== 0 ? value.toExponential(1) : String(Number(value.toFixed(4)));

/** A picker of 0 … count − 1, shown only when there is a choice. */
export const IndexPicker = ({
  label,
  value,
  count,
  onChange,
}: {
  label: string;
  value: number;
  count: number;
  onChange: (value: number) => void;
}) =>
  count < 2 ? null : (
    <label className="viz-inline">
      {label}
      <select aria-label={label} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {Array.from({ length: count }, (_, index) => (
          <option key={index} value={index}>
            {index}
          </option>
        ))}
      </select>
    </label>
  );
