import { test } from "node:test";
import * as assert from "node:assert/strict";
import { bayesThreshold, expectedCost, minimumCostPoint, pointAtThreshold } from "../src/scenarios/healthcare/decision-cost";
import { operatingPoints } from "../src/evaluation/operating-points";
import { mulberry32 } from "../src/core/random";
import { assertClose } from "./helpers/numeric";

const TOL = 1e-12;

test("pointAtThreshold: counted by hand (score >= threshold is positive)", () => {
  // y = [0, 0, 1, 1, 1], scores = [0.1, 0.6, 0.35, 0.8, 0.6]; at t = 0.6 the positives are the
  // scores 0.6, 0.8, 0.6 (indices 1, 3, 4): TP = 2 (3, 4), FP = 1 (1), FN = 1 (2), TN = 1 (0).
  const p = pointAtThreshold([0, 0, 1, 1, 1], [0.1, 0.6, 0.35, 0.8, 0.6], 0.6);
  assert.deepEqual([p.tp, p.fp, p.fn, p.tn], [2, 1, 1, 1]);
  assertClose(p.recall, 2 / 3, "recall", TOL);
  assertClose(p.precision, 2 / 3, "precision", TOL);
  assertClose(p.fpr, 1 / 2, "fpr", TOL);
  assertClose(p.accuracy, 3 / 5, "accuracy", TOL);
  assertClose(p.errorRate, 2 / 5, "error rate", TOL);
  const none = pointAtThreshold([0, 1], [0.2, 0.9], Infinity);
  assert.deepEqual([none.tp, none.fp, none.fn, none.tn, none.precision], [0, 0, 1, 1, 0]);
  const other = pointAtThreshold([1, 2, 2], [0.1, 0.5, 0.9], 0.5, 2);
  assert.deepEqual([other.tp, other.fp, other.fn, other.tn], [2, 0, 0, 1]);
});

test("pointAtThreshold agrees with operatingPoints at every one of its thresholds (random scores with ties)", () => {
  // operatingPoints reads the counts off rocCurve (metrics.ts): an independent implementation.
  const rng = mulberry32(5);
  const y = Array.from({ length: 200 }, () => (rng() < 0.3 ? 1 : 0));
  const s = Array.from({ length: 200 }, () => Math.round(rng() * 40) / 40); // 41 levels: many ties
  for (const ref of operatingPoints(y, s)) {
    const p = pointAtThreshold(y, s, ref.threshold);
    assert.deepEqual([p.tp, p.fp, p.fn, p.tn], [ref.tp, ref.fp, ref.fn, ref.tn], `threshold ${ref.threshold}`);
    assertClose(p.precision, ref.precision, `precision at ${ref.threshold}`, TOL);
  }
});

test("pointAtThreshold: errors name the problem", () => {
  assert.throws(() => pointAtThreshold([0, 1], [0.5], 0.5), /yTrue has 2 labels but scores has 1/);
  assert.throws(() => pointAtThreshold([], [], 0.5), /no samples/);
  assert.throws(() => pointAtThreshold([0, 1], [0.5, NaN], 0.5), /scores\[1\] must be a finite number; got NaN/);
  assert.throws(() => pointAtThreshold([0, 1], [0.5, 0.2], NaN), /threshold is NaN/);
});

test("expectedCost: (20·FN + 1·FP) / n per 100, by hand", () => {
  // 2 missed, 5 false alarms in 114 cases at 20:1 → (40 + 5) / 114 · 100 = 39.473684…
  assertClose(expectedCost({ tp: 40, fn: 2, fp: 5, tn: 67 }, { falseNegative: 20, falsePositive: 1 }), 4500 / 114, "cost", TOL);
  assertClose(expectedCost({ tp: 1, fn: 1, fp: 1, tn: 1 }, { falseNegative: 3, falsePositive: 1 }, 1), 1, "per case", TOL);
  assert.throws(() => expectedCost({ tp: 0, fn: 0, fp: 0, tn: 0 }, { falseNegative: 1, falsePositive: 1 }), /all counts are 0/);
  assert.throws(
    () => expectedCost({ tp: 1, fn: 0.5, fp: 0, tn: 0 }, { falseNegative: 1, falsePositive: 1 }),
    /expectedCost: fn must be a non-negative integer; got 0\.5/,
  );
  assert.throws(
    () => expectedCost({ tp: 1, fn: 0, fp: 0, tn: 0 }, { falseNegative: -1, falsePositive: 1 }),
    /costs\.falseNegative must be a finite number ≥ 0; got -1/,
  );
  assert.throws(() => expectedCost({ tp: 1, fn: 0, fp: 0, tn: 0 }, { falseNegative: 0, falsePositive: 0 }), /both costs are 0/);
});

test("minimumCostPoint: the cheapest point, ties to the higher threshold; matches a brute-force scan", () => {
  const costs = { falseNegative: 20, falsePositive: 1 };
  // By hand on y = [0, 0, 1, 1], s = [0.1, 0.4, 0.35, 0.8] (points: ∞, 0.8, 0.4, 0.35, 0.1):
  // costs per 100 = (20·FN + FP)/4·100 = 1000, 525, 550, 25, 50 → the point at 0.35.
  const pts = operatingPoints([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  assert.equal(minimumCostPoint(pts, costs).threshold, 0.35);
  // Equal costs: FN and FP both 1 → 50, 25, 50, 25, 50: ties at 0.8 and 0.35 go to 0.8.
  assert.equal(minimumCostPoint(pts, { falseNegative: 1, falsePositive: 1 }).threshold, 0.8);
  const rng = mulberry32(9);
  const y = Array.from({ length: 300 }, () => (rng() < 0.4 ? 1 : 0));
  const s = y.map((v) => v * 0.3 + rng());
  const all = operatingPoints(y, s);
  const best = Math.min(...all.map((p) => expectedCost(p, costs)));
  assertClose(expectedCost(minimumCostPoint(all, costs), costs), best, "least cost", TOL);
  assert.throws(() => minimumCostPoint([], costs), /points is empty/);
});

test("bayesThreshold: c_FP / (c_FP + c_FN), and it minimises the expected cost of calibrated probabilities", () => {
  assertClose(bayesThreshold({ falseNegative: 20, falsePositive: 1 }), 1 / 21, "20:1", TOL);
  assertClose(bayesThreshold({ falseNegative: 1, falsePositive: 1 }), 0.5, "1:1", TOL);
  // Simulated calibrated scores: y ~ Bernoulli(p). Over a threshold grid the empirical cost is
  // lowest near 1/21 (the grid step is 0.01; sampling noise allows a few steps either side).
  const rng = mulberry32(3);
  const p = Array.from({ length: 200000 }, () => rng() ** 3); // skewed towards 0, like a rare positive
  const y = p.map((pi) => (rng() < pi ? 1 : 0));
  const costs = { falseNegative: 20, falsePositive: 1 };
  const grid = Array.from({ length: 50 }, (_, i) => i / 100);
  const costAt = grid.map((t) => expectedCost(pointAtThreshold(y, p, t), costs));
  const tBest = grid[costAt.indexOf(Math.min(...costAt))];
  assert.ok(Math.abs(tBest - 1 / 21) <= 0.03, `empirical best threshold ${tBest}; expected about ${1 / 21}`);
  assert.throws(() => bayesThreshold({ falseNegative: 0, falsePositive: 0 }), /both costs are 0/);
});
