import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  ACTIVATIONS,
  TF_ACTIVATIONS,
  type ActivationName,
  activationFigure,
  erf,
  gelu,
  geluDerivative,
  geluTanh,
  getActivation,
  leakyRelu,
  leakyReluDerivative,
  linspace,
  normalCdf,
  relu,
  reluDerivative,
  sigmoid,
} from "../src/from-scratch/activations";

before(async () => {
  await tf.setBackend("cpu");
});

/** The TF.js equivalent of each activation, built from tf ops (GELU has no tf op in TF.js 4.22). */

const NAMES = Object.keys(ACTIVATIONS) as ActivationName[];
// 41 points in [−5, 5] including the kink 0 and values on both sides of it.
const XS = linspace(-5, 5, 41);

test("erf matches Python's math.erf (C library erf) to 1e-15", () => {
  // Reference values printed by CPython 3.11 math.erf.
  const ref: [number, number][] = [
    [0.1, 0.1124629160182849],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
    [-1.5, -0.9661051464753108],
    [5.9, 0.9999999999999999],
    [0, 0],
    [7, 1],
    [-7, -1],
  ];
  for (const [x, want] of ref) assert.ok(Math.abs(erf(x) - want) <= 1e-15, `erf(${x}) = ${erf(x)}, expected ${want}`);
  assert.ok(Number.isNaN(erf(NaN)));
  assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-12, "Φ(1.96) = 0.975");
});

test("every activation equals its TF.js equivalent to 1e-6 (float32 TF.js)", () => {
  for (const name of NAMES) {
    const got = XS.map(getActivation(name).f);
    const want = tf.tidy(() => Array.from(TF_ACTIVATIONS[name](tf.tensor1d(XS)).dataSync()));
    got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-6, `${name}(${XS[i]}) = ${g}, TF.js ${want[i]}`));
  }
});

test("every derivative equals tf.grad of the TF.js activation to 1e-5, kinks included", () => {
  for (const name of NAMES) {
    const got = XS.map(getActivation(name).df);
    // tf.grad of f applied element-wise (and summed, implicitly, by grad's dy = 1) is f′ element-wise.
    const want = tf.tidy(() => Array.from(tf.grad(TF_ACTIVATIONS[name])(tf.tensor1d(XS)).dataSync()));
    got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-5, `${name}′(${XS[i]}) = ${g}, tf.grad ${want[i]}`));
  }
});

test("every derivative equals a central finite difference to 1e-7 (float64, h = 1e-5, away from kinks)", () => {
  const h = 1e-5;
  // Truncation error h²·|f‴|/6 ≈ 1e-10 plus rounding ≈ 1e-16/h = 1e-11: far below 1e-7.
  const xs = XS.filter((x) => Math.abs(x) > 1e-3).concat([0.3, -0.7, 1.234]);
  for (const name of NAMES) {
    const { f, df } = getActivation(name);
    for (const x of xs) {
      const fd = (f(x + h) - f(x - h)) / (2 * h);
      assert.ok(Math.abs(df(x) - fd) <= 1e-7, `${name}′(${x}) = ${df(x)}, finite difference ${fd}`);
    }
  }
});

test("the finite-difference check can fail: it rejects a wrong derivative", () => {
  const h = 1e-5;
  const x = 0.8;
  const fd = (sigmoid(x + h) - sigmoid(x - h)) / (2 * h);
  assert.ok(Math.abs(sigmoid(x) - fd) > 1e-2, "σ is not its own derivative");
});

test("kinks follow TF.js: ReLU′(0) = 0, leaky ReLU′(0) = slope; the slope parameter is used", () => {
  assert.equal(relu(0), 0);
  assert.equal(reluDerivative(0), 0);
  assert.equal(leakyReluDerivative(0, 0.01), 0.01);
  assert.equal(leakyRelu(-2, 0.01), -0.02);
  assert.equal(leakyRelu(3, 0.01), 3);
  const want = tf.tidy(() =>
    Array.from(
      tf
        .grad((x: tf.Tensor) => tf.leakyRelu(x, 0.01))(tf.tensor1d([-1, 0, 1]))
        .dataSync(),
    ),
  );
  [-1, 0, 1].forEach((x, i) => assert.ok(Math.abs(leakyReluDerivative(x, 0.01) - want[i]) < 1e-7, `leaky ReLU′(${x}): ${want[i]} in TF.js`));
  assert.throws(() => leakyRelu(1, -0.1), /leakyRelu: slope must be a finite number ≥ 0; got -0.1/);
});

test("GELU: values from its definition, and the tanh approximation within 5e-4 of the exact form", () => {
  assert.equal(gelu(0), 0);
  assert.ok(Math.abs(gelu(1) - 0.8413447460685429) < 1e-12, "GELU(1) = Φ(1) = 0.841344746…");
  assert.ok(Math.abs(geluDerivative(0) - 0.5) < 1e-15, "GELU′(0) = Φ(0) = 1/2");
  const maxGap = Math.max(...linspace(-6, 6, 1201).map((x) => Math.abs(gelu(x) - geluTanh(x))));
  assert.ok(maxGap < 5e-4 && maxGap > 1e-5, `max |GELU − GELU_tanh| = ${maxGap}`);
});

test("sigmoid does not overflow at large |x|", () => {
  assert.equal(sigmoid(1000), 1);
  assert.equal(sigmoid(-1000), 0);
  assert.ok(Number.isFinite(ACTIVATIONS.sigmoid.df(-800)));
});

test("getActivation names the known activations; activationFigure has one trace per activation", () => {
  assert.throws(() => getActivation("swish"), /activation "swish" is unknown; expected one of sigmoid, tanh, relu/);
  const fig = activationFigure(["relu", "tanh"], [-1, 0, 1], "derivative");
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[0].y, [0, 0, 1]);
  assert.throws(() => linspace(0, 1, 1), /linspace: n must be an integer ≥ 2; got 1/);
});
