/**
 * The Visualise panel's analysis tabs: Attribution (saliency, Grad-CAM and occlusion for the
 * sample and a class), Deconvnet (a feature's projection to pixels, and its top-9 patches with
 * their projections) and Confusion (the matrix, per-class accuracy, and a gallery of the mistakes
 * of the chosen cell; a click on one shows it in the other tabs).
 */
import { useMemo, type ReactNode } from 'react';
import type { VisualReply } from '../../electron/api';
import type { ConfusionAnalysis } from '../../engine/viz/analysis';
import { imagePicture, overlayPicture, signedPicture } from './analysis-pictures';
import { analysis } from './analysis-store';
import { RgbaCanvas } from './RgbaCanvas';
import { viz } from './viz-store';

const percent = (p: number) => `${(p * 100).toFixed(0)}%`;

export const ClassPicker = ({ classes, value }: { classes: number; value: number | null }) => (
  <label className="viz-inline">
    Class{' '}
    <select
      aria-label="Class"
      value={value ?? ''}
      onChange={(e) => analysis.setClass(e.target.value === '' ? null : Number(e.target.value))}
    >
      <option value="">predicted</option>
      {Array.from({ length: classes }, (_, k) => (
        <option key={k} value={k}>
          {k}
        </option>
      ))}
    </select>
  </label>
);

const Figure = ({ testId, title, caption, children }: { testId: string; title: string; caption: string; children: ReactNode }) => (
  <figure className="viz-figure" data-testid={testId}>
    <h4>{title}</h4>
    {children}
    <figcaption className="muted">{caption}</figcaption>
  </figure>
);

export const AttributionView = ({ replies }: { replies: Partial<Record<string, VisualReply>> }) => {
  const salient = replies.saliency?.analysis?.kind === 'saliency' ? replies.saliency : null;
  const cam = replies.gradcam?.analysis?.kind === 'gradcam' ? replies.gradcam : null;
  const occluded = replies.occlusion?.analysis?.kind === 'occlusion' ? replies.occlusion : null;
  const saliencyPicture = useMemo(
    () => (salient?.sample && salient.analysis?.kind === 'saliency' ? overlayPicture(salient.sample.input, salient.analysis.map) : null),
    [salient],
  );
  const camPicture = useMemo(
    () => (cam?.sample && cam.analysis?.kind === 'gradcam' ? overlayPicture(cam.sample.input, cam.analysis.map) : null),
    [cam],
  );
  const occlusionPicture = useMemo(
    () => (occluded?.analysis?.kind === 'occlusion' ? signedPicture(occluded.analysis.map) : null),
    [occluded],
  );
  return (
    <div className="viz-row">
      {salient?.analysis?.kind === 'saliency' && saliencyPicture && (
        <Figure
          testId="viz-saliency"
          title={`Saliency for class ${salient.analysis.classIndex}`}
          caption={`|d score / d pixel|; score ${salient.analysis.score.toFixed(2)}, p ${percent(salient.analysis.probability)}`}
        >
          <RgbaCanvas image={saliencyPicture} label="saliency map" testId="saliency-map" />
        </Figure>
      )}
      {cam?.analysis?.kind === 'gradcam' && camPicture && (
        <Figure
          testId="viz-gradcam"
          title={`Grad-CAM at ${cam.analysis.layer}`}
          caption={`${cam.analysis.coarse.shape.join('×')} map, upsampled; class ${cam.analysis.classIndex}`}
        >
          <RgbaCanvas image={camPicture} label="Grad-CAM map" testId="gradcam-map" />
        </Figure>
      )}
      {occluded?.analysis?.kind === 'occlusion' && occlusionPicture && (
        <Figure
          testId="viz-occlusion"
          title="Occlusion"
          caption={`p ${percent(occluded.analysis.baseline)} uncovered; red: probability lost under a ${occluded.analysis.size}-pixel grey square`}
        >
          <RgbaCanvas image={occlusionPicture} label="occlusion sensitivity map" testId="occlusion-map" />
        </Figure>
      )}
    </div>
  );
};

