import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { predictClassScores, predictProbabilities } from "../src/models/predict";

test("predictProbabilities is softmax of the logits in batches, and leaves no tensor behind", async () => {
  await tf.setBackend("cpu");
  const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, useBias: false, kernelInitializer: "zeros" })] });
  // Logits = X·W with W = [[1, 0], [0, 1]]: the logits are the inputs themselves.
  net.layers[0].setWeights([
    tf.tensor2d([
      [1, 0],
      [0, 1],
    ]),
  ]);
  const X = tf.tensor2d([
    [0, 0],
    [Math.log(3), 0],
    [0, Math.log(4)],
  ]);
  const before = tf.memory().numTensors;
  const p = predictProbabilities(net, X, 2);
  assert.equal(tf.memory().numTensors, before);
  // softmax([ln 3, 0]) = [3/4, 1/4]; softmax([0, ln 4]) = [1/5, 4/5]
  const expected = [
    [0.5, 0.5],
    [0.75, 0.25],
    [0.2, 0.8],
  ];
  p.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-6, `${i},${j}: ${v}`)));
  assert.deepEqual(
    Array.from(predictClassScores(net, X, 1)).map((v) => Math.round(v * 100) / 100),
    [0.5, 0.25, 0.8],
  );
  assert.throws(() => predictClassScores(net, X, 2), /positive class 2; expected 0\.\.1/);
  assert.throws(() => predictProbabilities(net, X, 0), /batchSize must be [^;]+; got 0/);
  X.dispose();
});
