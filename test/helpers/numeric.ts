/** Numeric helpers shared by the kernel parity tests. */
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";

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
