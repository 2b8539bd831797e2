/**
 * The explainer for a convolution: the input with the sliding window on it, the patch (im2col)
 * matrix with the window's row, the filter matrix with the chosen filter's column, and the output
 * with the window's position; their sizes; the numbers of the current row times column; and
 * whether the chosen filter's kernel is separable. Play steps the window over every position.
 */
import { useMemo, useState } from 'react';
import { productSizes, windowTaps } from '../../engine/viz/conv-matrices';
import type { NodeExplanation } from '../../engine/viz/explain-node';
import { describeRank, kernelRank } from '../../engine/viz/kernel-rank';
import { channelImage, IndexPicker, MarkedPicture, matrixImage, short, StepperControls, useStepper } from './explain-parts';

/** At most this many taps are listed as numbers. */
const TAPS_LISTED = 27;

type Conv = Extract<NodeExplanation, { kind: 'conv' }>;

export const ConvExplainer = ({
  explanation,
  bias,
  onGroup,
}: {
  explanation: Conv;
  bias: Float32Array | null;
  onGroup: (group: number) => void;
}) => {
  const { matrices, input, inputShape, outputShape, groups, nodeId } = explanation;
  const { window, patches, filters, product, firstChannel, firstFilter, group } = matrices;
  const [, inH, inW] = inputShape;
  const groupChannels = inputShape[0] / groups;
  const taps = window.kernelH * window.kernelW;
  const stepper = useStepper(patches.rows);
  const [chosenFilter, setFilter] = useState(0);
  const [chosenChannel, setChannel] = useState(0);
  const filter = Math.min(chosenFilter, filters.columns - 1);
  const channel = Math.min(chosenChannel, groupChannels - 1);
  const p = stepper.position;
  const oh = Math.floor(p / window.outW);
  const ow = p % window.outW;

  const inputImage = useMemo(() => channelImage(input, firstChannel + channel, inH, inW), [input, firstChannel, channel, inH, inW]);
  const patchImage = useMemo(() => matrixImage(patches.values, patches.rows, patches.columns), [patches]);
  const filterImage = useMemo(() => matrixImage(filters.values, filters.rows, filters.columns), [filters]);
  const outputImage = useMemo(() => {
    const column = Float32Array.from({ length: product.rows }, (_, r) => product.values[r * product.columns + filter]);
    return matrixImage(column, window.outH, window.outW);
  }, [product, filter, window]);
  const windowMarks = useMemo(
    () =>
      windowTaps(window, p, firstChannel, groupChannels)
        .filter((tap) => tap.channel === firstChannel + channel)
        .map((tap) => ({ row: tap.y, column: tap.x, outside: !tap.inside })),
    [window, p, firstChannel, groupChannels, channel],
  );
  const rank = useMemo(() => {
    const kernel = Array.from({ length: window.kernelH }, (_, i) =>
      Array.from(
        { length: window.kernelW },
        (_, j) => filters.values[(channel * taps + i * window.kernelW + j) * filters.columns + filter],
      ),
    );
    return describeRank(kernelRank(kernel));
  }, [filters, filter, channel, taps, window]);

  const row = Array.from({ length: patches.columns }, (_, t) => patches.values[p * patches.columns + t]);
  const column = Array.from({ length: filters.rows }, (_, t) => filters.values[t * filters.columns + filter]);
  const sum = product.values[p * product.columns + filter];
  const filterIndex = firstFilter + filter;
  const tapName = (t: number) => {
    const c = Math.floor(t / taps);
    return `c${firstChannel + c} (${Math.floor((t % taps) / window.kernelW)}, ${t % window.kernelW})`;
  };

  return (
    <div className="explain-view" data-testid="explain-conv" data-node={nodeId}>
      <p className="explain-sizes">
        patches · filters = output: <strong data-testid="explain-sizes">{productSizes(matrices)}</strong>
        <span className="muted">
          {' '}
          (rows: the {window.outH}×{window.outW} output positions; {patches.columns} = {groupChannels} channel{groupChannels > 1 ? 's' : ''}{' '}
          × {window.kernelH}×{window.kernelW}; {filters.columns} filter{filters.columns > 1 ? 's' : ''}
          {groups > 1 ? `, group ${group} of ${groups}` : ''})
        </span>
      </p>
      <div className="explain-row">
        <MarkedPicture
          image={inputImage}
          rows={inH}
          columns={inW}
          marks={windowMarks}
          label={`Input channel ${firstChannel + channel} with the window`}
          testId="explain-input"
          caption={`input ${inputShape.join('×')}, channel ${firstChannel + channel}`}
        />
        <MarkedPicture
          image={patchImage}
          rows={patches.rows}
          columns={patches.columns}
          marks={[{ row: p, column: 0, columns: patches.columns }]}
          label="The patch matrix, the window's row marked"
          testId="explain-patches"
          caption={`patches ${patches.rows} × ${patches.columns}`}
        />
        <MarkedPicture
          image={filterImage}
          rows={filters.rows}
          columns={filters.columns}
          marks={[{ row: 0, column: filter, rows: filters.rows }]}
          label="The filter matrix, the chosen filter's column marked"
          testId="explain-filters"
          caption={`filters ${filters.rows} × ${filters.columns}`}
        />
        <MarkedPicture
          image={outputImage}
          rows={window.outH}
          columns={window.outW}
          marks={[{ row: oh, column: ow }]}
          label={`Output map ${filterIndex} with the window's position`}
          testId="explain-output"
          caption={`output ${outputShape.join('×')}, map ${filterIndex}`}
        />
      </div>
      <StepperControls stepper={stepper} count={patches.rows} noun="position" />
      <div className="explain-pickers">
        <IndexPicker label="Group" value={group} count={groups} onChange={onGroup} />
        <IndexPicker label="Filter" value={filter} count={filters.columns} onChange={setFilter} />
        <IndexPicker label="Input channel" value={channel} count={groupChannels} onChange={setChannel} />
      </div>
      <p data-testid="explain-position" data-position={p}>
        position {p} of {patches.rows}: output row {oh}, column {ow}; the window starts at input row {oh * window.strideH - window.padTop},
        column {ow * window.strideW - window.padLeft}
        {windowMarks.some((mark) => mark.outside) ? ' (part of it in the padding, read as 0)' : ''}
      </p>
      <table className="explain-numbers" aria-label="The window's row times the filter's column">
        <thead>
          <tr>
            <th>tap</th>
            <th>input</th>
            <th>weight</th>
            <th>product</th>
          </tr>
        </thead>
        <tbody>
          {row.slice(0, TAPS_LISTED).map((value, t) => (
            <tr key={t}>
              <td>{tapName(t)}</td>
              <td>{short(value)}</td>
              <td>{short(column[t])}</td>
              <td>{short(value * column[t])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {row.length > TAPS_LISTED && (
        <p className="muted">
          … and {row.length - TAPS_LISTED} more taps ({row.length} in all).
        </p>
      )}
      <p data-testid="explain-sum">
        sum = <strong>{short(sum)}</strong>
        {bias ? `, plus the bias ${short(bias[filterIndex])} = ${short(sum + bias[filterIndex])}` : ''}: output map {filterIndex} at ({oh},{' '}
        {ow})
      </p>
      <p data-testid="explain-rank" className="muted">
        Filter {filterIndex}, channel {firstChannel + channel}: {rank}
      </p>
    </div>
  );
};
