/**
 * The price of a decision threshold (article §6 healthcare, §9.2): the confusion counts of a
 * binary classifier at one given threshold (e.g. one chosen on a validation split, applied to the
 * test split), and the expected cost when a missed positive and a false alarm cost differently.
 *
 * Convention (as metrics.ts and operating-points.ts): predict positive when score >= threshold.
 */
import type { Labels, Scores } from "../../evaluation/metrics";
import { type OperatingPoint, operatingPointFromCounts } from "../../evaluation/operating-points";
import { requireFinite, requireNonNegative, requireNonNegativeInteger } from "../../core/validate";

/** What each kind of error costs, in any one unit (e.g. "one unnecessary biopsy" = 1). */
export interface ErrorCosts {
  /** Cost of a missed positive (a false negative, e.g. a malignancy sent home). */
  falseNegative: number;
  /** Cost of a false alarm (a false positive, e.g. a benign tumour sent to biopsy). */
  falsePositive: number;
}

function checkCosts(fn: string, costs: ErrorCosts): void {
  for (const k of ["falseNegative", "falsePositive"] as const) {
    requireNonNegative(fn, `costs.${k}`, costs[k]);
  }
  if (costs.falseNegative + costs.falsePositive === 0) throw new Error(`${fn}: both costs are 0; expected at least one positive cost`);
}

/**
 * Confusion counts and rates at one threshold: positive when score >= threshold (+Infinity flags
 * nothing). Same fields as operatingPoints' points (article §9.2).
 */
export function pointAtThreshold(yTrue: Labels, scores: Scores, threshold: number, positiveLabel = 1): OperatingPoint {
  if (yTrue.length !== scores.length)
    throw new Error(`pointAtThreshold: yTrue has ${yTrue.length} labels but scores has ${scores.length}; expected equal lengths`);
  if (yTrue.length === 0) throw new Error("pointAtThreshold: no samples; expected at least one");
  if (Number.isNaN(threshold)) throw new Error("pointAtThreshold: threshold is NaN; expected a number (or ±Infinity)");
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const s = scores[i];
    requireFinite("pointAtThreshold", `scores[${i}]`, s);
    const flagged = s >= threshold;
    if (yTrue[i] === positiveLabel) {
      if (flagged) tp++;
      else fn++;
    } else if (flagged) fp++;
    else tn++;
  }
  return operatingPointFromCounts(threshold, { tp, fp, fn, tn });
}

/** Counts a cost needs: the four cells of a confusion matrix. */
export type ConfusionCounts = Pick<OperatingPoint, "tp" | "fp" | "fn" | "tn">;

/** Expected cost per `per` cases (default 100): (c_FN·FN + c_FP·FP) / n · per (article §6 healthcare). */
export function expectedCost(counts: ConfusionCounts, costs: ErrorCosts, per = 100): number {
  checkCosts("expectedCost", costs);
  const { tp, fp, fn, tn } = counts;
  for (const [k, v] of Object.entries({ tp, fp, fn, tn })) {
    requireNonNegativeInteger("expectedCost", k, v);
  }
  const n = tp + fp + fn + tn;
  if (n === 0) throw new Error("expectedCost: all counts are 0; expected at least one case");
  return ((costs.falseNegative * fn + costs.falsePositive * fp) / n) * per;
}

/**
 * The point of least expected cost among `points` (e.g. operatingPoints on a validation split);
 * ties go to the highest threshold, the one with the fewest alarms (article §6 healthcare).
 */
export function minimumCostPoint(points: readonly OperatingPoint[], costs: ErrorCosts): OperatingPoint {
  if (points.length === 0) throw new Error("minimumCostPoint: points is empty; expected the output of operatingPoints");
  let best = points[0];
  let bestCost = expectedCost(best, costs);
  for (const pt of points.slice(1)) {
    const c = expectedCost(pt, costs);
    if (c < bestCost || (c === bestCost && pt.threshold > best.threshold)) {
      best = pt;
      bestCost = c;
    }
  }
  return best;
}

/**
 * The threshold on a calibrated P(positive) that minimises expected cost, c_FP / (c_FP + c_FN):
 * flagging a case of probability p costs c_FP·(1 − p), not flagging it c_FN·p (article §6).
 */
export function bayesThreshold(costs: ErrorCosts): number {
  checkCosts("bayesThreshold", costs);
  return costs.falsePositive / (costs.falsePositive + costs.falseNegative);
}
