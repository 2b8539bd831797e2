/**
 * Answers the analysis kinds of a `visual` request (saliency, Grad-CAM, occlusion, deconvnet,
 * top-9 patches, confusion) from a model's current weights, in inference mode, with the
 * engine's viz functions; maps leave as 8-bit images with their scale. Plans are made once per
 * model: a batch-1 one that computes input gradients, and a batch-32 one for surveys.
 */
import type { Dataset } from '../../engine/data/dataset';
import { elementCount } from '../../engine/graph/shape';
import { CATALOGUE } from '../../engine/graph/catalogue';
import { argmaxRow } from '../../engine/train/metrics';
import { Plan, type Model } from '../../engine/train/plan';
import type { VisualAnalysis } from '../../engine/viz/analysis';
import { classCount, classProbability, classScoreNode } from '../../engine/viz/class-score';
import { confusionReport } from '../../engine/viz/confusion';
import { deconvnetProjection } from '../../engine/viz/deconvnet';
import { occlusion } from '../../engine/viz/occlusion';
import { quantise } from '../../engine/viz/quantise';
import { receptiveField } from '../../engine/viz/receptive-field';
import { gradCam, saliency } from '../../engine/viz/saliency';
import { cropImage, topActivations } from '../../engine/viz/top-patches';
import type { VisualRequestMessage } from './visual-protocol';

/** How many samples a survey reads by default: top-9 patches, and the confusion matrix. */
export const DEFAULT_TOP_SCAN = 500;
export const DEFAULT_CONFUSION_SAMPLES = 2000;
const SURVEY_BATCH = 32;
/** Mistakes sent per cell of the confusion matrix (the most confident), so every cell's gallery has some. */
const MISTAKES_PER_CELL = 12;

interface Plans {
  readonly single: Plan;
  readonly survey: Plan;
}

const plans = new WeakMap<Model, Plans>();

export const plansFor = (model: Model): Plans => {
  let found = plans.get(model);
  if (!found) {
    found = {
      single: new Plan(model, 1, () => 0.5, { inputGradient: true }),
      survey: new Plan(model, SURVEY_BATCH, () => 0.5),
    };
    plans.set(model, found);
  }
  return found;
};

/** The last convolution or activation whose output is an image larger than one pixel: Grad-CAM's usual layer. */
export const defaultCamLayer = (model: Model): string | null => {
  const scores = model.nodes.indexOf(classScoreNode(model));
  const candidates = model.nodes
    .slice(0, scores)
    .filter(
      (node) =>
        ['convolution', 'activation'].includes(CATALOGUE[node.type].category) &&
        node.outputShape.length === 3 &&
        node.outputShape[1] * node.outputShape[2] > 1,
    );
  return candidates.length ? candidates[candidates.length - 1].id : null;
};

/** The predicted class of one sample. */
const predicted = (model: Model, sample: Float32Array): { classIndex: number; logits: Float32Array } => {
  const plan = plansFor(model).single;
  plan.input.set(sample);
  plan.forward(false);
  const logits = plan.activation(classScoreNode(model).id)!.slice(0, classCount(model));
  return { classIndex: argmaxRow(logits, 0, logits.length), logits };
};

const firstIndices = (dataset: Dataset, count: number | undefined, fallback: number): Int32Array =>
  Int32Array.from({ length: Math.min(dataset.size, count ?? fallback) }, (_, i) => i);

const sampleImage = (dataset: Dataset, index: number): Float32Array => {
  const image = new Float32Array(elementCount(dataset.sampleShape));
  const target = dataset.target.kind === 'class' ? new Int32Array(1) : new Float32Array(elementCount(dataset.target.shape));
  dataset.fill(Int32Array.of(index), 0, 1, image, target);
  return image;
};

