import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildLeNet, buildMlp, countParameters, modelSummaryRows, pytorchInitBound } from "../src/models/model";

before(async () => {
  await tf.setBackend("cpu");
});

test("LeNet has 62,006 parameters for RGB and 61,706 for greyscale (article §5.2)", () => {
  const rgb = buildLeNet({ inputShape: [32, 32, 3], numClasses: 10, seed: 0 });
  const grey = buildLeNet({ inputShape: [32, 32, 1], numClasses: 10, seed: 0 });
  assert.equal(countParameters(rgb), 62006);
  assert.equal(countParameters(grey), 61706);
  assert.equal(countParameters(rgb), rgb.countParams());
  rgb.dispose();
  grey.dispose();
});

test("summary rows give the tutorial shapes and per-layer parameter counts", () => {
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 0 });
  const rows = modelSummaryRows(net);
  assert.deepEqual(
    rows.map((r) => r.type),
    ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense", "Dense"],
  );
  assert.deepEqual(
    rows.map((r) => r.outputShape),
    [
      [null, 28, 28, 6],
      [null, 14, 14, 6],
      [null, 10, 10, 16],
      [null, 5, 5, 16],
      [null, 400],
      [null, 120],
      [null, 84],
      [null, 10],
    ],
  );
  assert.deepEqual(
    rows.map((r) => r.params),
    [456, 0, 2416, 0, 0, 48120, 10164, 850],
  );
  for (const r of rows) assert.equal(typeof r.layer, "string");
  net.dispose();
});

test("forward pass maps [batch, 32, 32, 3] to [batch, 10] logits (no softmax)", () => {
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 1 });
  const X = tf.randomUniform([2, 32, 32, 3], -1, 1, "float32", 5); // [2, 32, 32, 3]
  const yHat = net.predict(X) as tf.Tensor; // [2, 10]
  assert.deepEqual(yHat.shape, [2, 10]);
  const rowSums = Array.from(yHat.sum(1).dataSync());
  const hasNegative = Array.from(yHat.dataSync()).some((v) => v < 0);
  assert.ok(hasNegative || rowSums.some((s) => Math.abs(s - 1) > 1e-3), "output looks like probabilities, expected logits");
  tf.dispose([X, yHat]);
  net.dispose();
});

test("init is PyTorch-style uniform(±1/√fan_in) for weights and biases", () => {
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 3 });
  const fanIns = [75, 75, 150, 150, 400, 400, 120, 120, 84, 84]; // kernel, bias per layer
  const weights = net.getWeights();
  assert.equal(weights.length, fanIns.length);
  weights.forEach((w, i) => {
    const bound = pytorchInitBound(fanIns[i]);
    const values = w.dataSync();
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    assert.ok(lo >= -bound && hi <= bound, `weight ${i} (${w.shape}) in [${lo}, ${hi}] exceeds ±${bound}`);
    if (values.length >= 84) {
      // Large tensors should fill most of the interval, i.e. not be a narrower distribution.
      assert.ok(hi - lo > 1.8 * bound * 0.9, `weight ${i} spans only [${lo}, ${hi}] of ±${bound}`);
    }
  });
  net.dispose();
});

test("same seed gives identical weights; different seeds and layers differ", () => {
  const a = buildLeNet({ inputShape: [32, 32, 3], seed: 11 });
  const b = buildLeNet({ inputShape: [32, 32, 3], seed: 11 });
  const c = buildLeNet({ inputShape: [32, 32, 3], seed: 12 });
  const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
  const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
  const wc = c.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(wa, wb);
  assert.notDeepEqual(wa[0], wc[0]);
  // Kernel and bias of a layer use different seeds, so the bias is not a copy of the kernel's head.
  const scale = pytorchInitBound(75);
  assert.notDeepEqual(
    wa[1].map((v) => v / scale),
    wa[0].slice(0, 6).map((v) => v / scale),
  );
  [a, b, c].forEach((m) => m.dispose());
});

