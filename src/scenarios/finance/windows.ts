/**
 * Supervised windows for sequence models on daily series (article §6), built so that no model
 * can see the future: the input of window t is the feature rows of days t−L+1..t, its target is
 * day t+1's value and nothing else. Splits are chronological by the target's date, and the
 * feature scaler is fitted on the training period only.
 */
import { type Standardizer, fitStandardizer } from "../../data/tabular";
import { requireIntegerInRange, requirePositiveInteger } from "../../core/validate";

/** Windows over a daily series; window i ends on day endIndex[i] and predicts day targetIndex[i]. */
export interface WindowSet {
  /** Inputs, row-major [n, length, numFeatures]. */
  X: Float32Array;
  /** Targets [n]: target[targetIndex[i]]. */
  y: Float32Array;
  /** Last input day t of each window. */
  endIndex: Int32Array;
  /** The day predicted, always endIndex + 1. */
  targetIndex: Int32Array;
  n: number;
  length: number;
  numFeatures: number;
}

/**
 * Builds every window whose L input days lie in `firstDay`..T−2 (default firstDay 0): inputs
 * features[t−L+1..t] (rows of F values), target target[t+1]. Throws on a non-finite value, naming
 * the day (article §6).
 */
export function makeWindows(features: readonly (readonly number[])[], target: ArrayLike<number>, length: number, opts: { firstDay?: number } = {}): WindowSet {
  const T = features.length;
  if (target.length !== T) throw new Error(`makeWindows: ${T} feature rows but ${target.length} targets; expected one of each per day`);
  requirePositiveInteger("makeWindows", "length", length);
  const F = T > 0 ? features[0].length : 0;
  const firstDay = opts.firstDay ?? 0;
  const firstEnd = firstDay + length - 1;
  const n = Math.max(0, T - 1 - firstEnd);
  if (n === 0) throw new Error(`makeWindows: ${T} days from day ${firstDay} are too few for windows of ${length} days plus a target`);
  const X = new Float32Array(n * length * F);
  const y = new Float32Array(n);
  const endIndex = new Int32Array(n);
  const targetIndex = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = firstEnd + i;
    for (let k = 0; k < length; k++) {
      const row = features[t - length + 1 + k];
      if (row.length !== F) throw new Error(`makeWindows: day ${t - length + 1 + k} has ${row.length} features; expected ${F}`);
      for (let j = 0; j < F; j++) {
        const v = row[j];
        if (!Number.isFinite(v)) throw new Error(`makeWindows: feature ${j} of day ${t - length + 1 + k} is ${v}; expected a finite number`);
        X[(i * length + k) * F + j] = v;
      }
    }
    const v = target[t + 1];
    if (!Number.isFinite(v)) throw new Error(`makeWindows: target of day ${t + 1} is ${v}; expected a finite number`);
    y[i] = v;
    endIndex[i] = t;
    targetIndex[i] = t + 1;
  }
  return { X, y, endIndex, targetIndex, n, length, numFeatures: F };
}

/** The windows at `indices` (in that order), as a new set. */
export function selectWindows(set: WindowSet, indices: readonly number[]): WindowSet {
  const per = set.length * set.numFeatures;
  const X = new Float32Array(indices.length * per);
  const y = new Float32Array(indices.length);
  const endIndex = new Int32Array(indices.length);
  const targetIndex = new Int32Array(indices.length);
  indices.forEach((w, i) => {
    requireIntegerInRange("selectWindows", "index", w, 0, set.n - 1);
    X.set(set.X.subarray(w * per, (w + 1) * per), i * per);
    y[i] = set.y[w];
    endIndex[i] = set.endIndex[w];
    targetIndex[i] = set.targetIndex[w];
  });
  return { X, y, endIndex, targetIndex, n: indices.length, length: set.length, numFeatures: set.numFeatures };
}

/** Window indices of a chronological split. */
export interface ChronologicalSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Splits windows by the date of the day they predict: train ≤ trainEnd < validation ≤
 * validationEnd < test (ISO dates compare as strings). Inputs of the first validation windows
 * reach back into the training period; that is history, not leakage (article §6).
 */
export function chronologicalSplit(dates: readonly string[], set: WindowSet, bounds: { trainEnd: string; validationEnd: string }): ChronologicalSplit {
  if (!(bounds.trainEnd < bounds.validationEnd))
    throw new Error(`chronologicalSplit: trainEnd ${bounds.trainEnd} must be before validationEnd ${bounds.validationEnd}`);
  const split: ChronologicalSplit = { train: [], validation: [], test: [] };
  for (let i = 0; i < set.n; i++) {
    const date = dates[set.targetIndex[i]];
    if (date === undefined) throw new Error(`chronologicalSplit: window ${i} predicts day ${set.targetIndex[i]}, which has no date (${dates.length} dates)`);
    if (i > 0 && !(date > dates[set.targetIndex[i - 1]]))
      throw new Error(`chronologicalSplit: dates must increase; day ${set.targetIndex[i]} (${date}) is not after the previous window's`);
    (date <= bounds.trainEnd ? split.train : date <= bounds.validationEnd ? split.validation : split.test).push(i);
  }
  return split;
}

/**
 * Standardises the daily feature rows with a scaler fitted only on the days dated ≤ trainEnd,
 * so validation and test statistics never reach the model (article §6, §3.2 step 1).
 */
export function standardizeByTrainingPeriod(
  rows: number[][],
  dates: readonly string[],
  trainEnd: string,
  columns: readonly string[],
): { scaled: number[][]; scaler: Standardizer; fitDays: number } {
  if (rows.length !== dates.length) throw new Error(`standardizeByTrainingPeriod: ${rows.length} rows but ${dates.length} dates`);
  const fitRows = rows.filter((_, d) => dates[d] <= trainEnd);
  if (fitRows.length < 2) throw new Error(`standardizeByTrainingPeriod: ${fitRows.length} day(s) dated ≤ ${trainEnd}; expected at least 2 to fit the scaler`);
  const scaler = fitStandardizer(fitRows, columns);
  return { scaled: scaler.transform(rows), scaler, fitDays: fitRows.length };
}
