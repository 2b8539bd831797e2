/** A bar between two panels that resizes one of them: drag it, or focus it and use the arrow keys. */
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { useStore } from './hooks';
import { PANEL_LIMITS, type PanelSize } from './layout-store';
import { layout } from './state';

interface SplitterProps {
  readonly panel: PanelSize;
  readonly label: string;
  /** 'x' resizes a width, 'y' a height; `grows` is +1 when moving right or down makes the panel bigger. */
  readonly axis: 'x' | 'y';
  readonly grows: 1 | -1;
}

const KEY_STEP = 16;

export const Splitter = ({ panel, label, axis, grows }: SplitterProps) => {
  const size = useStore(layout, (state) => state[panel]);
  const start = useRef<{ pointer: number; size: number } | null>(null);
  const at = (event: PointerEvent) => (axis === 'x' ? event.clientX : event.clientY);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    start.current = { pointer: at(event), size };
  };
  const onPointerMove = (event: PointerEvent) => {
    if (start.current) layout.setSize(panel, start.current.size + grows * (at(event) - start.current.pointer));
  };
  const onPointerUp = () => {
    start.current = null;
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const keys = axis === 'x' ? ['ArrowLeft', 'ArrowRight'] : ['ArrowUp', 'ArrowDown'];
    const step = event.key === keys[1] ? KEY_STEP : event.key === keys[0] ? -KEY_STEP : 0;
    if (!step) return;
    event.preventDefault();
    layout.setSize(panel, size + grows * step);
  };

  return (
    <div
      className={`splitter splitter-${axis}`}
      role="separator"
      aria-label={label}
      aria-orientation={axis === 'x' ? 'vertical' : 'horizontal'}
      aria-valuenow={size}
      aria-valuemin={PANEL_LIMITS[panel].min}
      aria-valuemax={PANEL_LIMITS[panel].max}
      tabIndex={0}
      data-testid={`splitter-${panel}`}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onKeyDown={onKeyDown}
    />
  );
};
