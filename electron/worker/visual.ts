/**
 * The training worker's side of visualisation: answers `visual` requests from the trainer's
 * current weights (fetched from the GPU first when it trains there), and pushes a layer's filters
 * every N steps while the host `watch`es. TrainingJob calls these between training steps.
 */
import { GpuTrainer } from '../../engine/backends/webgpu/trainer';
import { loadAll } from '../../engine/data/dataset';
import type { Trainer } from '../../engine/train/trainer';
import { computeVisual, filterNames, firstFilterNode, visualFailure } from './visual-compute';
import type { VisualReplyMessage, VisualRequestMessage, WatchMessage } from './visual-protocol';

type AnyTrainer = Trainer | GpuTrainer;

/** A GpuTrainer that has finished no longer holds its device buffers. */
export const GPU_ENDED_NOTE = 'the run has ended: gradients are shown only while it trains';

/** Where the gradients a filters request asks for are: the CPU trainer's model, or read back from the GPU into it. */
const gradientsOf = async (
  trainer: AnyTrainer,
  request: VisualRequestMessage,
  live: boolean,
): Promise<{ gradientStep: number } | { gradientNote: string }> => {
  if (!(trainer instanceof GpuTrainer)) return { gradientStep: trainer.gradientStep };
  if (request.kind !== 'filters' || !request.withGradients || trainer.gradientStep === 0) return { gradientStep: trainer.gradientStep };
  if (!live) return { gradientNote: GPU_ENDED_NOTE };
  await trainer.downloadGradients(filterNames(trainer.model, request.nodeId!));
  return { gradientStep: trainer.gradientStep };
};

/**
 * The reply to a request, never a rejection: problems become the reply's `error`. `live` says the
 * GPU still holds the newest weights (a finished GpuTrainer has downloaded them already).
 */
export const answerVisual = async (
  trainer: AnyTrainer | null,
  request: VisualRequestMessage,
  live: boolean,
): Promise<VisualReplyMessage> => {
  if (!trainer) return visualFailure(request, 'the run has not started yet; ask again once it reports progress');
  try {
    if (trainer instanceof GpuTrainer && live) await trainer.downloadWeights();
    const { model, train, validation, epoch, globalStep } = trainer;
    // Every kind but filters reads samples; a dataset read through a data port (the GPU window) fetches them first.
    if (request.kind !== 'filters') await Promise.all([loadAll(train), loadAll(validation)]);
    const gradients = await gradientsOf(trainer, request, live);
    return computeVisual({ model, train, validation, epoch, globalStep, ...gradients }, request);
  } catch (error) {
    return visualFailure(request, error, trainer.globalStep, trainer.epoch);
  }
};

/** Pushes one layer's filters every N steps while watched (replies with requestId 0). */
export class FilterWatch {
  private nodeId: string | null = null;
  private everySteps = 0;
  private lastStep = -1;

  set(message: WatchMessage, trainer: AnyTrainer | null): void {
    this.everySteps = message.everySteps;
    this.nodeId = message.nodeId ?? (trainer ? firstFilterNode(trainer.model) : null);
    this.lastStep = -1;
  }

  /** Call after each step: posts the filters when N steps have passed since the last push. */
  afterStep(trainer: AnyTrainer, post: (message: VisualReplyMessage) => void): void {
    if (this.everySteps < 1) return;
    this.nodeId ??= firstFilterNode(trainer.model);
    if (this.nodeId === null) return;
    if (this.lastStep >= 0 && trainer.globalStep - this.lastStep < this.everySteps) return;
    this.lastStep = trainer.globalStep;
    void answerVisual(trainer, { type: 'visual', requestId: 0, kind: 'filters', nodeId: this.nodeId }, true).then(post);
  }
}
