/**
 * Follows a scroll container (its size and scroll position) and says which tiles of a windowed
 * grid to put in the page (grid-window.ts). The component re-renders only when that range or
 * the number of columns changes, not on every scrolled pixel.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { gridWindow, type GridWindow } from './grid-window';

export interface TileSize {
  readonly count: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly gap: number;
  readonly overscanRows: number;
}

const same = (a: GridWindow, b: GridWindow): boolean =>
  a.columns === b.columns && a.rows === b.rows && a.totalHeight === b.totalHeight && a.first === b.first && a.end === b.end;

export const useGridWindow = (size: TileSize): [(element: HTMLDivElement | null) => void, GridWindow] => {
  const element = useRef<HTMLDivElement | null>(null);
  const sizeRef = useRef(size);
  sizeRef.current = size;
  const measure = useCallback(
    (): GridWindow =>
      gridWindow({
        ...sizeRef.current,
        viewportWidth: element.current?.clientWidth ?? 0,
        viewportHeight: element.current?.clientHeight ?? 0,
        scrollTop: element.current?.scrollTop ?? 0,
      }),
    [],
  );
  const [shown, setShown] = useState<GridWindow>(measure);
  const update = useCallback(() => {
    const next = measure();
    setShown((current) => (same(current, next) ? current : next));
  }, [measure]);

  const cleanup = useRef<(() => void) | null>(null);
  const ref = useCallback(
    (node: HTMLDivElement | null) => {
      cleanup.current?.();
      cleanup.current = null;
      element.current = node;
      if (!node) return;
      const observer = new ResizeObserver(update);
      observer.observe(node);
      node.addEventListener('scroll', update, { passive: true });
      cleanup.current = () => {
        observer.disconnect();
        node.removeEventListener('scroll', update);
      };
      update();
    },
    [update],
  );
  // A new count or tile size: the range follows at once.
  useEffect(update, [size.count, size.tileWidth, size.tileHeight, size.gap, size.overscanRows, update]);
  return [ref, shown];
};
