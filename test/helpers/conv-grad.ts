/**
 * The harness of the wasm convolution-gradient tests: one conv2d case, its gradient with respect
 * to the input or the filter on a backend, and the wasm result against the cpu reference kernel.
 * The caller imports @tensorflow/tfjs-backend-wasm and registers the kernel under test.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { maxRelErr, randn } from "./numeric";

export type Shape4 = [number, number, number, number];
/** conv2d padding: a mode, one number for every side, or explicit [[0,0],[top,bottom],[left,right],[0,0]]. */
export type ConvPad = "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]];

export interface ConvCase {
  name: string;
  x: Shape4; // [n, H, W, ci]
  w: Shape4; // [kh, kw, ci, co]
  strides: number | [number, number];
  pad: ConvPad;
}

/** Which argument of conv2d the gradient is taken with respect to. */
export type ConvGradWrt = "input" | "filter";

/** d/d(input or filter) of sum(conv2d(x, w) ⊙ r) on `backend`, returned as plain values. */
export async function convGradient(
  backend: string,
  c: ConvCase,
  wrt: ConvGradWrt,
  xv: Float32Array,
  wv: Float32Array,
  rv: Float32Array,
  yShape: number[],
): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(xv, c.x);
    const w = tf.tensor4d(wv, c.w);
    const r = tf.tensor(rv, yShape);
    const g =
      wrt === "input"
        ? tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt as tf.Tensor4D, w, c.strides, c.pad), r)))(x)
        : tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wt as tf.Tensor4D, c.strides, c.pad), r)))(w);
    assert.deepEqual(g.shape, wrt === "input" ? c.x : c.w);
    return g.dataSync().slice() as Float32Array;
  });
}

/**
 * The wasm gradient against the cpu one for one case, all inputs seeded on cpu so both backends
 * see the same values: max |wasm − cpu| / max(1, |cpu|), and L = n·oh·ow (the length of the
 * reduction behind each filter-gradient element, which scales float32 rounding).
 */
export async function compareConvGradient(c: ConvCase, wrt: ConvGradWrt, seed: number): Promise<{ err: number; reductionLength: number }> {
  await tf.setBackend("cpu");
  const xv = randn(c.x, seed);
  const wv = randn(c.w, seed + 1);
  const yShape = tf.tidy(() => tf.conv2d(tf.tensor4d(xv, c.x), tf.tensor4d(wv, c.w), c.strides, c.pad).shape);
  const rv = randn(yShape, seed + 2);
  const ref = await convGradient("cpu", c, wrt, xv, wv, rv, yShape);
  const got = await convGradient("wasm", c, wrt, xv, wv, rv, yShape);
  return { err: maxRelErr(got, ref), reductionLength: yShape[0] * yShape[1] * yShape[2] };
}
