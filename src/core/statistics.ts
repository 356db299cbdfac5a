/** Descriptive statistics shared across layers. */
import { requireInRange } from "./validate";

/**
 * The p-quantile of values by linear interpolation between order statistics (Hyndman & Fan type 7,
 * the default of numpy and R): position (n − 1)·p in the sorted values.
 */
export function quantile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) throw new Error("quantile: no values");
  requireInRange("quantile", "p", p, 0, 1);
  const sorted = Float64Array.from(values).sort();
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** The sum of `values` (e.g. the number of positives among 0/1 labels). */
export function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
