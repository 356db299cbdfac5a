import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { TF_ACTIVATIONS, type ActivationName } from "../src/from-scratch/activations";
import { type MlpParams, cloneParams, finiteDifferenceGradients, initMlpParams, mlpBackward, mlpForward, relativeError } from "../src/from-scratch/backprop";
import type { Matrix } from "../src/from-scratch/math-models";
import { mulberry32 } from "../src/core/random";

before(async () => {
  await tf.setBackend("cpu");
});

/** n rows of d standard-normal-ish features (sum of uniforms) and labels in 0..k-1, seeded. */
function toyData(n: number, d: number, k: number, seed: number): { X: Matrix; y: number[] } {
  const rng = mulberry32(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => (rng() + rng() + rng() - 1.5) * 2));
  const y = Array.from({ length: n }, (_, i) => i % k);
  return { X, y };
}

/** The same network in TF.js: tf ops on tf.variables, gradients by tf.variableGrads (reverse-mode autodiff). */

function tfGradients(params: MlpParams, X: Matrix, y: number[], activation: ActivationName): { loss: number; grads: Record<keyof MlpParams, number[]> } {
  const k = params.b2.length;
  const vars = {
    W1: tf.variable(tf.tensor2d(params.W1), true, `W1_${activation}`),
    b1: tf.variable(tf.tensor1d(params.b1), true, `b1_${activation}`),
    W2: tf.variable(tf.tensor2d(params.W2), true, `W2_${activation}`),
    b2: tf.variable(tf.tensor1d(params.b2), true, `b2_${activation}`),
  };
  const xs = tf.tensor2d(X); // [n, d]
  const labels = tf.oneHot(tf.tensor1d(y, "int32"), k); // [n, k]
  const { value, grads } = tf.variableGrads(() => {
    const a1 = TF_ACTIVATIONS[activation](tf.add(tf.matMul(xs, vars.W1), vars.b1)); // [n, h]
    const logits = tf.add(tf.matMul(a1, vars.W2), vars.b2); // [n, k]
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar; // mean over rows
  });
  const out = {
    loss: value.dataSync()[0],
    grads: {
      W1: Array.from(grads[vars.W1.name].dataSync()),
      b1: Array.from(grads[vars.b1.name].dataSync()),
      W2: Array.from(grads[vars.W2.name].dataSync()),
      b2: Array.from(grads[vars.b2.name].dataSync()),
    },
  };
  tf.dispose([value, ...Object.values(grads), ...Object.values(vars), xs, labels]);
  return out;
}

const TENSORS = ["W1", "b1", "W2", "b2"] as const;
const ALL: ActivationName[] = ["sigmoid", "tanh", "relu", "leakyRelu", "gelu", "geluTanh"];

test("hand backprop equals central finite differences (float64, eps 1e-6): relative error < 1e-6 per tensor", () => {
  const { X, y } = toyData(8, 5, 3, 11);
  for (const activation of ALL) {
    const params = initMlpParams(5, 4, 3, 21);
    const { grads } = mlpBackward(params, X, y, activation);
    const fd = finiteDifferenceGradients((p: MlpParams) => mlpForward(p, X, y, activation).loss, params, 1e-6);
    for (const name of TENSORS) {
      const err = relativeError(grads[name], fd[name]);
      assert.ok(err < 1e-6, `${activation} ${name}: relative error ${err}`);
    }
  }
});

test("hand backprop equals tf.variableGrads of the same network (float32): relative error < 1e-4, loss to 1e-5", () => {
  const { X, y } = toyData(8, 5, 3, 12);
  for (const activation of ALL) {
    const params = initMlpParams(5, 4, 3, 22);
    const { loss, grads } = mlpBackward(params, X, y, activation);
    const ref = tfGradients(params, X, y, activation);
    assert.ok(Math.abs(loss - ref.loss) < 1e-5, `${activation} loss ${loss} vs TF.js ${ref.loss}`);
    for (const name of TENSORS) {
      const err = relativeError(grads[name], ref.grads[name]);
      assert.ok(err < 1e-4, `${activation} ${name}: relative error ${err} vs TF.js`);
    }
  }
});

