/**
 * Backpropagation written out by hand (article §3.1) for a 2-layer MLP in plain TypeScript
 * (float64), plus the two tools that check it: central finite differences and a relative error.
 *
 *   X  [n, d]                      inputs
 *   Z1 = X·W1 + b1      [n, h]     W1 [d, h], b1 [h]
 *   A1 = act(Z1)        [n, h]
 *   Z2 = A1·W2 + b2     [n, k]     W2 [h, k], b2 [k]   (logits)
 *   P  = softmax(Z2)    [n, k]
 *   L  = −(1/n) Σᵢ log P[i, yᵢ]    mean softmax cross-entropy
 *
 * Backward (the chain rule, from the loss to the inputs):
 *   dZ2 = (P − onehot(y)) / n      [n, k]
 *   dW2 = A1ᵀ·dZ2  [h, k]   db2 = Σᵢ dZ2[i]  [k]
 *   dA1 = dZ2·W2ᵀ  [n, h]   dZ1 = dA1 ⊙ act′(Z1)  [n, h]
 *   dW1 = Xᵀ·dZ1   [d, h]   db1 = Σᵢ dZ1[i]  [h]
 */
import { type ActivationName, getActivation } from "./activations";
import { mulberry32 } from "../core/random";
import type { Matrix, Vector } from "./math-models";
import { requirePositiveInteger } from "../core/validate";

/** Named parameter tensors (vectors or matrices): what finite differences perturb. */
export type ParamSet = Record<string, Vector | Matrix>;

/** The MLP's parameters (and, with the same shapes, its gradients). */
export type MlpParams = {
  /** [d, h] */
  W1: Matrix;
  /** [h] */
  b1: Vector;
  /** [h, k] */
  W2: Matrix;
  /** [k] */
  b2: Vector;
};

/** Everything the forward pass computes, kept for the backward pass. */
export interface MlpForward {
  /** [n, h] pre-activations of the hidden layer. */
  Z1: Matrix;
  /** [n, h] hidden activations. */
  A1: Matrix;
  /** [n, k] logits. */
  Z2: Matrix;
  /** [n, k] softmax probabilities. */
  P: Matrix;
  /** Mean cross-entropy over the n rows. */
  loss: number;
}

function shapeOf(m: Matrix): [number, number] {
  return [m.length, m.length > 0 ? m[0].length : 0];
}

function checkInputs(fn: string, params: MlpParams, X: Matrix, y: ArrayLike<number>): void {
  const [n, d] = shapeOf(X);
  const [d1, h] = shapeOf(params.W1);
  const [h2, k] = shapeOf(params.W2);
  if (n === 0) throw new Error(`${fn}: X is empty; expected at least one row`);
  if (X.some((r) => r.length !== d)) throw new Error(`${fn}: X has rows of different lengths; expected ${d} features in every row`);
  if (d1 !== d) throw new Error(`${fn}: W1 is [${d1}, ${h}] but X has ${d} features; expected W1 of shape [${d}, hidden]`);
  if (params.b1.length !== h) throw new Error(`${fn}: b1 has ${params.b1.length} entries; expected ${h} (the hidden width)`);
  if (h2 !== h) throw new Error(`${fn}: W2 is [${h2}, ${k}]; expected ${h} rows (the hidden width)`);
  if (params.b2.length !== k) throw new Error(`${fn}: b2 has ${params.b2.length} entries; expected ${k} (the number of classes)`);
  if (y.length !== n) throw new Error(`${fn}: y has ${y.length} labels but X has ${n} rows; expected one label per row`);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= k) throw new Error(`${fn}: y[${i}] is ${y[i]}; expected a class index in 0..${k - 1}`);
  }
}

/** A·B + bias (bias added to every row): [n, m]·[m, p] + [p] → [n, p]. */
function affine(A: Matrix, B: Matrix, bias: Vector): Matrix {
  const p = bias.length;
  return A.map((row) => {
    const out = bias.slice();
    for (let j = 0; j < row.length; j++) {
      const a = row[j];
      const bj = B[j];
      for (let c = 0; c < p; c++) out[c] += a * bj[c];
    }
    return out;
  });
}

