import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { validateFigure } from "../src/core/figure";
import { buildLeNet } from "../src/models/model";
import {
  TRANSFER_VARIANTS,
  accuracyStats,
  epochsForSteps,
  fewShotAccuracyFigure,
  findRun,
  pairedGains,
  runTransferVariants,
  type TransferRun,
} from "../src/scenarios/transfer/few-shot";

before(async () => {
  await tf.setBackend("cpu");
});

test("epochsForSteps: enough epochs for the wanted steps, at least one; a bad n is an error", () => {
  assert.equal(epochsForSteps(50, 10, 16), 4); // 160 examples' worth over 50 → 3.2 → 4 epochs
  assert.equal(epochsForSteps(1000, 2, 16), 1);
  assert.throws(() => epochsForSteps(0, 10, 16), /n must be a positive integer/);
});

test("runTransferVariants: four scored runs in order, with the step budgets of the recipe, and no leaked tensors", async () => {
  const buildNet = (seed: number) => buildLeNet({ inputShape: [16, 16, 1], numClasses: 3, seed });
  const pretrained = buildNet(1);
  const X = tf.randomUniform([12, 16, 16, 1], -1, 1, "float32", 3); // [12, 16, 16, 1]
  const few = { X, y: tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], "int32") };
  const testSet = { X: tf.randomUniform([7, 16, 16, 1], -1, 1, "float32", 4), y: tf.tensor1d([0, 1, 2, 0, 1, 2, 0], "int32") };
  const tensorsBefore = tf.memory().numTensors;
  const runs = await runTransferVariants(
    { pretrained, buildNet, featureLayer: 4, numClasses: 3, headHidden: [8], steps: 3, batchSize: 4, lr: 0.01, fineTuneLr: 0.001 },
    few,
    testSet,
    { shots: 4, seedIndex: 0, runSeed: 5 },
  );
  assert.equal(tf.memory().numTensors, tensorsBefore, "every network built is disposed");
  assert.deepEqual(
    runs.map((r) => r.variant),
    [...TRANSFER_VARIANTS],
  );
  // 12 examples in batches of 4: 3 steps per epoch, so 3 steps = 1 epoch and 2 × 3 steps = 2 epochs.
  assert.deepEqual(
    runs.map((r) => r.steps),
    [6, 3, 6, 3],
  );
  for (const r of runs) {
    assert.equal(r.yPred.length, 7);
    const correct = Array.from(r.yPred).filter((p, i) => p === [0, 1, 2, 0, 1, 2, 0][i]).length;
    assert.ok(Math.abs(r.accuracy - correct / 7) < 1e-12, `${r.variant}: accuracy ${r.accuracy} is the share of correct predictions`);
    assert.equal(r.shots, 4);
  }
  pretrained.dispose();
  tf.dispose([few.X, few.y, testSet.X, testSet.y]);
});

const run = (shots: number, seedIndex: number, variant: TransferRun["variant"], accuracy: number): TransferRun => ({
  shots,
  seedIndex,
  variant,
  accuracy,
  steps: 1,
  seconds: 0,
  yPred: new Int32Array(0),
});
// Two draws at 10 per class, one at 50; accuracies chosen by hand.
const RUNS: TransferRun[] = [
  run(10, 0, "scratch", 0.6),
  run(10, 0, "frozen features", 0.62),
  run(10, 0, "fine-tuned", 0.65),
  run(10, 0, "random frozen features", 0.5),
  run(10, 1, "scratch", 0.7),
  run(10, 1, "frozen features", 0.66),
  run(10, 1, "fine-tuned", 0.69),
  run(10, 1, "random frozen features", 0.55),
  run(50, 0, "scratch", 0.8),
  run(50, 0, "frozen features", 0.81),
  run(50, 0, "fine-tuned", 0.83),
  run(50, 0, "random frozen features", 0.7),
];

test("accuracyStats and pairedGains: mean, range and per-draw differences, counted by hand", () => {
  const s = accuracyStats(RUNS, 10, "scratch");
  assert.ok(Math.abs(s.mean - 0.65) < 1e-12 && s.min === 0.6 && s.max === 0.7);
  const gains = pairedGains(RUNS, 10, "fine-tuned");
  assert.equal(gains.length, 2);
  assert.ok(Math.abs(gains[0] - 0.05) < 1e-12 && Math.abs(gains[1] + 0.01) < 1e-12, `gains ${gains}`);
  assert.ok(Math.abs(pairedGains(RUNS, 50, "random frozen features")[0] + 0.1) < 1e-12);
  assert.throws(() => accuracyStats(RUNS, 100, "scratch"), /no "scratch" runs at 100/);
  assert.throws(() => findRun(RUNS, 50, 1, "scratch"), /seed index 1/);
});

test("fewShotAccuracyFigure: one valid line per variant, means in %, error bars to the lowest and highest draw", () => {
  const fig = fewShotAccuracyFigure(RUNS, [10, 50], "accuracy");
  validateFigure(fig);
  assert.deepEqual(
    fig.data.map((t) => t.name),
    [...TRANSFER_VARIANTS],
  );
  const scratch = fig.data[0];
  assert.deepEqual(scratch.x, [10, 50]);
  const y = scratch.y as number[];
  assert.ok(Math.abs(y[0] - 65) < 1e-9 && Math.abs(y[1] - 80) < 1e-9);
  const err = scratch.error_y as { array: number[]; arrayminus: number[] };
  assert.ok(Math.abs(err.array[0] - 5) < 1e-9 && Math.abs(err.arrayminus[0] - 5) < 1e-9 && Math.abs(err.array[1]) < 1e-9);
  assert.equal((fig.layout as { xaxis: { type: string } }).xaxis.type, "log");
});