test("the check can fail: a backward pass that forgets the 1/n of the mean loss is caught", () => {
  const { X, y } = toyData(8, 5, 3, 13);
  const params = initMlpParams(5, 4, 3, 23);
  const { grads } = mlpBackward(params, X, y, "tanh");
  const fd = finiteDifferenceGradients((p: MlpParams) => mlpForward(p, X, y, "tanh").loss, params);
  const wrong = grads.W2.map((r) => r.map((v) => v * X.length));
  assert.ok(relativeError(wrong, fd.W2) > 0.5);
});

test("mlpForward: loss is the mean −log p of the true class; softmax rows sum to 1", () => {
  // A network whose logits are exactly b2 (zero weights): P = softmax(b2) for every row.
  const params: MlpParams = {
    W1: [
      [0, 0],
      [0, 0],
    ],
    b1: [0, 0],
    W2: [
      [0, 0, 0],
      [0, 0, 0],
    ],
    b2: [1, 2, 3],
  };
  const X = [
    [1, 2],
    [3, 4],
  ];
  const y = [0, 2];
  const { P, loss } = mlpForward(params, X, y, "relu");
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  // Hand computation: −(log(e¹/z) + log(e³/z)) / 2 = log z − 2.
  assert.ok(Math.abs(loss - (Math.log(z) - 2)) < 1e-12, `loss ${loss}`);
  for (const row of P) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-15);
  // Large logits stay finite.
  const big = mlpForward({ ...params, b2: [1000, 0, -1000] }, X, y, "relu");
  assert.ok(Number.isFinite(big.loss) && big.loss > 500);
});

test("finiteDifferenceGradients on a known function: L = Σ θ² has gradient 2θ; the input is not modified", () => {
  const params = {
    w: [
      [1, -2],
      [0.5, 3],
    ],
    b: [0.25, -4],
  };
  const before = cloneParams(params);
  const sumSq = (p: typeof params) => p.w.flat().reduce((s, v) => s + v * v, 0) + p.b.reduce((s, v) => s + v * v, 0);
  const g = finiteDifferenceGradients(sumSq, params, 1e-5);
  assert.ok(
    relativeError(g.w, [
      [2, -4],
      [1, 6],
    ]) < 1e-9,
  );
  assert.ok(relativeError(g.b, [0.5, -8]) < 1e-9);
  assert.deepEqual(params, before);
  assert.throws(() => finiteDifferenceGradients(sumSq, params, 0), /eps is 0; expected a small positive number/);
});

test("relativeError: norm-wise, 0 for two zero tensors, errors on size mismatch", () => {
  assert.equal(relativeError([0, 0], [0, 0]), 0);
  assert.ok(Math.abs(relativeError([3, 4], [3, 4.5]) - 0.5 / Math.hypot(3, 4.5)) < 1e-15);
  assert.equal(relativeError([[1, 2]], new Float32Array([1, 2])), 0);
  assert.throws(() => relativeError([1, 2], [1]), /a has 2 entries but b has 1/);
});

test("mlpForward validates shapes and labels, naming the parameter", () => {
  const params = initMlpParams(3, 2, 2, 1);
  assert.throws(() => mlpForward(params, [[1, 2]], [0]), /W1 is \[3, 2\] but X has 2 features/);
  assert.throws(() => mlpForward(params, [[1, 2, 3]], [2]), /y\[0\] is 2; expected a class index in 0..1/);
  assert.throws(() => mlpForward(params, [[1, 2, 3]], [0, 1]), /y has 2 labels but X has 1 rows/);
  assert.throws(() => initMlpParams(3, 0, 2, 1), /initMlpParams: hiddenSize must be a positive integer; got 0/);
});
