/**
 * The native GRU forecaster step (src/engine/native/gru-train.ts on native/src/gru_net.cc) against
 * the tfjs cpu backend: loss and every weight gradient for GRU → Dense at several sizes, MAE and
 * MSE; 30 Adam steps; trainForecaster on both engines; the fallback for models it does not take;
 * tensor counts. Skipped where the addon is not built (native-train.test.ts checks that it builds
 * where it can).
 */
import { test, before, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadNative } from "../src/engine/native/addon";
import { nativeGruTrainerFor, type NativeGruTrainer } from "../src/engine/native/gru-train";
import { buildGruForecaster, trainForecaster } from "../src/scenarios/finance/forecast-models";
import { scaleRelErr, uniform } from "./helpers/numeric";

const status = loadNative();
const skipNative = status.ok ? false : "native addon not available";

before(async () => {
  await tf.setBackend("cpu");
});

const GRAD_TOL = 1e-4; // relative to each gradient's largest entry; the measured figure is printed

interface Sizes {
  T: number;
  F: number;
  U: number;
  K: number;
  batch: number;
  loss: "mae" | "mse";
}

/** GRU(U) → Dense(K) with seeded weights and a non-zero GRU bias (so every bias gradient path is used). */
function buildNet(s: Sizes, seed: number): tf.Sequential {
  const net = tf.sequential();
  net.add(
    tf.layers.gru({
      units: s.U,
      inputShape: [s.T, s.F],
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 2 }),
    }),
  );
  net.add(tf.layers.dense({ units: s.K, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }), biasInitializer: "ones" }));
  return net;
}

/** Reference loss and gradients (trainableWeights order) on the tfjs cpu backend. */
function tfjsGradients(net: tf.LayersModel, x: Float32Array, y: Float32Array, s: Sizes): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const xb = tf.tensor3d(x, [s.batch, s.T, s.F]);
    const yb = tf.tensor2d(y, [s.batch, s.K]);
    const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
    const lossOf = (pred: tf.Tensor): tf.Scalar =>
      (s.loss === "mae" ? tf.losses.absoluteDifference(yb, pred) : tf.losses.meanSquaredError(yb, pred)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(() => lossOf(net.apply(xb, { training: true }) as tf.Tensor), vars);
    return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  });
}

function nativeTrainer(net: tf.LayersModel, loss: "mae" | "mse", optimizer: "adam" | "sgd" = "adam"): NativeGruTrainer {
  const r = nativeGruTrainerFor(net, { loss, optimizer });
  assert.ok(r.trainer, r.reason);
  return r.trainer;
}

const SIZES: Sizes[] = [
  { T: 1, F: 1, U: 3, K: 1, batch: 1, loss: "mae" },
  { T: 5, F: 4, U: 3, K: 2, batch: 7, loss: "mse" },
  { T: 20, F: 4, U: 16, K: 1, batch: 128, loss: "mae" },
  { T: 20, F: 1, U: 16, K: 2, batch: 7, loss: "mse" },
  { T: 5, F: 1, U: 16, K: 2, batch: 128, loss: "mae" },
  { T: 1, F: 4, U: 3, K: 1, batch: 128, loss: "mse" },
  { T: 20, F: 4, U: 3, K: 1, batch: 1, loss: "mse" },
  { T: 5, F: 4, U: 32, K: 1, batch: 7, loss: "mae" }, // U = 32: the two-vector row kernels
];

/** How many z and r gates of the first time step are clipped by hardSigmoid (h₋₁ = 0, so a = x₀·kernel + bias). */
function clippedGates(net: tf.LayersModel, x: Float32Array, s: Sizes): number {
  return tf.tidy(() => {
    const [kernel, , bias] = net.trainableWeights.map((w) => w.read());
    const x0 = tf.tensor3d(x, [s.batch, s.T, s.F]).slice([0, 0, 0], [-1, 1, -1]).reshape([s.batch, s.F]);
    const a = tf.add(tf.matMul(x0 as tf.Tensor2D, kernel as tf.Tensor2D), bias).slice([0, 0], [-1, 2 * s.U]); // [batch, 2U]: z, r
    return tf.greater(tf.abs(a), 2.5).sum().dataSync()[0]; // 0.2·a + 0.5 outside [0, 1]
  });
}

