/** A classifier's outputs (logits) as probabilities, best first. */

export interface RankedClass {
  readonly index: number;
  readonly probability: number;
}

/** Softmax, computed stably (the largest logit is subtracted first). */
export const softmax = (logits: ArrayLike<number>): number[] => {
  let largest = -Infinity;
  for (let i = 0; i < logits.length; i++) largest = Math.max(largest, logits[i]);
  const exps = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i] - largest));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
};

/** The `count` most probable classes, best first (ties: the lower index first). */
export const topClasses = (logits: ArrayLike<number>, count: number): RankedClass[] =>
  softmax(logits)
    .map((probability, index) => ({ index, probability }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, count);
