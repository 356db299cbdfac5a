/**
 * The article's §4 mathematics as plain loops over number arrays (no TensorFlow.js): an MLP layer
 * (the standard form and the article's variant), 2-D cross-correlation / convolution, max pooling
 * and an Elman RNN. Written to be read next to the formulas and checked against tf ops, so every
 * index is explicit and every shape mismatch is an error that names the parameter.
 *
 * Conventions: a `Vector` is `number[]`, a `Matrix` is `number[][]` stored row by row
 * (`M[row][col]`), and `W·x` multiplies a [rows, cols] matrix by a vector of `cols` entries.
 */

import { relu, sigmoid, tanh } from "./activations";
import { requireFinite, requireOneOf, requirePositiveInteger } from "../core/validate";

export type Vector = number[];
export type Matrix = number[][];

/** Element-wise activations used in §4 (ReLU for the MLP, tanh for the RNN), from activations.ts. */
export type LayerActivationName = "relu" | "tanh" | "sigmoid" | "linear";
export type LayerActivation = LayerActivationName | ((z: number) => number);

const LAYER_ACTIVATIONS: Record<LayerActivationName, (z: number) => number> = {
  relu,
  tanh,
  sigmoid,
  linear: (z) => z,
};

/** The scalar function for an activation name (or the function itself) (article §4.1). */
export function activationFn(activation: LayerActivation): (z: number) => number {
  if (typeof activation === "function") return activation;
  const f = LAYER_ACTIVATIONS[activation];
  if (!f) throw new Error(`activation: expected one of ${Object.keys(LAYER_ACTIVATIONS).join(", ")} or a function, got "${String(activation)}"`);
  return f;
}

/** Checks that `m` is a non-empty rectangular matrix of finite numbers; returns [rows, cols]. */
export function matrixShape(m: Matrix, name: string): [number, number] {
  if (!Array.isArray(m) || m.length === 0 || !Array.isArray(m[0]) || m[0].length === 0) {
    throw new Error(`${name}: expected a non-empty matrix (number[][])`);
  }
  const cols = m[0].length;
  m.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${name}: row ${i} has ${Array.isArray(row) ? row.length : "no"} entries; expected ${cols} (rows must have equal length)`);
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${name}[${i}][${j}] is ${String(v)}; expected a finite number`);
    });
  });
  return [m.length, cols];
}

function checkVector(v: Vector, name: string, length?: number): void {
  if (!Array.isArray(v)) throw new Error(`${name}: expected a number[]`);
  if (length !== undefined && v.length !== length) throw new Error(`${name} has ${v.length} entries; expected ${length}`);
  v.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`${name}[${i}] is ${String(x)}; expected a finite number`);
  });
}

/** Matrix–vector product W·x: [rows, cols] · [cols] → [rows] (article §4.1). */
export function matVec(W: Matrix, x: Vector, names: { W?: string; x?: string } = {}): Vector {
  const wName = names.W ?? "W";
  const xName = names.x ?? "x";
  const [rows, cols] = matrixShape(W, wName);
  if (x.length !== cols) {
    throw new Error(`${wName}·${xName}: ${wName} is ${rows}×${cols} (${cols} columns) but ${xName} has ${x.length} entries; they must be equal`);
  }
  checkVector(x, xName);
  return W.map((row) => row.reduce((s, w, j) => s + w * x[j], 0));
}

/** Element-wise sum a + b of two vectors of the same length (article §4.1). */
export function addVectors(a: Vector, b: Vector, names: { a?: string; b?: string } = {}): Vector {
  const aName = names.a ?? "a";
  const bName = names.b ?? "b";
  if (a.length !== b.length) throw new Error(`${aName} + ${bName}: ${aName} has ${a.length} entries but ${bName} has ${b.length}; they must be equal`);
  return a.map((v, i) => v + b[i]);
}

/** The transpose of a matrix: [rows, cols] → [cols, rows] (Keras stores kernels as W^T, article §4.1.3). */
export function transpose(m: Matrix): Matrix {
  const [rows, cols] = matrixShape(m, "transpose(m)");
  return Array.from({ length: cols }, (_, j) => Array.from({ length: rows }, (_, i) => m[i][j]));
}

/** One layer's pre-activation and activation. */
export interface LayerOutput {
  /** Pre-activation Z (length = rows of W). */
  z: Vector;
  /** Activation A = σ(Z). */
  a: Vector;
}