export const DeconvnetView = ({ replies, channel }: { replies: Partial<Record<string, VisualReply>>; channel: number }) => {
  const projected = replies.deconvnet?.analysis?.kind === 'deconvnet' ? replies.deconvnet.analysis : null;
  const top = replies['top-patches']?.analysis?.kind === 'top-patches' ? replies['top-patches'].analysis : null;
  const projection = useMemo(() => (projected ? signedPicture(projected.map) : null), [projected]);
  const patches = useMemo(
    () =>
      top ? top.patches.map((patch) => ({ patch, image: imagePicture(patch.image), projection: imagePicture(patch.projection) })) : [],
    [top],
  );
  return (
    <div>
      <label className="viz-inline">
        Feature (channel){' '}
        <input
          type="number"
          aria-label="Feature channel"
          min={0}
          value={channel}
          onChange={(e) => analysis.setChannel(Number(e.target.value))}
        />
      </label>
      <div className="viz-row">
        {projected && projection && (
          <Figure
            testId="viz-deconvnet"
            title={`${projected.layer} channel ${projected.channel}, projected`}
            caption={`its strongest activation (${projected.value.toFixed(2)} at ${projected.y}, ${projected.x}) back in pixels`}
          >
            <RgbaCanvas image={projection} label="deconvnet projection" testId="deconvnet-map" />
          </Figure>
        )}
        {top && (
          <figure className="viz-figure" data-testid="viz-top-patches">
            <h4>
              Top {top.patches.length} of {top.scanned} samples
            </h4>
            <div className="viz-patches">
              {patches.map(({ patch, image, projection: picture }) => (
                <button
                  key={patch.sample}
                  className="viz-patch"
                  title={`sample ${patch.sample}: ${patch.value.toFixed(2)}`}
                  onClick={() => viz.setSample(patch.sample)}
                >
                  <RgbaCanvas image={image} label={`patch of sample ${patch.sample}`} testId="top-patch" />
                  <RgbaCanvas image={picture} label={`projection for sample ${patch.sample}`} testId="top-projection" />
                </button>
              ))}
            </div>
            <figcaption className="muted">each: the receptive field in the sample, and the feature projected into it</figcaption>
          </figure>
        )}
      </div>
    </div>
  );
};

const cellColour = (count: number, rowTotal: number, diagonal: boolean): string => {
  const share = rowTotal > 0 ? count / rowTotal : 0;
  const alpha = Math.min(0.9, share * 0.9 + (count > 0 ? 0.1 : 0));
  return diagonal ? `rgba(70, 160, 90, ${alpha})` : `rgba(200, 70, 60, ${alpha})`;
};

export const ConfusionView = ({ report, cell }: { report: ConfusionAnalysis<string>; cell: readonly [number, number] | null }) => {
  const k = report.classes;
  const rowTotals = Array.from({ length: k }, (_, t) => report.counts.slice(t * k, t * k + k).reduce((a, b) => a + b, 0));
  const shown = report.misclassified.filter((wrong) => !cell || (wrong.label === cell[0] && wrong.predicted === cell[1]));
  const pictures = useMemo(() => new Map(report.misclassified.map((wrong) => [wrong.sample, imagePicture(wrong.image, 42)])), [report]);
  return (
    <div className="viz-confusion" data-testid="viz-confusion">
      <h4>
        Accuracy {percent(report.accuracy)} on {report.samples} samples · {report.wrong} wrong
      </h4>
      <table className="confusion-matrix" aria-label="Confusion matrix">
        <thead>
          <tr>
            <th className="muted">true ↓ predicted →</th>
            {Array.from({ length: k }, (_, p) => (
              <th key={p}>{p}</th>
            ))}
            <th>accuracy</th>
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: k }, (_, t) => (
            <tr key={t}>
              <th>{t}</th>
              {Array.from({ length: k }, (_, p) => {
                const count = report.counts[t * k + p];
                const chosen = cell?.[0] === t && cell[1] === p;
                return (
                  <td key={p} style={{ background: cellColour(count, rowTotals[t], t === p) }} className={chosen ? 'chosen' : undefined}>
                    <button
                      data-testid={`confusion-${t}-${p}`}
                      disabled={t === p || count === 0}
                      title={t === p ? `${count} right` : `${count} samples of ${t} taken for ${p}: show them`}
                      onClick={() => analysis.setCell(chosen ? null : [t, p])}
                    >
                      {count}
                    </button>
                  </td>
                );
              })}
              <td data-testid={`class-accuracy-${t}`}>{report.perClass[t] === null ? '–' : percent(report.perClass[t]!)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>
        {cell ? `${cell[0]} taken for ${cell[1]}` : 'Misclassified'}: {shown.length} of{' '}
        {cell ? report.counts[cell[0] * k + cell[1]] : report.wrong} shown
        {cell && (
          <button className="viz-link" onClick={() => analysis.setCell(null)}>
            show all
          </button>
        )}
      </h4>
      <div className="viz-gallery" data-testid="misclassified-gallery">
        {shown.map((wrong) => (
          <button
            key={wrong.sample}
            className="viz-patch"
            data-testid="misclassified"
            title={`sample ${wrong.sample}: see why`}
            onClick={() => {
              viz.setSample(wrong.sample);
              analysis.setClass(null);
              analysis.setTab('attribution');
            }}
          >
            <RgbaCanvas image={pictures.get(wrong.sample)!} label={`sample ${wrong.sample}`} />
            <span className="muted">
              {wrong.label}→{wrong.predicted} {percent(wrong.confidence)}
            </span>
          </button>
        ))}
      </div>
    </div>
  );
};
