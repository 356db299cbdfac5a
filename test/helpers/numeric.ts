/** Numeric helpers shared by the tests: seeded random values, error measures, closeness assertions with a stated tolerance. */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../../src/core/random";

/** Seeded uniform [lo, hi) floats. */
export function uniform(n: number, seed: number, lo = 0, hi = 1): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng());
}

/** Seeded class labels in [0, classes). */
export function labels(n: number, classes: number, seed: number): Int32Array {
  const rng = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rng() * classes));
}

/** max |a − b| / max(max |b|, 1e-3): relative to the array's scale (how the native steps' gradients are compared). */
export function scaleRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let m = 1e-3;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

/** Seeded standard-normal values of `shape`, as plain numbers (to copy between backends). */
export function randn(shape: number[], seed: number): Float32Array {
  const t = tf.randomNormal(shape, 0, 1, "float32", seed);
  const v = t.dataSync().slice() as Float32Array;
  t.dispose();
  return v;
}

/** max |a − b| / max(1, |b|) over all elements. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

/** max |a − b| over all elements. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, `lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Asserts |actual − expected| ≤ tol, naming `what` in the failure. */
export function assertClose(actual: number, expected: number, what: string, tol: number): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected} (tolerance ${tol})`);
}

type Numbers = ArrayLike<number> | readonly (readonly number[])[];

/**
 * Asserts element-wise closeness of two arrays (nested number[][] are flattened): equal values pass
 * (so Infinity matches Infinity), others must be within tol; the failure names the first bad index.
 */
export function assertArraysClose(actual: Numbers, expected: Numbers, what: string, tol: number): void {
  const flat = (v: Numbers): ArrayLike<number> =>
    v.length > 0 && Array.isArray(v[0]) ? (v as readonly (readonly number[])[]).flat() : (v as ArrayLike<number>);
  const a = flat(actual);
  const e = flat(expected);
  assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    if (a[i] === e[i]) continue;
    assert.ok(Math.abs(a[i] - e[i]) <= tol, `${what}[${i}]: got ${a[i]}, expected ${e[i]} (tolerance ${tol})`);
  }
}
