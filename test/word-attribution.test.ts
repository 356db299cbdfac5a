/** Which words drive a text classifier (article §6): logistic log-odds weights, gradient × input, top words. */
import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { gradientTimesInput, logisticLogOdds, topWords } from "../src/text/word-attribution";
import { buildMlp } from "../src/models/model";

before(async () => {
  await tf.setBackend("cpu");
});

test("logisticLogOdds is w[:, 1] − w[:, 0]", () => {
  const net = buildMlp({ inputSize: 3, hidden: [], numClasses: 2, seed: 1 });
  net.layers[0].setWeights([
    tf.tensor2d([
      [1, 4],
      [2, -1],
      [0.5, 0.5],
    ]),
    tf.tensor1d([0.3, -0.3]),
  ]);
  assert.deepEqual(Array.from(logisticLogOdds(net)), [3, -3, 0]);
  const mlp = buildMlp({ inputSize: 3, hidden: [2], numClasses: 2, seed: 1 });
  assert.throws(() => logisticLogOdds(mlp), /expected a single Dense layer/);
  net.dispose();
  mlp.dispose();
});

test("for logistic regression, gradient × input = mean(x) ⊙ log-odds weights", () => {
  const net = buildMlp({ inputSize: 4, hidden: [], numClasses: 2, seed: 2 });
  const X = tf.tensor2d([
    [1, 0, 2, 0],
    [0, 1, 1, 0],
    [3, 0, 0, 1],
  ]);
  const w = logisticLogOdds(net);
  const meanX = [4 / 3, 1 / 3, 1, 1 / 3]; // column means of X, by hand
  const gxi = gradientTimesInput(net, X, 2); // two batches: 2 + 1 rows
  gxi.forEach((v, j) => assert.ok(Math.abs(v - meanX[j] * w[j]) <= 1e-6, `feature ${j}: ${v} vs ${meanX[j] * w[j]}`));
  X.dispose();
  net.dispose();
});

test("for an MLP, gradient × input matches central finite differences", () => {
  const net = buildMlp({ inputSize: 3, hidden: [4], numClasses: 2, seed: 3 });
  const x = [0.4, -0.2, 0.7];
  const logOdds = (v: number[]): number =>
    tf.tidy(() => {
      const z = (net.predict(tf.tensor2d([v])) as tf.Tensor).dataSync();
      return z[1] - z[0];
    });
  const h = 1e-2;
  // Away from ReLU kinks the log-odds are linear in a small neighbourhood: central differences are exact up to float32 rounding.
  const fd = x.map((_, j) => {
    const up = [...x];
    up[j] += h;
    const down = [...x];
    down[j] -= h;
    return ((logOdds(up) - logOdds(down)) / (2 * h)) * x[j];
  });
  const X = tf.tensor2d([x]);
  const gxi = gradientTimesInput(net, X);
  gxi.forEach((v, j) => assert.ok(Math.abs(v - fd[j]) <= 1e-3, `feature ${j}: ${v} vs finite difference ${fd[j]}`));
  X.dispose();
  net.dispose();
});

test("topWords sorts by score, ties alphabetically", () => {
  const t = topWords([0.5, -2, 3, 0.5, -0.1], ["b", "ham", "spam", "a", "c"], 2);
  assert.deepEqual(t.positive, [
    { word: "spam", score: 3 },
    { word: "a", score: 0.5 },
  ]);
  assert.deepEqual(t.negative, [
    { word: "ham", score: -2 },
    { word: "c", score: -0.1 },
  ]);
});

test("bad parameters are errors naming the parameter", () => {
  assert.throws(() => topWords([1, 2], ["a"], 1), /2 scores for 1 words/);
  assert.throws(() => topWords([1], ["a"], 0), /k must be [^;]+; got 0/);
  const net = buildMlp({ inputSize: 2, hidden: [], numClasses: 2, seed: 1 });
  const empty = tf.zeros([0, 2]) as tf.Tensor2D;
  assert.throws(() => gradientTimesInput(net, empty), /X has no rows/);
  const X = tf.ones([1, 2]) as tf.Tensor2D;
  assert.throws(() => gradientTimesInput(net, X, 0), /batchSize must be [^;]+; got 0/);
  const three = buildMlp({ inputSize: 2, hidden: [], numClasses: 3, seed: 1 });
  assert.throws(() => gradientTimesInput(three, X), /expected two-class logits/);
  tf.dispose([empty, X]);
  net.dispose();
  three.dispose();
});
