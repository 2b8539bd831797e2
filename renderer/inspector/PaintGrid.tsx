/**
 * A filter's values as coloured cells to paint with the mouse: press and drag over the cells to
 * set each one to the brush value; the right button, or Shift, erases to 0. Each stroke (press
 * to release) is one undo step: `onPaint` gets the stroke's number, which the caller makes the
 * edits' merge key, and `onStrokeEnd` ends the merging. `PaintControls` turns painting on and
 * sets the brush.
 */
import { useEffect, useRef, useState } from 'react';
import { diverging } from '../../engine/viz/colour';

interface Props {
  readonly kernel: readonly (readonly number[])[];
  /** The cells' names: `${label} row r column c`. */
  readonly label: string;
  readonly brush: number;
  readonly onPaint: (row: number, column: number, value: number, stroke: number) => void;
  readonly onStrokeEnd: () => void;
}

/** Strokes are numbered across every grid, so two strokes in a row are never merged. */
let strokes = 0;

const shown = (value: number): string => String(Number(value.toPrecision(3)));

const colourOf = (value: number, largest: number): string => {
  const rgb: [number, number, number] = [0, 0, 0];
  diverging(largest > 0 ? value / largest : 0, rgb);
  return `rgb(${rgb.join(', ')})`;
};

export const PaintGrid = ({ kernel, label, brush, onPaint, onStrokeEnd }: Props) => {
  /** The stroke under way, its value, and the cells it has set (each cell is painted once a stroke). */
  const stroke = useRef<{ number: number; value: number; done: Set<string> } | null>(null);
  const largest = Math.max(...kernel.flat().map(Math.abs), Math.abs(brush));
  const width = kernel[0]?.length ?? 0;

  useEffect(() => {
    const end = () => {
      if (!stroke.current) return;
      stroke.current = null;
      onStrokeEnd();
    };
    window.addEventListener('pointerup', end);
    window.addEventListener('blur', end);
    return () => {
      window.removeEventListener('pointerup', end);
      window.removeEventListener('blur', end);
    };
  }, [onStrokeEnd]);

  const paint = (row: number, column: number) => {
    const current = stroke.current;
    if (!current || current.done.has(`${row}.${column}`)) return;
    current.done.add(`${row}.${column}`);
    onPaint(row, column, current.value, current.number);
  };

  return (
    <div
      className="filter-values filter-paint"
      style={{ gridTemplateColumns: `repeat(${width}, 1fr)` }}
      data-testid="filter-paint"
      onContextMenu={(event) => event.preventDefault()}
    >
      {kernel.map((values, r) =>
        values.map((value, c) => (
          <div
            key={`${r}.${c}`}
            className="filter-paint-cell"
            role="gridcell"
            aria-label={`${label} row ${r} column ${c}`}
            data-value={value}
            style={{ background: colourOf(value, largest), color: Math.abs(value) > largest / 2 ? '#fff' : '#111' }}
            onPointerDown={(event) => {
              if (event.button !== 0 && event.button !== 2) return;
              event.preventDefault();
              stroke.current = { number: ++strokes, value: event.button === 2 || event.shiftKey ? 0 : brush, done: new Set() };
              paint(r, c);
            }}
            onPointerEnter={() => paint(r, c)}
          >
            {shown(value)}
          </div>
        )),
      )}
    </div>
  );
};

/** Paint mode on or off, and the brush value: a slider from -2 to 2 and a field for any number. */
export const PaintControls = ({
  painting,
  brush,
  onPainting,
  onBrush,
}: {
  painting: boolean;
  brush: number;
  onPainting: (painting: boolean) => void;
  onBrush: (brush: number) => void;
}) => {
  const [text, setText] = useState(String(brush));
  useEffect(() => {
    if (Number(text) !== brush) setText(String(brush));
  }, [brush]);
  return (
    <div className="filter-paint-controls">
      <label>
        <input type="checkbox" aria-label="Paint the values" checked={painting} onChange={(event) => onPainting(event.target.checked)} />
        Paint
      </label>
      {painting && (
        <>
          <input
            type="range"
            min={-2}
            max={2}
            step={0.1}
            aria-label="Brush value slider"
            value={Math.max(-2, Math.min(2, brush))}
            onChange={(event) => onBrush(Number(event.target.value))}
          />
          <input
            type="text"
            className="filter-value brush-value"
            aria-label="Brush value"
            value={text}
            aria-invalid={Number.isFinite(Number(text)) && text.trim() !== '' ? undefined : true}
            spellCheck={false}
            onChange={(event) => {
              setText(event.target.value);
              const value = Number(event.target.value);
              if (event.target.value.trim() !== '' && Number.isFinite(value)) onBrush(value);
            }}
          />
        </>
      )}
    </div>
  );
};