/** Row-wise softmax with the max subtracted for stability: [n, k] → [n, k]. */
export function softmaxRows(Z: Matrix): Matrix {
  return Z.map((row) => {
    const m = Math.max(...row);
    const e = row.map((z) => Math.exp(z - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}

/** Forward pass of the 2-layer MLP with mean softmax cross-entropy (article §3.1). */
export function mlpForward(params: MlpParams, X: Matrix, y: ArrayLike<number>, activation: ActivationName = "relu"): MlpForward {
  checkInputs("mlpForward", params, X, y);
  const act = getActivation(activation);
  const Z1 = affine(X, params.W1, params.b1); // [n, h]
  const A1 = Z1.map((r) => r.map(act.f)); // [n, h]
  const Z2 = affine(A1, params.W2, params.b2); // [n, k]
  const P = softmaxRows(Z2); // [n, k]
  // log P[i, y_i] computed as z − logsumexp(z), which stays finite where P underflows to 0.
  let loss = 0;
  Z2.forEach((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
    loss -= row[y[i]] - lse;
  });
  return { Z1, A1, Z2, P, loss: loss / X.length };
}

/** The hand-written backward pass: the loss and the gradient of every parameter tensor (article §3.1). */
export function mlpBackward(params: MlpParams, X: Matrix, y: ArrayLike<number>, activation: ActivationName = "relu"): { loss: number; grads: MlpParams } {
  const fwd = mlpForward(params, X, y, activation);
  const act = getActivation(activation);
  const n = X.length;
  const [d, h] = shapeOf(params.W1);
  const k = params.b2.length;
  // dL/dZ2 = (P − onehot(y)) / n   [n, k]
  const dZ2 = fwd.P.map((row, i) => row.map((p, c) => (p - (c === y[i] ? 1 : 0)) / n));
  // dL/dW2 = A1ᵀ·dZ2 [h, k];  dL/db2 = column sums of dZ2 [k]
  const dW2 = zeros(h, k);
  const db2 = new Array<number>(k).fill(0);
  // dL/dA1 = dZ2·W2ᵀ [n, h];  dL/dZ1 = dA1 ⊙ act′(Z1) [n, h]
  const dZ1 = zeros(n, h);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const g = dZ2[i][c];
      db2[c] += g;
      for (let j = 0; j < h; j++) {
        dW2[j][c] += fwd.A1[i][j] * g;
        dZ1[i][j] += g * params.W2[j][c];
      }
    }
    for (let j = 0; j < h; j++) dZ1[i][j] *= act.df(fwd.Z1[i][j]);
  }
  // dL/dW1 = Xᵀ·dZ1 [d, h];  dL/db1 = column sums of dZ1 [h]
  const dW1 = zeros(d, h);
  const db1 = new Array<number>(h).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < h; j++) {
      const g = dZ1[i][j];
      db1[j] += g;
      for (let f = 0; f < d; f++) dW1[f][j] += X[i][f] * g;
    }
  }
  return { loss: fwd.loss, grads: { W1: dW1, b1: db1, W2: dW2, b2: db2 } };
}

function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

/** Seeded initial parameters: weights uniform in ±√(6/(fan_in+fan_out)) (Glorot), biases small and non-zero (article §3.1). */
export function initMlpParams(inputSize: number, hiddenSize: number, numClasses: number, seed: number): MlpParams {
  for (const [name, v] of [
    ["inputSize", inputSize],
    ["hiddenSize", hiddenSize],
    ["numClasses", numClasses],
  ] as const) {
    requirePositiveInteger("initMlpParams", name, v);
  }
  const rng = mulberry32(seed);
  const uniform = (bound: number) => (rng() * 2 - 1) * bound;
  const glorot = (fanIn: number, fanOut: number) => Math.sqrt(6 / (fanIn + fanOut));
  const b1Bound = glorot(inputSize, hiddenSize);
  const b2Bound = glorot(hiddenSize, numClasses);
  return {
    W1: Array.from({ length: inputSize }, () => Array.from({ length: hiddenSize }, () => uniform(b1Bound))),
    // Non-zero biases, so their gradients are exercised as much as the weights'.
    b1: Array.from({ length: hiddenSize }, () => uniform(0.1)),
    W2: Array.from({ length: hiddenSize }, () => Array.from({ length: numClasses }, () => uniform(b2Bound))),
    b2: Array.from({ length: numClasses }, () => uniform(0.1)),
  };
}

