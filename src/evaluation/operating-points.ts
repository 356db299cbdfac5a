/**
 * Operating points of a binary classifier (article §9.2): the full confusion counts at every
 * decision threshold, read off `rocCurve` from metrics.ts (no second curve implementation), and
 * the choice of a threshold that reaches a required recall.
 *
 * Convention (the same as metrics.ts): a sample is predicted positive when its score is
 * >= the threshold; tied scores move together, so there is one point per distinct score plus
 * the point at threshold +Infinity where nothing is predicted positive.
 */
import { type BinaryCurveOptions, type Labels, type Scores, rocCurve } from "./metrics";
import { requireInRange } from "../core/validate";

/** The confusion counts and the rates derived from them at one decision threshold. */
export interface OperatingPoint {
  /** Predict positive when score >= threshold; +Infinity = predict nothing positive. */
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** TP / (TP + FN), the true positive rate (recall, sensitivity). */
  recall: number;
  /** FP / (FP + TN), the false positive rate (1 − specificity). */
  fpr: number;
  /** TP / (TP + FP); 0 when nothing is predicted positive (metrics.ts's zero-division rule). */
  precision: number;
  /** (TP + TN) / n. */
  accuracy: number;
  /** 1 − accuracy = (FP + FN) / n. */
  errorRate: number;
}

/** The operating point of a threshold from its confusion counts (a rate with an empty denominator is 0). */
export function operatingPointFromCounts(threshold: number, counts: { tp: number; fp: number; fn: number; tn: number }): OperatingPoint {
  const { tp, fp, fn, tn } = counts;
  const p = tp + fn;
  const neg = fp + tn;
  const n = p + neg;
  return {
    threshold,
    tp,
    fp,
    fn,
    tn,
    recall: p === 0 ? 0 : tp / p,
    fpr: neg === 0 ? 0 : fp / neg,
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    accuracy: (tp + tn) / n,
    errorRate: (fp + fn) / n,
  };
}

/** Confusion counts, accuracy, precision, recall and FPR at every threshold, highest threshold first (article §9.2). */
export function operatingPoints(yTrue: Labels, scores: Scores, options: BinaryCurveOptions = {}): OperatingPoint[] {
  // rocCurve validates the inputs (lengths, finite scores, binary labels, both classes present).
  const roc = rocCurve(yTrue, scores, options);
  const pos = options.positiveLabel ?? 1;
  let p = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === pos) p++;
  const n = yTrue.length - p;
  return roc.thresholds.map((threshold, i) => {
    // tpr = tp / p exactly, so rounding tpr * p recovers the integer count.
    const tp = Math.round(roc.tpr[i] * p);
    const fp = Math.round(roc.fpr[i] * n);
    return operatingPointFromCounts(threshold, { tp, fp, fn: p - tp, tn: n - fp });
  });
}

/**
 * The highest threshold whose recall is at least `minRecall` (the fewest false alarms that still
 * catch that share of positives), from points ordered highest threshold first (article §9.2).
 */
export function highestThresholdForRecall(points: readonly OperatingPoint[], minRecall: number): OperatingPoint {
  requireInRange("highestThresholdForRecall", "minRecall", minRecall, 0, 1);
  if (points.length === 0) throw new Error("highestThresholdForRecall: points is empty; expected the output of operatingPoints");
  for (let i = 1; i < points.length; i++) {
    if (!(points[i].threshold < points[i - 1].threshold)) {
      throw new Error(
        `highestThresholdForRecall: points[${i}].threshold ${points[i].threshold} is not below points[${i - 1}].threshold ${points[i - 1].threshold}; expected strictly decreasing thresholds (operatingPoints order)`,
      );
    }
  }
  // Recall never decreases as the threshold falls, so the first point that reaches it is the answer.
  const hit = points.find((pt) => pt.recall >= minRecall);
  if (hit === undefined) {
    throw new Error(`highestThresholdForRecall: no point reaches recall ${minRecall}; the largest is ${points[points.length - 1].recall}`);
  }
  return hit;
}