test("rejects impossible input shapes", () => {
  assert.throws(() => buildLeNet({ inputShape: [8, 8, 3], seed: 0 }), /too small/);
  assert.throws(() => buildLeNet({ inputShape: [32, 32, 0], seed: 0 }), /positive integers/);
});

test("buildMlp: dense ReLU layers to logits, PyTorch-style init, [] hidden is logistic regression", () => {
  const mlp = buildMlp({ inputSize: 30, hidden: [16, 8], numClasses: 2, seed: 3 });
  // (30·16 + 16) + (16·8 + 8) + (8·2 + 2) = 496 + 136 + 18
  assert.equal(countParameters(mlp), 650);
  assert.deepEqual(
    modelSummaryRows(mlp).map((r) => r.outputShape),
    [
      [null, 16],
      [null, 8],
      [null, 2],
    ],
  );
  const w0 = mlp.layers[0].getWeights()[0].dataSync();
  const bound = pytorchInitBound(30);
  assert.ok(w0.every((v) => Math.abs(v) <= bound) && Math.max(...w0.map(Math.abs)) > 0.8 * bound);
  const logistic = buildMlp({ inputSize: 30, hidden: [], numClasses: 2, seed: 3 });
  assert.equal(countParameters(logistic), 62);
  const out = tf.tidy(() => (logistic.predict(tf.ones([4, 30])) as tf.Tensor).shape);
  assert.deepEqual(out, [4, 2]);
  assert.throws(() => buildMlp({ inputSize: 30, hidden: [0], numClasses: 2, seed: 1 }), /buildMlp: hidden\[0\] must be a positive integer; got 0/);
  assert.throws(() => buildMlp({ inputSize: 0, hidden: [], numClasses: 2, seed: 1 }), /inputSize must be a positive integer; got 0/);
});

test('buildMlp: "he-normal" and "glorot-uniform" inits give the weights of the hand-built Keras-style networks', () => {
  // 03-1's classifier before buildMlp had the option: He-normal ReLU layer (seed), Glorot-uniform output (seed + 1), zero biases.
  const reference = tf.sequential();
  reference.add(
    tf.layers.dense({ inputShape: [30], units: 16, activation: "relu", kernelInitializer: tf.initializers.heNormal({ seed: 42 }), biasInitializer: "zeros" }),
  );
  reference.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 43 }), biasInitializer: "zeros" }));
  const he = buildMlp({ inputSize: 30, hidden: [16], numClasses: 2, seed: 42, init: "he-normal" });
  const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(weightsOf(he), weightsOf(reference));
  assert.notDeepEqual(weightsOf(buildMlp({ inputSize: 30, hidden: [16], numClasses: 2, seed: 42 })), weightsOf(reference), "the default stays PyTorch-style");
  // 09-2's Fashion-MNIST network: flatten [28, 28, 1], Glorot-uniform kernels with seeds 7 and 8.
  const flatRef = tf.sequential();
  flatRef.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  flatRef.add(tf.layers.dense({ units: 64, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }));
  flatRef.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }));
  const glorot = buildMlp({ inputSize: 784, inputShape: [28, 28, 1], hidden: [64], numClasses: 10, seed: 7, init: "glorot-uniform" });
  assert.deepEqual(weightsOf(glorot), weightsOf(flatRef));
  assert.deepEqual(
    modelSummaryRows(glorot).map((r) => r.outputShape),
    [
      [null, 784],
      [null, 64],
      [null, 10],
    ],
  );
  assert.throws(
    () => buildMlp({ inputSize: 780, inputShape: [28, 28, 1], hidden: [], numClasses: 10, seed: 1 }),
    /inputShape \[28, 28, 1\] has 784 values; expected inputSize 780/,
  );
  assert.throws(() => buildMlp({ inputSize: 3, hidden: [], numClasses: 2, seed: 1, init: "xavier" as never }), /init is "xavier"/);
  [reference, he, flatRef, glorot].forEach((m) => m.dispose());
});