/** A deep copy of a parameter set (vectors and matrices). */
export function cloneParams<P extends ParamSet>(params: P): P {
  const out: ParamSet = {};
  for (const [name, t] of Object.entries(params)) {
    out[name] = Array.isArray(t[0]) ? (t as Matrix).map((r) => r.slice()) : (t as Vector).slice();
  }
  return out as P;
}

/**
 * Central finite differences: ∂L/∂θ ≈ (L(θ + ε) − L(θ − ε)) / 2ε for every entry of every
 * parameter tensor, the same shapes as `params` (article §3.1). Error O(ε²) plus rounding
 * O(u/ε): in float64 (u ≈ 1e-16), ε = 1e-6 gives about 1e-10 relative error on smooth losses.
 */
export function finiteDifferenceGradients<P extends ParamSet>(lossFn: (params: P) => number, params: P, eps = 1e-6): P {
  if (!(eps > 0) || !Number.isFinite(eps)) throw new Error(`finiteDifferenceGradients: eps is ${eps}; expected a small positive number such as 1e-6`);
  const work = cloneParams(params);
  const grads = cloneParams(params);
  const probe = (get: () => number, set: (v: number) => void): number => {
    const orig = get();
    set(orig + eps);
    const up = lossFn(work);
    set(orig - eps);
    const down = lossFn(work);
    set(orig);
    return (up - down) / (2 * eps);
  };
  for (const name of Object.keys(work)) {
    const t = work[name];
    const g = grads[name];
    if (Array.isArray(t[0])) {
      const m = t as Matrix;
      const gm = g as Matrix;
      for (let i = 0; i < m.length; i++) {
        for (let j = 0; j < m[i].length; j++)
          gm[i][j] = probe(
            () => m[i][j],
            (v) => {
              m[i][j] = v;
            },
          );
      }
    } else {
      const v = t as Vector;
      const gv = g as Vector;
      for (let i = 0; i < v.length; i++)
        gv[i] = probe(
          () => v[i],
          (x) => {
            v[i] = x;
          },
        );
    }
  }
  return grads;
}

/** The entries of a vector or matrix (or a typed array), flattened row by row. */
export function flatten(t: Vector | Matrix | ArrayLike<number>): number[] {
  if (Array.isArray(t) && t.length > 0 && Array.isArray(t[0])) return (t as Matrix).flat();
  return Array.from(t as ArrayLike<number>);
}

/**
 * Relative error ‖a − b‖₂ / max(‖a‖₂, ‖b‖₂) between two tensors of the same size (0 when both
 * are 0): the usual gradient-check measure (article §3.1). Norm-wise, so tiny entries (a dead
 * ReLU unit's gradient) do not blow it up the way an entry-wise ratio would.
 */
export function relativeError(a: Vector | Matrix | ArrayLike<number>, b: Vector | Matrix | ArrayLike<number>): number {
  const fa = flatten(a);
  const fb = flatten(b);
  if (fa.length !== fb.length) throw new Error(`relativeError: a has ${fa.length} entries but b has ${fb.length}; expected the same size`);
  let diff = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < fa.length; i++) {
    diff += (fa[i] - fb[i]) ** 2;
    na += fa[i] ** 2;
    nb += fb[i] ** 2;
  }
  const denom = Math.sqrt(Math.max(na, nb));
  return denom === 0 ? 0 : Math.sqrt(diff) / denom;
}
