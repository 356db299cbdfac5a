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

/** y ≈ a · x^b fitted by least squares on log y against log x (a scaling law), with R² on the log scale. */
export interface PowerLaw {
  a: number;
  b: number;
  r2: number;
  predict(x: number): number;
}

/** Fits y = a·x^b to positive points by ordinary least squares in log–log space (Kaplan et al. 2020 fit loss against compute this way). */
export function fitPowerLaw(xs: ArrayLike<number>, ys: ArrayLike<number>): PowerLaw {
  if (xs.length !== ys.length) throw new Error(`fitPowerLaw: xs has ${xs.length} values, ys ${ys.length}; expected the same`);
  if (xs.length < 2) throw new Error(`fitPowerLaw: need at least 2 points; got ${xs.length}`);
  const lx: number[] = [];
  const ly: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i] > 0) || !(ys[i] > 0)) throw new Error(`fitPowerLaw: point ${i} is (${xs[i]}, ${ys[i]}); expected positive x and y`);
    lx.push(Math.log(xs[i]));
    ly.push(Math.log(ys[i]));
  }
  const n = lx.length;
  const mx = sum(lx) / n;
  const my = sum(ly) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (lx[i] - mx) ** 2;
    sxy += (lx[i] - mx) * (ly[i] - my);
    syy += (ly[i] - my) ** 2;
  }
  if (sxx === 0) throw new Error("fitPowerLaw: every x is the same; expected at least two different x");
  const b = sxy / sxx;
  const a = Math.exp(my - b * mx);
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { a, b, r2, predict: (x: number) => a * x ** b };
}
