import { test } from "node:test";
import * as assert from "node:assert/strict";
import { highestThresholdForRecall, operatingPoints } from "../src/evaluation/operating-points";
import { accuracy, precisionRecallF1 } from "../src/evaluation/metrics";
import { mulberry32 } from "../src/core/random";
import { assertClose } from "./helpers/numeric";

const TOL = 1e-12;

test("operatingPoints: sklearn's docstring example, counted by hand", () => {
  // y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8] (sklearn's roc_curve / precision_recall_curve example).
  // Predict positive when score >= t; P = N = 2. By hand:
  //   t = Inf : TP 0 FP 0 FN 2 TN 2 -> recall 0,   FPR 0,   precision 0 (nothing predicted), acc 2/4
  //   t = 0.8 : TP 1 FP 0 FN 1 TN 2 -> recall 0.5, FPR 0,   precision 1,   acc 3/4
  //   t = 0.4 : TP 1 FP 1 FN 1 TN 1 -> recall 0.5, FPR 0.5, precision 1/2, acc 2/4
  //   t = 0.35: TP 2 FP 1 FN 0 TN 1 -> recall 1,   FPR 0.5, precision 2/3, acc 3/4
  //   t = 0.1 : TP 2 FP 2 FN 0 TN 0 -> recall 1,   FPR 1,   precision 1/2, acc 2/4
  const pts = operatingPoints([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  assert.deepEqual(
    pts.map((p) => p.threshold),
    [Infinity, 0.8, 0.4, 0.35, 0.1],
  );
  assert.deepEqual(
    pts.map((p) => [p.tp, p.fp, p.fn, p.tn]),
    [
      [0, 0, 2, 2],
      [1, 0, 1, 2],
      [1, 1, 1, 1],
      [2, 1, 0, 1],
      [2, 2, 0, 0],
    ],
  );
  const expected = [
    [0, 0, 0, 0.5],
    [0.5, 0, 1, 0.75],
    [0.5, 0.5, 0.5, 0.5],
    [1, 0.5, 2 / 3, 0.75],
    [1, 1, 0.5, 0.5],
  ];
  pts.forEach((p, i) => {
    const [recall, fpr, precision, acc] = expected[i];
    assertClose(p.recall, recall, `recall ${i}`, TOL);
    assertClose(p.fpr, fpr, `fpr ${i}`, TOL);
    assertClose(p.precision, precision, `precision ${i}`, TOL);
    assertClose(p.accuracy, acc, `accuracy ${i}`, TOL);
    assertClose(p.errorRate, 1 - acc, `errorRate ${i}`, TOL);
  });
});

test("operatingPoints: positiveLabel selects the positive class", () => {
  // The same problem coded 1 = negative, 2 = positive gives the same counts.
  const a = operatingPoints([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  const b = operatingPoints([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], { positiveLabel: 2 });
  assert.deepEqual(b, a);
});

test("property: every point equals brute-force counting and metrics.ts at that threshold", () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rng = mulberry32(seed);
    const n = 40 + 5 * seed;
    const y = Array.from({ length: n }, () => (rng() < 0.35 ? 1 : 0));
    y[0] = 0;
    y[1] = 1;
    const s = y.map((t) => Math.round((rng() + 0.4 * t) * 8) / 8); // quantised: ties occur
    const pts = operatingPoints(y, s);
    assert.equal(pts.length, new Set(s).size + 1, "one point per distinct score plus +Infinity");
    for (const p of pts) {
      let tp = 0,
        fp = 0,
        fn = 0,
        tn = 0;
      for (let i = 0; i < n; i++) {
        const predPos = s[i] >= p.threshold;
        if (predPos && y[i] === 1) tp++;
        else if (predPos) fp++;
        else if (y[i] === 1) fn++;
        else tn++;
      }
      assert.deepEqual([p.tp, p.fp, p.fn, p.tn], [tp, fp, fn, tn], `seed ${seed} threshold ${p.threshold}`);
      const yPred = s.map((v) => (v >= p.threshold ? 1 : 0));
      const prf = precisionRecallF1(y, yPred, { average: "binary", numClasses: 2 });
      assertClose(p.precision, prf.precision, `precision seed ${seed}`, TOL);
      assertClose(p.recall, prf.recall, `recall seed ${seed}`, TOL);
      assertClose(p.accuracy, accuracy(y, yPred, 2), `accuracy seed ${seed}`, TOL);
      assertClose(p.accuracy + p.errorRate, 1, `accuracy + error rate seed ${seed}`, TOL);
    }
  }
});

test("highestThresholdForRecall picks the first (highest) threshold reaching the recall", () => {
  const pts = operatingPoints([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  assert.equal(highestThresholdForRecall(pts, 1).threshold, 0.35);
  assert.equal(highestThresholdForRecall(pts, 0.5).threshold, 0.8);
  assert.equal(highestThresholdForRecall(pts, 0.51).threshold, 0.35);
  assert.equal(highestThresholdForRecall(pts, 0).threshold, Infinity);
});

test("errors name the parameter and the expectation", () => {
  const pts = operatingPoints([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  assert.throws(() => highestThresholdForRecall(pts, 1.5), /minRecall must be in \[0, 1\]; got 1.5/);
  assert.throws(() => highestThresholdForRecall([], 0.5), /points is empty/);
  assert.throws(() => highestThresholdForRecall([...pts].reverse(), 0.5), /expected strictly decreasing thresholds/);
  assert.throws(() => operatingPoints([0, 0], [0.1, 0.2]), /rocCurve: only one class present in yTrue/);
  assert.throws(() => operatingPoints([0, 1], [0.1]), /yTrue has 2 elements but scores has 1/);
});
