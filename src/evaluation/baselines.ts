/** The baselines a skeptic tries first, as predictions to score like any model's. */

/**
 * The most frequent label of `labels` (the majority-class baseline predicts it for every example);
 * a tie goes to the smallest label. Labels must be integers ≥ 0.
 */
export function majorityClass(labels: ArrayLike<number>): number {
  if (labels.length === 0) throw new Error("majorityClass: labels is empty; expected at least one label");
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) throw new Error(`majorityClass: label ${y} at index ${i}; expected an integer ≥ 0`);
    counts.set(y, (counts.get(y) ?? 0) + 1);
  }
  let best = -1;
  let bestCount = 0;
  for (const [y, c] of counts) if (c > bestCount || (c === bestCount && y < best)) [best, bestCount] = [y, c];
  return best;
}