/** Loss and gradient parity at every size; returns the largest gradient difference and the clipped gates seen. */
function checkSizes(label: string): { worst: number; clipped: number } {
  let worst = 0;
  let clipped = 0;
  SIZES.forEach((s, n) => {
    const net = buildNet(s, 10 + n);
    const trainer = nativeTrainer(net, s.loss);
    // Inputs in [−3, 3] so hardSigmoid's clip is reached on some gates as well as its linear part.
    const x = uniform(s.batch * s.T * s.F, 100 + n, -3, 3);
    const y = uniform(s.batch * s.K, 200 + n, -1, 1);
    clipped += clippedGates(net, x, s);
    const ref = tfjsGradients(net, x, y, s);
    const got = trainer.gradients(x, y, s.batch);
    const what = `${label} T ${s.T} F ${s.F} U ${s.U} K ${s.K} batch ${s.batch} ${s.loss}`;
    assert.ok(Math.abs(got.loss - ref.loss) <= 1e-5 * Math.max(1, ref.loss), `${what}: loss ${got.loss} vs tfjs ${ref.loss}`);
    got.grads.forEach((g, i) => {
      const e = scaleRelErr(g, ref.grads[i]);
      worst = Math.max(worst, e);
      assert.ok(e <= GRAD_TOL, `${what}: gradient of ${net.trainableWeights[i].name} differs by ${e.toExponential(2)} (relative)`);
    });
    trainer.dispose();
    net.dispose();
  });
  return { worst, clipped };
}

test(
  "native GRU step: loss and every gradient equal tfjs' (cpu) for T 1/5/20, F 1/4, U 3/16/32, K 1/2, batch 1/7/128, MAE and MSE",
  { skip: skipNative },
  (t: TestContext) => {
    const { worst, clipped } = checkSizes("");
    assert.ok(clipped > 0, "no gate reached hardSigmoid's clip: the test would not see its gradient");
    t.diagnostic(`largest gradient difference ${worst.toExponential(2)} (relative to the gradient's max); ${clipped} clipped gates at t = 0`);
  },
);

test(
  "native GRU step: every SIMD set the CPU has (the addon's setSimd / RUNBOOK_NATIVE_SIMD) gives the same gradients",
  { skip: skipNative },
  (t: TestContext) => {
    const addon = status.addon!;
    const initial = addon.simd();
    try {
      for (const simd of addon.supportedSimd()) {
        addon.setSimd(simd);
        const { worst } = checkSizes(`(${simd})`);
        t.diagnostic(`${simd}: largest gradient difference ${worst.toExponential(2)}`);
      }
    } finally {
      addon.setSimd(initial);
    }
  },
);

test("native GRU step: MAE at exactly zero error follows tfjs (d|a|/da = step(a, −1): the prediction's gradient is +1/n, not 0)", { skip: skipNative }, () => {
  const s: Sizes = { T: 3, F: 2, U: 3, K: 1, batch: 4, loss: "mae" };
  const net = buildNet(s, 30);
  const [kernel, recurrent, bias] = net.getWeights();
  const zeroKernel = tf.zeros([s.U, s.K]);
  const half = tf.fill([s.K], 0.5);
  net.setWeights([kernel, recurrent, bias, zeroKernel, half]); // every prediction is exactly 0.5
  tf.dispose([zeroKernel, half]);
  const x = uniform(s.batch * s.T * s.F, 31, -1, 1);
  const y = new Float32Array(s.batch).fill(0.5);
  const ref = tfjsGradients(net, x, y, s);
  const trainer = nativeTrainer(net, "mae");
  const got = trainer.gradients(x, y, s.batch);
  trainer.dispose();
  assert.equal(got.loss, 0);
  assert.deepEqual(Array.from(ref.grads[4]), [1], "tfjs' dense-bias gradient at zero error");
  got.grads.forEach((g, i) =>
    assert.ok(scaleRelErr(g, ref.grads[i]) <= GRAD_TOL, `gradient ${i} at zero error: ${Array.from(g)} vs ${Array.from(ref.grads[i])}`),
  );
  net.dispose();
});

