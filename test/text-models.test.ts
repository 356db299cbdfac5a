/** Text classifiers (article §6): shapes, parameter counts, seeding, the padding-aware embedding and its gradient, a learnable toy task. */
import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { WordEmbedding } from "../src/models/embedding";
import { buildConvTextClassifier } from "../src/text/text-models";
import { countParameters, modelSummaryRows } from "../src/models/model";
import { trainClassifier, evaluateClassifier } from "../src/training/train";

before(async () => {
  await tf.setBackend("cpu");
});

test("conv model: layer shapes [T, E] → [T − K + 1, F] → [F] → [2] and parameter count", () => {
  const V = 50,
    T = 12,
    E = 4,
    F = 6,
    K = 3;
  const net = buildConvTextClassifier({ vocabSize: V, sequenceLength: T, embeddingDim: E, filters: F, kernelSize: K, seed: 3 });
  const rows = modelSummaryRows(net);
  assert.deepEqual(
    rows.map((r) => r.outputShape),
    [
      [null, T],
      [null, T, E],
      [null, T - K + 1, F],
      [null, F],
      [null, 2],
    ],
  );
  // embedding V·E, conv K·E·F + F, dense F·2 + 2
  assert.equal(countParameters(net), V * E + (K * E * F + F) + (F * 2 + 2));
  net.dispose();
});

test("same seed, same weights; another seed, other weights", () => {
  const weights = (seed: number): number[] => {
    const net = buildConvTextClassifier({ vocabSize: 20, sequenceLength: 8, embeddingDim: 3, filters: 2, kernelSize: 2, seed });
    const w = net.getWeights().flatMap((t) => Array.from(t.dataSync()));
    net.dispose();
    return w;
  };
  assert.deepEqual(weights(7), weights(7));
  assert.notDeepEqual(weights(7), weights(8));
});

test("WordEmbedding: padding is the zero vector; the gradient equals one-hot × table's and skips padding", () => {
  const layer = new WordEmbedding({ inputDim: 5, outputDim: 3, seed: 11 });
  const ids = tf.tensor2d(
    [
      [2, 4, 0],
      [2, 1, 0],
    ],
    [2, 3],
    "int32",
  ); // [batch 2, T 3]
  const out = layer.apply(ids) as tf.Tensor; // [2, 3, 3]
  assert.deepEqual(out.shape, [2, 3, 3]);
  const table = layer.getWeights()[0]; // [5, 3]
  const rows = out.arraySync() as number[][][];
  assert.ok(
    rows[0][2].every((v) => v === 0),
    `padding vector ${rows[0][2]}`,
  ); // id 0 → zero vector (±0)
  assert.deepEqual(rows[1][0], Array.from(table.slice([2, 0], [1, 3]).dataSync())); // id 2 → row 2
  // Reference gradient of Σ (out ⊙ c), by tf's own matmul of the one-hot ids (padding masked).
  const c = tf.randomNormal([2, 3, 3], 0, 1, "float32", 4);
  // Our gradient, through the layer's own variable (the scatter-add in src/models/embedding.ts):
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(ids) as tf.Tensor, c)) as tf.Scalar, [layer.trainableWeights[0].read() as tf.Variable]);
  const ours = Object.values(grads)[0]; // [5, 3]
  const reference = tf.grad((t: tf.Tensor) => {
    const flat = tf.reshape(ids, [-1]);
    const mask = tf.expandDims(tf.cast(tf.notEqual(flat, 0), "float32"), 1); // [6, 1]
    const oneHot = tf.mul(tf.oneHot(flat, 5), mask); // [6, 5]
    return tf.sum(tf.mul(tf.reshape(tf.matMul(oneHot, t), [2, 3, 3]), c));
  })(table);
  const a = Array.from(ours.dataSync());
  const r = Array.from(reference.dataSync());
  a.forEach((v, i) => assert.ok(Math.abs(v - r[i]) <= 1e-6, `gradient element ${i}: ${v} vs ${r[i]}`));
  assert.deepEqual(Array.from(ours.slice([0, 0], [1, 3]).dataSync()), [0, 0, 0]); // padding row never updated
  assert.deepEqual(Array.from(ours.slice([3, 0], [1, 3]).dataSync()), [0, 0, 0]); // id 3 not looked up
  tf.dispose([ids, out, c, ours, reference]);
});

test("the conv model learns a keyword task with trainClassifier, and memory stays flat", async () => {
  // Label 1 iff word id 7 occurs anywhere in a sequence of 10 ids from 2..19 (seeded).
  const n = 256,
    T = 10;
  const ids = new Int32Array(n * T);
  const labels = new Int32Array(n);
  let s = 12345;
  const rand = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) {
      let id = 2 + Math.floor(rand() * 18);
      if (id === 7) id = 8;
      ids[i * T + t] = id;
    }
    if (i % 2 === 0) {
      ids[i * T + Math.floor(rand() * T)] = 7;
      labels[i] = 1;
    }
  }
  const X = tf.tensor2d(ids, [n, T], "int32");
  const y = tf.tensor1d(labels, "int32");
  const net = buildConvTextClassifier({ vocabSize: 20, sequenceLength: T, embeddingDim: 8, filters: 8, kernelSize: 2, seed: 1 });
  const before = tf.memory().numTensors;
  await trainClassifier(net, { X, y }, { numEpochs: 8, batchSize: 16, lr: 0.01, optimizer: "adam", seed: 2 });
  assert.equal(tf.memory().numTensors, before, "tensors leaked by training");
  const acc = evaluateClassifier(net, { X, y }).accuracy;
  assert.ok(acc >= 0.95, `training accuracy ${acc}; expected ≥ 0.95 on a one-keyword task`);
  tf.dispose([X, y]);
  net.dispose();
});

test("bad parameters are errors naming the parameter", () => {
  const ok = { vocabSize: 10, sequenceLength: 5, embeddingDim: 2, filters: 2, kernelSize: 3, seed: 1 };
  assert.throws(() => buildConvTextClassifier({ ...ok, kernelSize: 6 }), /kernelSize 6 is longer than sequenceLength 5/);
  assert.throws(() => buildConvTextClassifier({ ...ok, vocabSize: 2 }), /vocabSize is 2; expected at least 3/);
  assert.throws(() => buildConvTextClassifier({ ...ok, filters: 1.5 }), /filters must be [^;]+; got 1\.5/);
  assert.throws(() => new WordEmbedding({ inputDim: 5, outputDim: 0, seed: 1 }), /outputDim must be [^;]+; got 0/);
});
