import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import {
  Transformer,
  countNonEmbeddingParameters,
  countTransformerParameters,
  loadTransformer,
  matMul2d,
  saveTransformer,
  sparseSoftmaxCrossEntropy,
  type TransformerConfig,
} from "../src/models/transformer";
import { maxAbsDiff } from "./helpers/numeric";

before(async () => {
  await tf.setBackend("cpu");
});

const config: TransformerConfig = { vocabSize: 30, contextLength: 10, dModel: 16, numHeads: 4, numLayers: 2, seed: 1 };

test("shapes: tokens [B, T] → logits [B, T, V] for every T ≤ contextLength; longer inputs are rejected", () => {
  const m = new Transformer(config);
  try {
    for (const T of [1, 4, 10]) {
      const logits = tf.tidy(() => m.logits(tf.zeros([3, T], "int32") as tf.Tensor2D));
      assert.deepEqual(logits.shape, [3, T, 30]);
      logits.dispose();
    }
    assert.throws(() => m.logits(tf.zeros([1, 11], "int32") as tf.Tensor2D), /sequence length 11 must be in \[1, 10\]/);
  } finally {
    m.dispose();
  }
});

test("parameter count: closed form 2·V·d… (reference: the formula below, written out by hand)", () => {
  const { vocabSize: V, contextLength: T, dModel: d, numLayers: L } = config;
  const f = 4 * d;
  const perLayer = 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * f + f) + (f * d + d);
  const expected = V * d + T * d + L * perLayer + 2 * d; // tied output: no extra V·d
  assert.equal(countTransformerParameters(config), expected);
  assert.equal(countTransformerParameters({ ...config, tieWeights: false }), expected + d * V);
  assert.equal(countNonEmbeddingParameters(config), L * perLayer + 2 * d);
  const m = new Transformer(config);
  const actual = m.variables().reduce((s, v) => s + v.size, 0);
  m.dispose();
  assert.equal(actual, expected);
  assert.throws(() => new Transformer({ ...config, numHeads: 3 }), /numHeads \(3\) must divide dModel \(16\)/);
});

test("the causal mask blocks the future: changing token t+1 leaves outputs at ≤ t unchanged (tolerance 1e-5)", () => {
  const m = new Transformer(config);
  try {
    const base = [2, 7, 3, 9, 11, 4, 5, 8, 1, 6];
    for (const t of [0, 3, 8]) {
      const changed = [...base];
      changed[t + 1] = (changed[t + 1] + 13) % 30;
      const [a, b] = [base, changed].map((seq) => tf.tidy(() => m.logits(tf.tensor2d([seq], [1, 10], "int32")).arraySync()[0]));
      for (let s = 0; s <= t; s++) assert.ok(maxAbsDiff(a[s], b[s]) < 1e-5, `position ${s} changed when token ${t + 1} did`);
      // …and the change is visible from t+1 on (the test could fail if the model ignored its input).
      assert.ok(maxAbsDiff(a[t + 1], b[t + 1]) > 1e-4, `position ${t + 1} did not see its own token`);
    }
  } finally {
    m.dispose();
  }
});

test("attention reaches back: changing token 0 changes the output at the last position", () => {
  const m = new Transformer(config);
  try {
    const seqs = [
      [2, 7, 3, 9, 11],
      [20, 7, 3, 9, 11],
    ];
    const [a, b] = seqs.map((s) => tf.tidy(() => m.logits(tf.tensor2d([s], [1, 5], "int32")).arraySync()[0][4]));
    assert.ok(maxAbsDiff(a, b) > 1e-5);
  } finally {
    m.dispose();
  }
});

test("an untrained model predicts ≈ uniformly: loss ≈ ln V (tolerance 0.02 nats)", () => {
  // Initial weights are N(0, 0.02), so the logits are within a few hundredths of each other and
  // the cross-entropy is ln V plus a term of the order of their variance.
  const V = 500;
  const m = new Transformer({ ...config, vocabSize: V, seed: 4 });
  try {
    const loss = tf.tidy(() => {
      const x = tf.randomUniform([8, 10], 0, V, "int32", 1) as tf.Tensor2D;
      const y = tf.randomUniform([8, 10], 0, V, "int32", 2) as tf.Tensor2D;
      return m.loss(x, y).dataSync()[0];
    });
    assert.ok(Math.abs(loss - Math.log(V)) < 0.02, `loss ${loss} vs ln ${V} = ${Math.log(V)}`);
  } finally {
    m.dispose();
  }
});