test("native GRU step: predict equals the model's predict, and syncToModel writes the native weights back", { skip: skipNative }, () => {
  const s: Sizes = { T: 6, F: 3, U: 5, K: 2, batch: 9, loss: "mse" };
  const net = buildNet(s, 3);
  const trainer = nativeTrainer(net, "mse", "sgd");
  const x = uniform(s.batch * s.T * s.F, 7, -2, 2);
  const y = uniform(s.batch * s.K, 8, -1, 1);
  for (let i = 0; i < 5; i++) trainer.step(x, y, 0, s.batch, 0.1);
  trainer.syncToModel();
  const expected = tf.tidy(() => (net.predict(tf.tensor3d(x, [s.batch, s.T, s.F])) as tf.Tensor).dataSync());
  assert.ok(scaleRelErr(trainer.predict(x, 0, s.batch), expected) <= 1e-5, "native predict after syncToModel differs from net.predict");
  trainer.weights().forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(net.trainableWeights[i].read().dataSync()), `weight ${i} after syncToModel`));
  trainer.dispose();
  net.dispose();
});

test("native GRU step: 30 Adam steps of the §6.3 forecaster follow tfjs' losses (within 1e-4)", { skip: skipNative }, (t: TestContext) => {
  const sizes = { windowLength: 20, numFeatures: 4, units: 16, seed: 5 };
  const batch = 32;
  const steps = 30;
  const x = uniform(steps * batch * 80, 31, -2, 2);
  const y = uniform(steps * batch, 32, -1, 1);
  const netNative = buildGruForecaster(sizes);
  const trainer = nativeTrainer(netNative, "mae");
  const nativeLosses = Array.from({ length: steps }, (_, i) => trainer.step(x, y, i * batch, batch, 0.003));
  trainer.dispose();
  const net = buildGruForecaster(sizes);
  const optimizer = tf.train.adam(0.003);
  const tfjsLosses = Array.from({ length: steps }, (_, i) =>
    tf.tidy(() => {
      const xb = tf.tensor3d(x.subarray(i * batch * 80, (i + 1) * batch * 80), [batch, 20, 4]);
      const yb = tf.tensor2d(y.subarray(i * batch, (i + 1) * batch), [batch, 1]);
      const loss = optimizer.minimize(() => tf.losses.absoluteDifference(yb, net.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar, true);
      return loss!.dataSync()[0];
    }),
  );
  optimizer.dispose();
  const worst = Math.max(...nativeLosses.map((l, i) => Math.abs(l - tfjsLosses[i])));
  t.diagnostic(`largest loss difference over ${steps} steps: ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-4, `losses differ by ${worst}: native ${nativeLosses.slice(-3)} vs tfjs ${tfjsLosses.slice(-3)}`);
  assert.ok(nativeLosses[steps - 1] !== nativeLosses[0], "the native step did not change the weights");
  net.dispose();
  netNative.dispose();
});

/** Seeded training and validation windows for trainForecaster ([n, 20, 4] → [n, 1]). */
function windowSets(): { train: { X: tf.Tensor3D; y: tf.Tensor2D }; val: { X: tf.Tensor3D; y: tf.Tensor2D } } {
  const make = (n: number, seed: number): { X: tf.Tensor3D; y: tf.Tensor2D } => {
    const X = uniform(n * 80, seed, -2, 2);
    // A learnable target: the mean of the last day's features plus noise.
    const y = uniform(n, seed + 1, -0.1, 0.1).map((v, i) => v + (X[i * 80 + 76] + X[i * 80 + 77] + X[i * 80 + 78] + X[i * 80 + 79]) / 4);
    return { X: tf.tensor3d(X, [n, 20, 4]), y: tf.tensor2d(y, [n, 1]) };
  };
  return { train: make(300, 41), val: make(100, 43) };
}

test(
  "trainForecaster: the native engine's losses, validation MAE, best epoch and weights agree with engine 'tfjs'",
  { skip: skipNative },
  async (t: TestContext) => {
    const sets = windowSets();
    const sizes = { windowLength: 20, numFeatures: 4, units: 16, seed: 9 };
    const opts = { numEpochs: 4, batchSize: 64, lr: 0.01, seed: 3 };
    const netNative = buildGruForecaster(sizes);
    const before = tf.memory().numTensors;
    const native = await trainForecaster(netNative, sets.train, sets.val, opts);
    assert.equal(tf.memory().numTensors, before, "the native run leaked tensors");
    const net = buildGruForecaster(sizes);
    const ref = await trainForecaster(net, sets.train, sets.val, { ...opts, engine: "tfjs" });
    assert.equal(native.engine, "native", native.engineReason);
    assert.match(native.engineReason ?? "", /native fused GRU step/);
    assert.equal(ref.engine, "tfjs");
    assert.equal(ref.engineReason, "engine: tfjs requested");
    assert.equal(native.steps, ref.steps);
    const lossDiff = Math.max(...native.trainLoss.map((l, i) => Math.abs(l - ref.trainLoss[i])));
    const valDiff = Math.max(...native.validationLoss.map((l, i) => Math.abs(l - ref.validationLoss[i])));
    t.diagnostic(`largest train-loss difference ${lossDiff.toExponential(2)}, validation ${valDiff.toExponential(2)}`);
    assert.ok(lossDiff <= 1e-4, `training losses ${native.trainLoss} vs ${ref.trainLoss}`);
    assert.ok(valDiff <= 1e-4, `validation MAE ${native.validationLoss} vs ${ref.validationLoss}`);
    assert.equal(native.bestEpoch, ref.bestEpoch);
    assert.ok(native.trainLoss[opts.numEpochs - 1] < native.trainLoss[0], `training did not reduce the loss: ${native.trainLoss}`);
    // The model keeps the best epoch's weights on both engines.
    net.getWeights().forEach((w, i) => {
      const e = scaleRelErr(netNative.getWeights()[i].dataSync(), w.dataSync());
      assert.ok(e <= 1e-3, `weight ${i} after training differs by ${e.toExponential(2)} (relative)`);
    });
    net.dispose();
    netNative.dispose();
    tf.dispose([sets.train.X, sets.train.y, sets.val.X, sets.val.y]);
  },
);

test("native GRU step: models it does not implement fall back with the reason naming the layer or setting", { skip: skipNative }, async () => {
  const gru = (extra: { returnSequences?: boolean; recurrentActivation?: "sigmoid"; dropout?: number }): tf.Sequential => {
    const net = tf.sequential();
    net.add(tf.layers.gru({ units: 4, inputShape: [5, 2], ...extra }));
    net.add(tf.layers.dense({ units: 1 }));
    return net;
  };
  const cases: [tf.Sequential, RegExp][] = [
    [gru({ returnSequences: true }), /GRU .* returnSequences true/],
    [gru({ recurrentActivation: "sigmoid" }), /GRU .* recurrentActivation "sigmoid"/],
    [gru({ dropout: 0.1 }), /GRU .* dropout 0.1/],
  ];
  const lstm = tf.sequential();
  lstm.add(tf.layers.lstm({ units: 4, inputShape: [5, 2] }));
  lstm.add(tf.layers.dense({ units: 1 }));
  cases.push([lstm, /layers \[LSTM, Dense\]/]);
  const relu = tf.sequential();
  relu.add(tf.layers.gru({ units: 4, inputShape: [5, 2] }));
  relu.add(tf.layers.dense({ units: 1, activation: "relu" }));
  cases.push([relu, /Dense .* activation 'relu'/]);
  for (const [net, reason] of cases) {
    const r = nativeGruTrainerFor(net);
    assert.equal(r.trainer, null);
    assert.match(r.reason, reason);
  }
  // trainForecaster takes the tfjs loop for such a model and says why.
  const X = tf.tensor3d(uniform(40, 1, -1, 1), [4, 5, 2]);
  const y = tf.tensor2d(uniform(4, 2), [4, 1]);
  const h = await trainForecaster(lstm, { X, y }, { X, y }, { numEpochs: 1, batchSize: 2, lr: 0.01, seed: 1 });
  assert.equal(h.engine, "tfjs");
  assert.match(h.engineReason ?? "", /LSTM/);
  tf.dispose([X, y]);
  for (const [net] of cases) net.dispose();
});

test("native GRU step: the tensor count stays flat and RSS bounded over 2,000 steps and predictions", { skip: skipNative }, () => {
  const s: Sizes = { T: 10, F: 4, U: 8, K: 1, batch: 16, loss: "mae" };
  const net = buildNet(s, 21);
  const x = uniform(s.batch * s.T * s.F, 22, -1, 1);
  const y = uniform(s.batch, 23, -1, 1);
  const before = tf.memory().numTensors;
  const trainer = nativeTrainer(net, "mae");
  trainer.step(x, y, 0, s.batch, 0.001); // warm-up: buffers
  const rss0 = process.memoryUsage().rss;
  for (let i = 0; i < 2000; i++) {
    trainer.step(x, y, 0, s.batch, 0.001);
    trainer.predict(x, 0, s.batch);
  }
  const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
  assert.ok(grown < 30, `RSS grew by ${grown.toFixed(1)} MB over 2,000 steps`);
  trainer.syncToModel();
  trainer.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => trainer.predict(x, 0, s.batch), /disposed/);
  net.dispose();
});
