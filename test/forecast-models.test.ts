import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildGruForecaster, meanAbsoluteError, predictForecaster, trainForecaster, windowTensors } from "../src/scenarios/finance/forecast-models";
import { makeWindows } from "../src/scenarios/finance/windows";
import { mulberry32 } from "../src/core/random";

/** A learnable task: the target is the mean of the first feature over the previous 3 days. */
function task(seed: number, T: number): ReturnType<typeof makeWindows> {
  const rng = mulberry32(seed);
  const features = Array.from({ length: T }, () => [rng() * 2 - 1, rng() * 2 - 1]);
  const target = features.map((_, d) => (d < 3 ? 0 : (features[d - 1][0] + features[d - 2][0] + features[d - 3][0]) / 3));
  return makeWindows(features, target, 5);
}

test("the GRU forecaster: [batch, L, F] → [batch, 1], same seed → same weights", () => {
  const a = buildGruForecaster({ windowLength: 5, numFeatures: 2, units: 4, seed: 3 });
  const b = buildGruForecaster({ windowLength: 5, numFeatures: 2, units: 4, seed: 3 });
  const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
  const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(wa, wb);
  // GRU parameters: 3 gates × (F·u + u·u + u) = 3 × (8 + 16 + 4) = 84; dense 4 + 1.
  assert.equal(a.countParams(), 89);
  const out = tf.tidy(() => (a.predict(tf.zeros([7, 5, 2])) as tf.Tensor).shape);
  assert.deepEqual(out, [7, 1]);
  assert.throws(() => buildGruForecaster({ windowLength: 0, numFeatures: 2, units: 4, seed: 3 }), /windowLength must be a positive integer/);
  a.dispose();
  b.dispose();
});

test("training lowers the MAE, is seeded, keeps the best validation epoch and leaks no tensors", async () => {
  const train = windowTensors(task(1, 400));
  const val = windowTensors(task(2, 120));
  const run = async (): Promise<{ losses: number[]; val: number[]; best: number; final: number; leaked: number; before: number }> => {
    const net = buildGruForecaster({ windowLength: 5, numFeatures: 2, units: 8, seed: 5 });
    const before = meanAbsoluteError(net, val.X, val.y);
    const tensors = tf.memory().numTensors;
    const h = await trainForecaster(net, train, val, { numEpochs: 6, batchSize: 32, lr: 0.01, seed: 9 });
    const leaked = tf.memory().numTensors - tensors;
    const final = meanAbsoluteError(net, val.X, val.y);
    net.dispose();
    return { losses: h.trainLoss, val: h.validationLoss, best: h.bestEpoch, final, leaked, before };
  };
  const r1 = await run();
  const r2 = await run();
  assert.equal(r1.leaked, 0, "tensors allocated by training and not freed");
  assert.deepEqual(r2.losses, r1.losses, "same seeds, same losses");
  assert.ok(r1.final < 0.6 * r1.before, `validation MAE ${r1.before} → ${r1.final}: expected a clear drop`);
  // The kept weights are those of the best epoch.
  assert.equal(r1.val[r1.best - 1], Math.min(...r1.val));
  assert.ok(Math.abs(r1.final - Math.min(...r1.val)) < 1e-6);
  const fresh = buildGruForecaster({ windowLength: 5, numFeatures: 2, units: 8, seed: 5 });
  const pred = predictForecaster(fresh, val.X, 50); // batches of 50 over 111 windows
  assert.equal(pred.length, val.X.shape[0]);
  fresh.dispose();
  tf.dispose([train.X, train.y, val.X, val.y]);
});
