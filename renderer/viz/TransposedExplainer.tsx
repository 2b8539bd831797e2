/**
 * The explainer for a transposed convolution: one block of C, the matrix of the convolution it
 * reverses (rows: input pixels, columns: output pixels, for the chosen input and output channel),
 * and the output y = Cᵀ x. Each input pixel's row of C is the kernel laid where that pixel
 * scatters: play steps the pixel and marks the output patch it adds into.
 */
import { useMemo, useState } from 'react';
import type { NodeExplanation } from '../../engine/viz/explain-node';
import { scatterTargets, transposedBlock, transposedTimes } from '../../engine/viz/transposed-matrix';
import { channelImage, IndexPicker, MarkedPicture, matrixImage, short, StepperControls, useStepper } from './explain-parts';

type Transposed = Extract<NodeExplanation, { kind: 'transposed' }>;

export const TransposedExplainer = ({ explanation }: { explanation: Transposed }) => {
  const { window, groups, weight, input, inputShape, outputShape, nodeId } = explanation;
  const [inChannels, inH, inW] = inputShape;
  const [outChannels, outH, outW] = outputShape;
  const [chosenIn, setIn] = useState(0);
  const [chosenOut, setOut] = useState(0);
  const inChannel = Math.min(chosenIn, inChannels - 1);
  // an output channel of the input channel's group (other blocks are zero)
  const groupOut = outChannels / groups;
  const group = Math.floor(inChannel / (inChannels / groups));
  const outChannel = group * groupOut + Math.min(chosenOut, groupOut - 1);
  const stepper = useStepper(inH * inW);
  const p = stepper.position;

  const block = useMemo(
    () => transposedBlock({ window, inChannels, groups, weight, inChannel, outChannel }),
    [window, inChannels, groups, weight, inChannel, outChannel],
  );
  const blockImage = useMemo(() => matrixImage(block.values, block.rows, block.columns), [block]);
  const inputImage = useMemo(() => channelImage(input, inChannel, inH, inW), [input, inChannel, inH, inW]);
  // y's channel: Cᵀ x summed over the input channels of the group
  const output = useMemo(() => {
    const sum = new Float32Array(outH * outW);
    const groupIn = inChannels / groups;
    for (let c = group * groupIn; c < (group + 1) * groupIn; c++) {
      const part = transposedTimes(transposedBlock({ window, inChannels, groups, weight, inChannel: c, outChannel }), input, c * inH * inW);
      part.forEach((value, i) => (sum[i] += value));
    }
    return sum;
  }, [window, inChannels, groups, weight, outChannel, input, group, inH, inW, outH, outW]);
  const outputImage = useMemo(() => matrixImage(output, outH, outW), [output, outH, outW]);
  const targets = scatterTargets(window, p);

  return (
    <div className="explain-view" data-testid="explain-transposed" data-node={nodeId}>
      <p className="explain-sizes">
        y = Cᵀ x, per channel pair:{' '}
        <strong data-testid="explain-sizes">
          {block.columns} × {block.rows} · {block.rows} = {block.columns}
        </strong>
        <span className="muted">
          {' '}
          (C is the {inChannels * block.rows} × {outChannels * block.columns} matrix of the stride-{window.strideH} convolution from{' '}
          {outputShape.join('×')} back to {inputShape.join('×')}; shown: its block for input channel {inChannel} and output channel{' '}
          {outChannel})
        </span>
      </p>
      <div className="explain-row">
        <MarkedPicture
          image={inputImage}
          rows={inH}
          columns={inW}
          marks={[{ row: Math.floor(p / inW), column: p % inW }]}
          label={`Input channel ${inChannel}, the scattering pixel marked`}
          testId="explain-input"
          caption={`x: input ${inputShape.join('×')}, channel ${inChannel}`}
        />
        <MarkedPicture
          image={blockImage}
          rows={block.rows}
          columns={block.columns}
          marks={[{ row: p, column: 0, columns: block.columns }]}
          label="A block of C, the pixel's row marked"
          testId="explain-matrix"
          caption={`C block ${block.rows} × ${block.columns} (Cᵀ: ${block.columns} × ${block.rows})`}
        />
        <MarkedPicture
          image={outputImage}
          rows={outH}
          columns={outW}
          marks={targets.map((target) => ({ row: Math.floor(target.output / outW), column: target.output % outW }))}
          label={`Output channel ${outChannel}, where the pixel scatters marked`}
          testId="explain-output"
          caption={`y: output ${outputShape.join('×')}, channel ${outChannel} (bias aside)`}
        />
      </div>
      <StepperControls stepper={stepper} count={inH * inW} noun="input pixel" />
      <div className="explain-pickers">
        <IndexPicker label="Input channel" value={inChannel} count={inChannels} onChange={setIn} />
        <IndexPicker label="Output channel" value={outChannel - group * groupOut} count={groupOut} onChange={setOut} />
      </div>
      <p data-testid="explain-position" data-position={p}>
        input pixel {p} ({Math.floor(p / inW)}, {p % inW}) = {short(input[inChannel * inH * inW + p])} adds itself times the kernel into{' '}
        {targets.length} output pixels: row {p} of C is that kernel laid where it lands, which makes column {p} of Cᵀ.
      </p>
    </div>
  );
};