/** The standard dense layer: Z = W·x + b, A = σ(Z) (the correct form of article §4.1.1). */
export function mlpLayerForward(W: Matrix, x: Vector, b: Vector, activation: LayerActivation): LayerOutput {
  const [rows] = matrixShape(W, "W");
  checkVector(b, "b", rows);
  const z = addVectors(matVec(W, x), b, { a: "W·x", b: "b" });
  const f = activationFn(activation);
  return { z, a: z.map(f) };
}

/**
 * The article's written form, Z = σ(W·x) + b and A = σ(Z): σ applied twice, the bias outside the
 * first σ. Kept only to show how it differs from the standard layer (article §4.1.1).
 */
export function articleMlpLayer(W: Matrix, x: Vector, b: Vector, activation: LayerActivation): LayerOutput {
  const [rows] = matrixShape(W, "W");
  checkVector(b, "b", rows);
  const f = activationFn(activation);
  const z = addVectors(matVec(W, x).map(f), b, { a: "σ(W·x)", b: "b" });
  return { z, a: z.map(f) };
}

export interface Conv2dOptions {
  /** "valid": no padding, output (H−kh+1)×(W−kw+1); "same": zero padding so the output is H×W. Default "valid". */
  padding?: "valid" | "same";
  /**
   * false (default): cross-correlation, out[i][j] = Σ_{u,v} k[u][v]·in[i+u][j+v], what deep-learning
   * libraries call conv2d. true: mathematical convolution, the kernel rotated by 180° first.
   */
  flip?: boolean;
  /** Added to every output value (the article's b_j). Default 0. */
  bias?: number;
}

/** The kernel rotated by 180° (both axes reversed): turns cross-correlation into convolution (article §4.1.2). */
export function flipKernel(kernel: Matrix): Matrix {
  matrixShape(kernel, "kernel");
  return kernel.map((row) => [...row].reverse()).reverse();
}

/**
 * 2-D cross-correlation (or, with `flip`, true convolution) of one single-channel image with one
 * kernel, stride 1, by plain loops: image [H, W], kernel [kh, kw] → [oh, ow] (article §4.1.2).
 * "same" pads like TensorFlow: kh−1 rows in total, ⌊(kh−1)/2⌋ on top and the rest below (same
 * for columns), zeros outside the image.
 */
export function conv2dLoop(image: Matrix, kernel: Matrix, opts: Conv2dOptions = {}): Matrix {
  const padding = opts.padding ?? "valid";
  requireOneOf("conv2dLoop", "padding", padding, ["valid", "same"] as const);
  const [H, W] = matrixShape(image, "image");
  const [kh, kw] = matrixShape(kernel, "kernel");
  const bias = opts.bias ?? 0;
  requireFinite("conv2dLoop", "bias", bias);
  const k = opts.flip ? flipKernel(kernel) : kernel;
  const padTop = padding === "same" ? Math.floor((kh - 1) / 2) : 0;
  const padLeft = padding === "same" ? Math.floor((kw - 1) / 2) : 0;
  const oh = padding === "same" ? H : H - kh + 1;
  const ow = padding === "same" ? W : W - kw + 1;
  if (oh < 1 || ow < 1) throw new Error(`conv2dLoop: kernel ${kh}×${kw} is larger than image ${H}×${W} with "valid" padding`);
  const out: Matrix = [];
  for (let i = 0; i < oh; i++) {
    const row: number[] = [];
    for (let j = 0; j < ow; j++) {
      let s = bias;
      for (let u = 0; u < kh; u++) {
        const r = i + u - padTop;
        if (r < 0 || r >= H) continue; // zero padding
        for (let v = 0; v < kw; v++) {
          const c = j + v - padLeft;
          if (c < 0 || c >= W) continue;
          s += k[u][v] * image[r][c];
        }
      }
      row.push(s);
    }
    out.push(row);
  }
  return out;
}

/**
 * Max pooling by plain loops, no padding: x [H, W] → [⌊(H−size)/stride⌋+1, ⌊(W−size)/stride⌋+1],
 * each output the maximum of a size×size window (article §4.1.2).
 */