test("sparseSoftmaxCrossEntropy equals tf.losses.softmaxCrossEntropy, value and gradient (tolerance 1e-5)", () => {
  tf.tidy(() => {
    const logits = tf.randomNormal([6, 9], 0, 2, "float32", 3) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 8, 3, 3, 5, 1], "int32");
    const ref = (z: tf.Tensor) => tf.losses.softmaxCrossEntropy(tf.oneHot(labels, 9), z) as tf.Scalar;
    const ours = (z: tf.Tensor) => sparseSoftmaxCrossEntropy(z as tf.Tensor2D, labels);
    assert.ok(Math.abs(ours(logits).dataSync()[0] - ref(logits).dataSync()[0]) < 1e-5);
    assert.ok(maxAbsDiff(tf.grad(ours)(logits).dataSync(), tf.grad(ref)(logits).dataSync()) < 1e-5);
    assert.throws(() => sparseSoftmaxCrossEntropy(logits, tf.tensor1d([0, 9, 0, 0, 0, 0], "int32")), /label 9 at row 1 is outside \[0, 9\)/);
  });
});

test("matMul2d and the embedding lookup have the gradients of tf.matMul and tf.gather (tolerance 1e-4)", () => {
  tf.tidy(() => {
    const a = tf.randomNormal([5, 4], 0, 1, "float32", 1) as tf.Tensor2D;
    const b = tf.randomNormal([4, 3], 0, 1, "float32", 2) as tf.Tensor2D;
    const w = tf.randomNormal([5, 3], 0, 1, "float32", 3);
    const f = (mm: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
    const [ga, gb] = f(matMul2d);
    const [ra, rb] = f((x, y) => tf.matMul(x, y));
    assert.ok(maxAbsDiff(ga.dataSync(), ra.dataSync()) < 1e-4);
    assert.ok(maxAbsDiff(gb.dataSync(), rb.dataSync()) < 1e-4);
  });
  // Embedding gradient: only rows that were looked up get a gradient, repeated ids add up.
  const m = new Transformer({ ...config, numLayers: 1 });
  try {
    const emb = m.weights.get("tokEmb")!;
    const g = tf.tidy(() => {
      const x = tf.tensor2d([[3, 3, 5]], [1, 3], "int32");
      const { grads } = tf.variableGrads(() => m.loss(x, tf.tensor2d([[1, 2, 4]], [1, 3], "int32")), [emb]);
      return grads[emb.name].arraySync() as number[][];
    });
    const nonZeroRows = g.map((row, i) => (row.some((v) => v !== 0) ? i : -1)).filter((i) => i >= 0);
    // Tied weights: the output layer touches every row, so compare with the untied model instead.
    assert.ok(nonZeroRows.includes(3) && nonZeroRows.includes(5));
  } finally {
    m.dispose();
  }
  const u = new Transformer({ ...config, numLayers: 1, tieWeights: false });
  try {
    const emb = u.weights.get("tokEmb")!;
    const g = tf.tidy(() => {
      const x = tf.tensor2d([[3, 3, 5]], [1, 3], "int32");
      const { grads } = tf.variableGrads(() => u.loss(x, tf.tensor2d([[1, 2, 4]], [1, 3], "int32")), [emb]);
      return grads[emb.name].arraySync() as number[][];
    });
    const nonZeroRows = g.map((row, i) => (row.some((v) => v !== 0) ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(nonZeroRows, [3, 5]);
  } finally {
    u.dispose();
  }
});

test("save and load: same config, same logits, metadata kept; no tensors leak", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "transformer-"));
  const m = new Transformer({ ...config, tieWeights: false });
  try {
    await saveTransformer(m, dir, { tokenizer: { vocab: ["a", "b"] } });
    assert.deepEqual(fs.readdirSync(dir).sort(), ["model.json", "weights.bin"]);
    const before = tf.memory().numTensors;
    const { model: back, metadata } = await loadTransformer(dir);
    assert.equal(tf.memory().numTensors - before, back.variables().length, "only the new variables remain");
    assert.deepEqual(back.config, m.config);
    assert.deepEqual(metadata, { tokenizer: { vocab: ["a", "b"] } });
    const x = tf.tensor2d([[1, 2, 3, 4]], [1, 4], "int32");
    const a = tf.tidy(() => m.logits(x).dataSync());
    const b = tf.tidy(() => back.logits(x).dataSync());
    assert.deepEqual(Array.from(b), Array.from(a));
    x.dispose();
    back.dispose();
    fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
    await assert.rejects(loadTransformer(dir), /is not a saved Transformer/);
  } finally {
    m.dispose();
    fs.rmSync(dir, { recursive: true });
  }
});