/** An analysis of one sample (already read into `sample`). */
export const analyseSample = (model: Model, request: VisualRequestMessage, sample: Float32Array): VisualAnalysis => {
  const { single, survey } = plansFor(model);
  const [channels, height, width] = model.input.outputShape;
  const guess = predicted(model, sample);
  const classIndex = request.classIndex ?? guess.classIndex;
  const probability = (k: number) => (k < guess.logits.length ? classProbability(guess.logits, 0, guess.logits.length, k) : 0);
  switch (request.kind) {
    case 'saliency': {
      const result = saliency(single, sample, classIndex);
      return {
        kind: 'saliency',
        classIndex,
        score: result.score,
        probability: probability(classIndex),
        map: quantise('saliency', result.map, [height, width]),
      };
    }
    case 'gradcam': {
      const layer = request.nodeId ?? defaultCamLayer(model);
      if (!layer) throw new Error('this network has no layer with image output before its class scores for Grad-CAM');
      const result = gradCam(single, sample, classIndex, layer);
      return {
        kind: 'gradcam',
        classIndex,
        score: result.score,
        probability: probability(classIndex),
        layer,
        map: quantise('gradcam', result.map, [height, width]),
        coarse: quantise('gradcam-coarse', result.coarse, [result.coarseHeight, result.coarseWidth]),
      };
    }
    case 'occlusion': {
      const result = occlusion(survey, sample, classIndex, { size: request.size, stride: request.stride });
      return {
        kind: 'occlusion',
        classIndex,
        baseline: result.baseline,
        size: result.size,
        stride: result.stride,
        map: quantise('occlusion', result.drop, [result.rows, result.columns]),
      };
    }
    case 'deconvnet': {
      const result = deconvnetProjection(single, sample, request.nodeId!, request.channel ?? 0);
      return {
        kind: 'deconvnet',
        layer: result.layer,
        channel: result.channel,
        value: result.value,
        y: result.y,
        x: result.x,
        field: receptiveField(model, result.layer, result.y, result.x),
        map: quantise('projection', result.pixels, [channels, height, width]),
      };
    }
    default:
      throw new Error(`${request.kind} is not an analysis of one sample`);
  }
};

/** An analysis of a set: the top-9 patches of a feature, or the confusion report. */
export const analyseSet = (model: Model, request: VisualRequestMessage, dataset: Dataset): VisualAnalysis => {
  const { single, survey } = plansFor(model);
  const shape = model.input.outputShape;
  if (request.kind === 'top-patches') {
    const layer = request.nodeId!;
    const channel = request.channel ?? 0;
    const indices = firstIndices(dataset, request.samples, DEFAULT_TOP_SCAN);
    const patches = topActivations(survey, dataset, layer, channel, { indices }).map((top) => {
      const image = sampleImage(dataset, top.sample);
      const projection = deconvnetProjection(single, image, layer, channel, { y: top.y, x: top.x });
      const cropped = [shape[0], top.field.bottom - top.field.top + 1, top.field.right - top.field.left + 1];
      return {
        ...top,
        image: quantise('patch', cropImage(image, shape, top.field), cropped),
        projection: quantise('projection', cropImage(projection.pixels, shape, top.field), cropped),
      };
    });
    return { kind: 'top-patches', layer, channel, scanned: indices.length, patches };
  }
  if (request.kind === 'confusion') {
    const indices = firstIndices(dataset, request.samples, DEFAULT_CONFUSION_SAMPLES);
    const report = confusionReport(survey, dataset, { indices, limit: indices.length });
    const perCell = new Map<number, number>();
    const shown = report.misclassified.filter((wrong) => {
      const cell = wrong.label * report.classes + wrong.predicted;
      perCell.set(cell, (perCell.get(cell) ?? 0) + 1);
      return perCell.get(cell)! <= MISTAKES_PER_CELL;
    });
    return {
      kind: 'confusion',
      classes: report.classes,
      samples: report.samples,
      counts: [...report.counts],
      perClass: [...report.perClass].map((value) => (Number.isNaN(value) ? null : value)),
      accuracy: report.accuracy,
      wrong: report.wrong,
      misclassified: shown.map((wrong) => ({
        ...wrong,
        image: quantise('sample', sampleImage(dataset, wrong.sample), shape),
      })),
    };
  }
  throw new Error(`${request.kind} is not an analysis of a set`);
};
