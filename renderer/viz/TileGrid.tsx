/**
 * A scrolling grid of same-sized tiles that puts only the tiles in view (and a row or two either
 * side) in the page, so a layer of 512 channels costs what the 30 or so on screen cost. Where
 * tiles are not drawn yet (a fast scroll), grey placeholders show the grid's shape.
 */
import type { CSSProperties, ReactNode } from 'react';
import { TILE_GAP as GAP, tileOffset } from './grid-window';
import { useGridWindow } from './useGridWindow';

interface Props {
  readonly count: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  /** The scroll container's height at most, in CSS pixels. */
  readonly maxHeight: number;
  /** The tile of index `index` (positioned by the grid). */
  readonly tile: (index: number) => ReactNode;
  /** What a tile shows on hover (its channel, say). */
  readonly titleOf: (index: number) => string;
  readonly label: string;
  readonly testId?: string;
}

const OVERSCAN_ROWS = 2;

/** Grey boxes where `columns` × `rows` tiles go, drawn by one CSS background. */
const placeholders = (columns: number, rows: number, width: number, height: number, top: number): CSSProperties => ({
  top,
  width: columns * (width + GAP) - GAP,
  height: rows * (height + GAP) - GAP,
  backgroundSize: `${width + GAP}px ${height + GAP}px`,
});

export const TileGrid = ({ count, tileWidth, tileHeight, maxHeight, tile, titleOf, label, testId }: Props) => {
  const [ref, shown] = useGridWindow({ count, tileWidth, tileHeight, gap: GAP, overscanRows: OVERSCAN_ROWS });
  const { columns, totalHeight, first, end } = shown;
  const fullRows = Math.floor(count / columns);
  const rest = count - fullRows * columns;
  const tiles: ReactNode[] = [];
  for (let index = first; index < end; index++) {
    const { left, top } = tileOffset(index, columns, tileWidth, tileHeight, GAP);
    tiles.push(
      <div
        key={index}
        className="tile-grid-tile"
        data-channel={index}
        title={titleOf(index)}
        style={{ left, top, width: tileWidth, height: tileHeight }}
      >
        {tile(index)}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      className="tile-grid"
      role="group"
      aria-label={label}
      data-testid={testId}
      data-first={first}
      data-end={end}
      style={{ maxHeight }}
    >
      <div className="tile-grid-space" style={{ height: totalHeight }}>
        {fullRows > 0 && <div className="tile-grid-placeholders" style={placeholders(columns, fullRows, tileWidth, tileHeight, 0)} />}
        {rest > 0 && (
          <div className="tile-grid-placeholders" style={placeholders(rest, 1, tileWidth, tileHeight, fullRows * (tileHeight + GAP))} />
        )}
        {tiles}
      </div>
    </div>
  );
};