export function maxPool2dLoop(x: Matrix, size: number, stride: number = size): Matrix {
  const [H, W] = matrixShape(x, "x");
  requirePositiveInteger("maxPool2dLoop", "size", size);
  requirePositiveInteger("maxPool2dLoop", "stride", stride);
  if (size > H || size > W) throw new Error(`maxPool2dLoop: window ${size}×${size} is larger than x (${H}×${W})`);
  const oh = Math.floor((H - size) / stride) + 1;
  const ow = Math.floor((W - size) / stride) + 1;
  const out: Matrix = [];
  for (let i = 0; i < oh; i++) {
    const row: number[] = [];
    for (let j = 0; j < ow; j++) {
      let m = -Infinity;
      for (let u = 0; u < size; u++) for (let v = 0; v < size; v++) m = Math.max(m, x[i * stride + u][j * stride + v]);
      row.push(m);
    }
    out.push(row);
  }
  return out;
}

/** Weights, initial state and inputs of an Elman RNN (article §4.1.3, corrected). */
export interface ElmanRnnSpec {
  /** Input-to-hidden weights [hidden, input]. */
  Wxh: Matrix;
  /** Hidden-to-hidden (recurrent) weights [hidden, hidden]. */
  Whh: Matrix;
  /** Hidden bias [hidden]. */
  bh: Vector;
  /** Optional hidden-to-output weights [output, hidden]. */
  Why?: Matrix;
  /** Output bias [output]; requires Why, defaults to zeros. */
  by?: Vector;
  /** Initial hidden state h_0 [hidden]. */
  h0: Vector;
  /** Inputs x_1..x_T, each [input]. */
  xs: Vector[];
  /** σ of h_t = σ(W_xh·x_t + W_hh·h_{t−1} + b_h); default "tanh". */
  activation?: LayerActivation;
}

export interface ElmanRnnResult {
  /** Pre-activations W_xh·x_t + W_hh·h_{t−1} + b_h for t = 1..T, each [hidden]. */
  preActivations: Vector[];
  /** Hidden states h_1..h_T, each [hidden] (h_0 not included). */
  hiddenStates: Vector[];
  /** Outputs W_hy·h_t + b_y for t = 1..T, each [output]; only when Why is given. */
  outputs?: Vector[];
}

/**
 * An Elman RNN by plain loops: h_t = σ(W_xh·x_t + W_hh·h_{t−1} + b_h), y_t = W_hy·h_t + b_y. This is
 * the article's h_t = σ(W_h·[h_{t−1}, x_t] + b_h) with W_h = [W_hh | W_xh] split in two (article §4.1.3).
 */
export function elmanRnnLoop(spec: ElmanRnnSpec): ElmanRnnResult {
  const [hidden, input] = matrixShape(spec.Wxh, "Wxh");
  const [hr, hc] = matrixShape(spec.Whh, "Whh");
  if (hr !== hidden || hc !== hidden) throw new Error(`Whh is ${hr}×${hc}; expected ${hidden}×${hidden} (hidden × hidden, hidden = rows of Wxh)`);
  checkVector(spec.bh, "bh", hidden);
  checkVector(spec.h0, "h0", hidden);
  if (!Array.isArray(spec.xs) || spec.xs.length === 0) throw new Error("xs: expected at least one input vector");
  spec.xs.forEach((x, t) => checkVector(x, `xs[${t}]`, input));
  let outRows = 0;
  if (spec.Why) {
    const [orow, ocol] = matrixShape(spec.Why, "Why");
    if (ocol !== hidden) throw new Error(`Why is ${orow}×${ocol}; expected ${hidden} columns (one per hidden unit)`);
    outRows = orow;
    if (spec.by) checkVector(spec.by, "by", orow);
  } else if (spec.by) {
    throw new Error("by is given without Why; pass both or neither");
  }
  const f = activationFn(spec.activation ?? "tanh");
  const by = spec.by ?? new Array<number>(outRows).fill(0);
  const preActivations: Vector[] = [];
  const hiddenStates: Vector[] = [];
  const outputs: Vector[] = [];
  let h = spec.h0;
  spec.xs.forEach((x, t) => {
    const fromInput = matVec(spec.Wxh, x, { W: "Wxh", x: `xs[${t}]` }); // [hidden]
    const fromState = matVec(spec.Whh, h, { W: "Whh", x: `h_${t}` }); // [hidden]
    const z = fromInput.map((v, i) => v + fromState[i] + spec.bh[i]);
    h = z.map(f);
    preActivations.push(z);
    hiddenStates.push(h);
    if (spec.Why) outputs.push(addVectors(matVec(spec.Why, h, { W: "Why", x: `h_${t + 1}` }), by, { a: "Why·h", b: "by" }));
  });
  return spec.Why ? { preActivations, hiddenStates, outputs } : { preActivations, hiddenStates };
}
