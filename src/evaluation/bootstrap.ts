/**
 * Paired bootstrap of a metric difference between two classifiers on the same test set (article §6,
 * §9.2): resample the test items with replacement (seeded), recompute metric(A) − metric(B) on each
 * resample, and report the percentile interval. It answers the skeptic's question "is model A
 * really better than model B, or is the gap a few test items?".
 */
import { mulberry32 } from "../core/random";
import { requireInRange, requirePositiveInteger } from "../core/validate";

/** A metric of predictions against true labels, e.g. F1 of the positive class. */
export type LabelMetric = (yTrue: Int32Array, yPred: Int32Array) => number;

/** Options of {@link pairedBootstrap}. */
export interface BootstrapOptions {
  /** Resamples (default 1000). */
  numResamples?: number;
  /** Coverage of the percentile interval (default 0.95). */
  confidence?: number;
  seed: number;
}

/** Observed difference and its bootstrap interval. */
export interface BootstrapResult {
  /** metric(A) − metric(B) on the test set itself. */
  difference: number;
  /** Percentile interval of the resampled differences. */
  lower: number;
  upper: number;
  /** Share of resamples in which A scored higher than B. */
  shareAWins: number;
  numResamples: number;
}

/** Paired percentile bootstrap of metric(A) − metric(B) over the test items (article §6, §9.2). */
export function pairedBootstrap(
  yTrue: ArrayLike<number>,
  predA: ArrayLike<number>,
  predB: ArrayLike<number>,
  metric: LabelMetric,
  opts: BootstrapOptions,
): BootstrapResult {
  const { numResamples = 1000, confidence = 0.95, seed } = opts;
  const n = yTrue.length;
  if (n === 0) throw new Error("pairedBootstrap: yTrue is empty; expected at least one test item");
  if (predA.length !== n || predB.length !== n) {
    throw new Error(`pairedBootstrap: yTrue has ${n} items, predA ${predA.length}, predB ${predB.length}; expected equal lengths`);
  }
  requirePositiveInteger("pairedBootstrap", "numResamples", numResamples);
  requireInRange("pairedBootstrap", "confidence", confidence, 0, 1, "()");
  const y = Int32Array.from(yTrue);
  const a = Int32Array.from(predA);
  const b = Int32Array.from(predB);
  const difference = metric(y, a) - metric(y, b);
  const rng = mulberry32(seed);
  const ys = new Int32Array(n);
  const as = new Int32Array(n);
  const bs = new Int32Array(n);
  const diffs = new Float64Array(numResamples);
  let aWins = 0;
  for (let r = 0; r < numResamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(rng() * n);
      ys[i] = y[k];
      as[i] = a[k];
      bs[i] = b[k];
    }
    diffs[r] = metric(ys, as) - metric(ys, bs);
    if (diffs[r] > 0) aWins++;
  }
  diffs.sort();
  // Percentiles by the nearest-rank rule on the sorted resampled differences.
  const rank = (q: number): number => diffs[Math.min(numResamples - 1, Math.max(0, Math.ceil(q * numResamples) - 1))];
  const alpha = (1 - confidence) / 2;
  return { difference, lower: rank(alpha), upper: rank(1 - alpha), shareAWins: aWins / numResamples, numResamples };
}
