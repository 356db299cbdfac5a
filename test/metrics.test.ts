import { test } from "node:test";
import assert from "node:assert/strict";
import {
  accuracy,
  averagePrecision,
  confusionMatrix,
  formatReport,
  perClassAccuracy,
  perClassReport,
  precisionRecallCurve,
  precisionRecallF1,
  rocAuc,
  rocCurve,
} from "../src/evaluation/metrics";
import { mulberry32 } from "../src/core/random";
import { assertArraysClose, assertClose } from "./helpers/numeric";

// References: every expected number below is either worked out by hand in the comment beside it,
// or quoted from a scikit-learn docstring *and* re-derived by hand in the comment (sklearn itself
// was not available; nothing here is computed by the code under test).

const TOL = 1e-12;

// ---------------------------------------------------------------------------------------------
// Hand-worked binary case.
//   index:  0 1 2 3 4 5 6 7 8 9
//   yTrue:  1 1 1 1 0 0 0 0 0 0
//   yPred:  1 1 1 0 1 1 0 0 0 0
// TP = 3 (0,1,2)  FN = 1 (3)  FP = 2 (4,5)  TN = 4 (6..9)
const binTrue = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
const binPred = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];

test("confusionMatrix: hand-worked binary case, rows = true, cols = predicted", () => {
  // row 0 (true 0): TN = 4 predicted 0, FP = 2 predicted 1; row 1 (true 1): FN = 1, TP = 3.
  assert.deepEqual(confusionMatrix(binTrue, binPred), [
    [4, 2],
    [1, 3],
  ]);
});

test("confusionMatrix: sklearn confusion_matrix docstring example", () => {
  // sklearn: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2] -> [[2,0,0],[0,0,1],[1,0,2]].
  // By hand: true 0 at idx 1,4 both predicted 0 -> [2,0,0]; true 1 at idx 5 predicted 2 -> [0,0,1];
  //          true 2 at idx 0 (pred 0), 2 (pred 2), 3 (pred 2) -> [1,0,2].
  assert.deepEqual(confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]), [
    [2, 0, 0],
    [0, 0, 1],
    [1, 0, 2],
  ]);
  // numClasses widens the matrix with empty rows / columns.
  assert.deepEqual(confusionMatrix([0, 1], [1, 1], 3), [
    [0, 1, 0],
    [0, 1, 0],
    [0, 0, 0],
  ]);
});

test("accuracy and binary precision / recall / F1: hand-worked case", () => {
  // accuracy = (TP + TN) / n = (3 + 4) / 10 = 0.7
  assertClose(accuracy(binTrue, binPred), 0.7, "accuracy", TOL);
  // precision = TP/(TP+FP) = 3/5 = 0.6; recall = TP/(TP+FN) = 3/4 = 0.75;
  // F1 = 2PR/(P+R) = 2*0.6*0.75/1.35 = 0.9/1.35 = 2/3 (= 2TP/(2TP+FP+FN) = 6/9); support = 4.
  const r = precisionRecallF1(binTrue, binPred, { average: "binary" });
  assertClose(r.precision, 0.6, "precision", TOL);
  assertClose(r.recall, 0.75, "recall", TOL);
  assertClose(r.f1, 2 / 3, "f1", TOL);
  assert.equal(r.support, 4);
  // The article's §9.2 definition, harmonic mean of accuracy and recall, would give
  // 2*0.7*0.75/1.45 = 0.7241...: a different number, so the test pins the correct one.
  assert.ok(Math.abs(r.f1 - (2 * 0.7 * 0.75) / 1.45) > 0.05);

  // positiveLabel 0: TP = 4 (6..9), FP = 1 (idx 3 predicted 0), FN = 2 (idx 4,5 predicted 1)
  // precision = 4/5, recall = 4/6 = 2/3, F1 = 8/(8+1+2) = 8/11, support = 6.
  const r0 = precisionRecallF1(binTrue, binPred, { average: "binary", positiveLabel: 0 });
  assertClose(r0.precision, 0.8, "precision(pos=0)", TOL);
  assertClose(r0.recall, 2 / 3, "recall(pos=0)", TOL);
  assertClose(r0.f1, 8 / 11, "f1(pos=0)", TOL);
  assert.equal(r0.support, 6);
});

test("precisionRecallF1: sklearn precision_recall_fscore_support docstring (macro / micro / weighted)", () => {
  // sklearn: y_true = [cat, dog, pig, cat, dog, pig], y_pred = [cat, pig, dog, cat, cat, dog]
  //   macro -> (0.22..., 0.33..., 0.26...), micro -> (0.33..., 0.33..., 0.33...),
  //   weighted -> (0.22..., 0.33..., 0.26...). Here cat = 0, dog = 1, pig = 2.
  const yTrue = [0, 1, 2, 0, 1, 2];
  const yPred = [0, 2, 1, 0, 0, 1];
  // By hand, per class:
  //   cat: TP = 2 (idx 0,3), FP = 1 (idx 4), FN = 0 -> P = 2/3, R = 1, F1 = 4/(4+1) = 0.8
  //   dog: TP = 0, FP = 2 (idx 2,5), FN = 2 (idx 1,4) -> P = R = F1 = 0
  //   pig: TP = 0, FP = 1 (idx 1), FN = 2 (idx 2,5)   -> P = R = F1 = 0
  // macro: P = (2/3)/3 = 2/9 = 0.222, R = 1/3, F1 = 0.8/3 = 0.2667
  // micro: TP = 2 of 6 predictions and 6 true samples -> P = R = F1 = 1/3
  // weighted: supports are 2, 2, 2, so weighted = macro.
  const macro = precisionRecallF1(yTrue, yPred, { average: "macro" });
  assertClose(macro.precision, 2 / 9, "macro P", TOL);
  assertClose(macro.recall, 1 / 3, "macro R", TOL);
  assertClose(macro.f1, 0.8 / 3, "macro F1", TOL);
  assert.equal(macro.support, 6);
  const micro = precisionRecallF1(yTrue, yPred, { average: "micro" });
  assertArraysClose([micro.precision, micro.recall, micro.f1], [1 / 3, 1 / 3, 1 / 3], "micro", TOL);
  const weighted = precisionRecallF1(yTrue, yPred, { average: "weighted" });
  assertArraysClose([weighted.precision, weighted.recall, weighted.f1], [2 / 9, 1 / 3, 0.8 / 3], "weighted", TOL);
  // sklearn docstring, average=None: P = [0.66, 0, 0], R = [1, 0, 0], F = [0.8, 0, 0], support [2, 2, 2]
  // (docstring lists labels in order pig, dog, cat; reordered here to cat, dog, pig).
  const rows = perClassReport(yTrue, yPred).classes;
  assertArraysClose(
    rows.map((c) => c.precision),
    [2 / 3, 0, 0],
    "per-class P",
    TOL,
  );
  assertArraysClose(
    rows.map((c) => c.recall),
    [1, 0, 0],
    "per-class R",
    TOL,
  );
  assertArraysClose(
    rows.map((c) => c.f1),
    [0.8, 0, 0],
    "per-class F1",
    TOL,
  );
  assert.deepEqual(
    rows.map((c) => c.support),
    [2, 2, 2],
  );
});

// sklearn classification_report docstring: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1].
const crTrue = [0, 1, 2, 2, 2];
const crPred = [0, 0, 2, 2, 1];

test("perClassReport: sklearn classification_report docstring example (unequal supports)", () => {
  // By hand:
  //   class 0: TP = 1 (idx 0), FP = 1 (idx 1), FN = 0 -> P = 0.5, R = 1, F1 = 2/(2+1) = 2/3, support 1
  //   class 1: TP = 0, FP = 1 (idx 4), FN = 1 (idx 1) -> 0, 0, 0, support 1
  //   class 2: TP = 2 (idx 2,3), FP = 0, FN = 1 (idx 4) -> P = 1, R = 2/3, F1 = 4/5 = 0.8, support 3
  //   accuracy = 3/5 = 0.6
  //   macro:    P = 1.5/3 = 0.5, R = (1 + 2/3)/3 = 5/9, F1 = (2/3 + 0.8)/3 = 22/45
  //   weighted: P = (0.5 + 0 + 3*1)/5 = 0.7, R = (1 + 0 + 3*2/3)/5 = 0.6, F1 = (2/3 + 3*0.8)/5 = 46/75
  const rep = perClassReport(crTrue, crPred);
  assert.deepEqual(
    rep.classes.map((c) => c.label),
    [0, 1, 2],
  );
  assertArraysClose(
    rep.classes.map((c) => c.precision),
    [0.5, 0, 1],
    "P",
    TOL,
  );
  assertArraysClose(
    rep.classes.map((c) => c.recall),
    [1, 0, 2 / 3],
    "R",
    TOL,
  );
  assertArraysClose(
    rep.classes.map((c) => c.f1),
    [2 / 3, 0, 0.8],
    "F1",
    TOL,
  );
  assert.deepEqual(
    rep.classes.map((c) => c.support),
    [1, 1, 3],
  );
  assertClose(rep.accuracy, 0.6, "accuracy", TOL);
  assertArraysClose([rep.macroAvg.precision, rep.macroAvg.recall, rep.macroAvg.f1], [0.5, 5 / 9, 22 / 45], "macro", TOL);
  assertArraysClose([rep.weightedAvg.precision, rep.weightedAvg.recall, rep.weightedAvg.f1], [0.7, 0.6, 46 / 75], "weighted", TOL);
  assert.equal(rep.macroAvg.support, 5);
  // The averages agree with precisionRecallF1.
  const macro = precisionRecallF1(crTrue, crPred, { average: "macro" });
  const weighted = precisionRecallF1(crTrue, crPred, { average: "weighted" });
  assert.deepEqual(macro, rep.macroAvg);
  assert.deepEqual(weighted, rep.weightedAvg);
  // perClassAccuracy = per-class recall: [1/1, 0/1, 2/3]
  assertArraysClose(perClassAccuracy(crTrue, crPred), [1, 0, 2 / 3], "perClassAccuracy", TOL);
});

test("formatReport reproduces the sklearn classification_report docstring layout", () => {
  // Text quoted from the sklearn classification_report docstring (numbers re-derived above).
  const expected = [
    "              precision    recall  f1-score   support",
    "",
    "     class 0       0.50      1.00      0.67         1",
    "     class 1       0.00      0.00      0.00         1",
    "     class 2       1.00      0.67      0.80         3",
    "",
    "    accuracy                           0.60         5",
    "   macro avg       0.50      0.56      0.49         5",
    "weighted avg       0.70      0.60      0.61         5",
    "",
  ].join("\n");
  assert.equal(formatReport(perClassReport(crTrue, crPred), ["class 0", "class 1", "class 2"]), expected);
  assert.throws(() => formatReport(perClassReport(crTrue, crPred), ["a", "b"]), /classNames has 2 names but the report has 3 classes/);
});

test("zero division: a ratio with denominator 0 is 0 (sklearn zero_division=0)", () => {
  // No predicted positives: TP = FP = 0 -> precision 0/0 := 0; TP = 0, FN = 2 -> recall 0; F1 = 0/(0+0+2) = 0.
  const r = precisionRecallF1([1, 0, 1, 0], [0, 0, 0, 0], { average: "binary" });
  assert.deepEqual(r, { precision: 0, recall: 0, f1: 0, support: 2 });
  // sklearn f1_score docstring: y_true = y_pred = [0]*6, zero_division=0 -> 0.0 (no positives anywhere):
  // TP = FP = FN = 0, so precision, recall and F1 are all 0/0 := 0.
  assert.deepEqual(precisionRecallF1([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], { average: "binary" }), {
    precision: 0,
    recall: 0,
    f1: 0,
    support: 0,
  });
  // A class in 0..numClasses-1 with no samples and no predictions scores 0 and counts in the macro average:
  // yTrue = yPred = [0, 1], numClasses 3 -> per class F1 [1, 1, 0], macro F1 = 2/3; weighted ignores it (support 0) -> 1.
  assertClose(precisionRecallF1([0, 1], [0, 1], { average: "macro", numClasses: 3 }).f1, 2 / 3, "macro F1", TOL);
  assertClose(precisionRecallF1([0, 1], [0, 1], { average: "weighted", numClasses: 3 }).f1, 1, "weighted F1", TOL);
  // perClassAccuracy of a class with no samples is 0 (not NaN).
  assert.deepEqual(perClassAccuracy([0, 1], [0, 1], 3), [1, 1, 0]);
});

test("label functions accept typed arrays", () => {
  const cm = confusionMatrix(Int32Array.from(binTrue), Uint8Array.from(binPred));
  assert.deepEqual(cm, [
    [4, 2],
    [1, 3],
  ]);
  assertClose(accuracy(Float32Array.from(binTrue), Int32Array.from(binPred)), 0.7, "accuracy", TOL);
});

// ---------------------------------------------------------------------------------------------
// ROC and precision-recall curves.

test("rocCurve / rocAuc: sklearn roc_curve docstring example (pos_label = 2)", () => {
  // sklearn: y = [1, 1, 2, 2], scores = [0.1, 0.4, 0.35, 0.8], pos_label = 2
  //   -> fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [inf, 0.8, 0.4, 0.35, 0.1]; AUC 0.75.
  // By hand (P = 2, N = 2), scores descending:
  //   0.8 (pos) -> TP 1 FP 0 -> (0, 0.5);  0.4 (neg) -> TP 1 FP 1 -> (0.5, 0.5)
  //   0.35 (pos) -> TP 2 FP 1 -> (0.5, 1); 0.1 (neg) -> TP 2 FP 2 -> (1, 1)
  //   AUC by trapezoids: 0.5*(0.5+0.5)/2 + 0.5*(1+1)/2 = 0.25 + 0.5 = 0.75
  //   (pairs: 0.35>0.1, 0.8>0.1, 0.8>0.4 win; 0.35<0.4 loses -> 3/4).
  const y = [1, 1, 2, 2];
  const s = [0.1, 0.4, 0.35, 0.8];
  const roc = rocCurve(y, s, { positiveLabel: 2 });
  assertArraysClose(roc.fpr, [0, 0, 0.5, 0.5, 1], "fpr", TOL);
  assertArraysClose(roc.tpr, [0, 0.5, 0.5, 1, 1], "tpr", TOL);
  assert.deepEqual(roc.thresholds, [Infinity, 0.8, 0.4, 0.35, 0.1]);
  assertClose(rocAuc(y, s, { positiveLabel: 2 }), 0.75, "AUC", TOL);
  // The same problem with 0/1 targets (older roc_auc_score docstring: [0,0,1,1] -> 0.75).
  assertClose(rocAuc([0, 0, 1, 1], s), 0.75, "AUC 0/1", TOL);
});

test("rocCurve groups tied scores into one point; AUC gives ties half credit", () => {
  // yTrue = [0, 1, 0, 1], scores = [0.5, 0.5, 0.2, 0.9]; P = 2, N = 2.
  //   0.9: pos -> (0, 0.5); 0.5: one neg and one pos together -> (0.5, 1); 0.2: neg -> (1, 1).
  //   AUC = 0.5*(0.5+1)/2 + 0.5*(1+1)/2 = 0.375 + 0.5 = 0.875
  //   pairs (pos, neg): (0.5,0.5) tie 1/2, (0.5,0.2) 1, (0.9,0.5) 1, (0.9,0.2) 1 -> 3.5/4 = 0.875.
  const roc = rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]);
  assertArraysClose(roc.fpr, [0, 0, 0.5, 1], "fpr", TOL);
  assertArraysClose(roc.tpr, [0, 0.5, 1, 1], "tpr", TOL);
  assert.deepEqual(roc.thresholds, [Infinity, 0.9, 0.5, 0.2]);
  assertClose(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.875, "AUC", TOL);
});

test("rocAuc: all scores equal gives 0.5 (one diagonal segment)", () => {
  const roc = rocCurve([0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3]);
  assert.deepEqual(roc.fpr, [0, 1]);
  assert.deepEqual(roc.tpr, [0, 1]);
  assert.equal(rocAuc([0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3]), 0.5);
});

test("rocAuc: perfect ranking 1, reversed ranking 0", () => {
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1);
  assert.equal(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]), 0);
});

test("precisionRecallCurve / averagePrecision: sklearn docstring example", () => {
  // sklearn: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8]
  //   precision_recall_curve -> precision [0.5, 0.67, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0],
  //   thresholds [0.1, 0.35, 0.4, 0.8]; average_precision_score -> 0.83.
  // By hand (P = 2), thresholds descending:
  //   0.8: TP 1 FP 0 -> P 1,   R 0.5;   0.4: TP 1 FP 1 -> P 0.5, R 0.5
  //   0.35: TP 2 FP 1 -> P 2/3, R 1;    0.1: TP 2 FP 2 -> P 0.5, R 1
  //   reversed, plus the final (P 1, R 0) point.
  //   AP = Σ (R_n - R_{n-1}) P_n = 0.5*1 (at 0.8) + 0*0.5 (0.4) + 0.5*2/3 (0.35) + 0*0.5 (0.1) = 5/6
  const y = [0, 0, 1, 1];
  const s = [0.1, 0.4, 0.35, 0.8];
  const pr = precisionRecallCurve(y, s);
  assertArraysClose(pr.precision, [0.5, 2 / 3, 0.5, 1, 1], "precision", TOL);
  assertArraysClose(pr.recall, [1, 1, 0.5, 0.5, 0], "recall", TOL);
  assert.deepEqual(pr.thresholds, [0.1, 0.35, 0.4, 0.8]);
  assertClose(averagePrecision(y, s), 5 / 6, "AP", TOL);
});

test("averagePrecision with ties and with all-positive targets", () => {
  // yTrue = [0, 1, 0, 1], scores = [0.5, 0.5, 0.2, 0.9]:
  //   0.9: TP 1 FP 0 -> P 1, R 0.5; 0.5 (tie): TP 2 FP 1 -> P 2/3, R 1; 0.2: P 0.5, R 1
  //   AP = 0.5*1 + 0.5*2/3 + 0 = 5/6
  assertClose(averagePrecision([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 5 / 6, "AP ties", TOL);
  // All scores tied: one point, P = 2/4, R = 1 -> AP = 1 * 0.5 = 0.5 (the positive rate).
  assertClose(averagePrecision([0, 1, 0, 1], [0.7, 0.7, 0.7, 0.7]), 0.5, "AP all tied", TOL);
  // Only positives: precision 1 everywhere, AP = 1 (ROC would be undefined here).
  assertClose(averagePrecision([1, 1, 1], [0.2, 0.5, 0.9]), 1, "AP all positive", TOL);
});

test("curves accept typed arrays", () => {
  assertClose(rocAuc(Uint8Array.from([0, 0, 1, 1]), Float32Array.from([0.1, 0.4, 0.35, 0.8])), 0.75, "AUC", TOL);
  assertClose(averagePrecision(Int32Array.from([0, 0, 1, 1]), Float64Array.from([0.1, 0.4, 0.35, 0.8])), 5 / 6, "AP", TOL);
});

// ---------------------------------------------------------------------------------------------
// Property checks on seeded random data.

/** Random binary problem whose scores are quantised to 1/q so that ties occur. */
function randomBinary(seed: number, n: number, q: number): { y: number[]; s: number[] } {
  const rng = mulberry32(seed);
  const y = Array.from({ length: n }, () => (rng() < 0.4 ? 1 : 0));
  y[0] = 0;
  y[1] = 1; // both classes present
  // Positives score a little higher on average, so AUC is away from 0.5.
  const s = y.map((t) => Math.round((rng() + 0.3 * t) * q) / q);
  return { y, s };
}

/** AUC by brute force over all (positive, negative) pairs: wins + ½ ties (Mann–Whitney U / (P N)). */
function pairwiseAuc(y: number[], s: number[]): number {
  let credit = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      if (s[i] > s[j]) credit += 1;
      else if (s[i] === s[j]) credit += 0.5;
    }
  }
  return credit / pairs;
}

/** AP by brute force: mean over positives k of the precision among samples scoring >= s_k. */
function bruteForceAp(y: number[], s: number[]): number {
  let sum = 0;
  let positives = 0;
  for (let k = 0; k < y.length; k++) {
    if (y[k] !== 1) continue;
    positives++;
    let above = 0;
    let tpAbove = 0;
    for (let j = 0; j < y.length; j++) {
      if (s[j] >= s[k]) {
        above++;
        tpAbove += y[j];
      }
    }
    sum += tpAbove / above;
  }
  return sum / positives;
}

test("property: rocAuc equals the pairwise (Mann–Whitney) AUC, ties counted half", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const { y, s } = randomBinary(seed, 50 + seed * 7, 10);
    assertClose(rocAuc(y, s), pairwiseAuc(y, s), `seed ${seed}`, 1e-12);
  }
});

test("property: AUC(scores) + AUC(-scores) = 1", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const { y, s } = randomBinary(seed, 80, 8);
    const auc = rocAuc(y, s);
    const aucNeg = rocAuc(
      y,
      s.map((x) => -x),
    );
    assertClose(auc + aucNeg, 1, `seed ${seed}`, 1e-12);
  }
});

test("property: AUC and AP are invariant under strictly increasing transforms of the scores", () => {
  const transforms: [string, (x: number) => number][] = [
    ["exp(5x)", (x) => Math.exp(5 * x)],
    ["x^3 - 2", (x) => x ** 3 - 2],
    ["sigmoid(4x - 2)", (x) => 1 / (1 + Math.exp(-(4 * x - 2)))],
  ];
  for (let seed = 1; seed <= 10; seed++) {
    const { y, s } = randomBinary(seed, 100, 20);
    const auc = rocAuc(y, s);
    const ap = averagePrecision(y, s);
    assert.ok(auc > 0.55, `seed ${seed}: AUC ${auc} should reflect the planted signal`);
    for (const [name, f] of transforms) {
      const t = s.map(f);
      assertClose(rocAuc(y, t), auc, `AUC seed ${seed} ${name}`, 1e-12);
      assertClose(averagePrecision(y, t), ap, `AP seed ${seed} ${name}`, 1e-12);
    }
  }
});

test("property: averagePrecision equals the brute-force mean precision at each positive", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const { y, s } = randomBinary(seed, 60, 10);
    assertClose(averagePrecision(y, s), bruteForceAp(y, s), `seed ${seed}`, 1e-12);
  }
});

test("property: ROC curve runs monotonically from (0, 0) to (1, 1) with decreasing thresholds", () => {
  const { y, s } = randomBinary(3, 200, 50);
  const { fpr, tpr, thresholds } = rocCurve(y, s);
  assert.equal(fpr[0], 0);
  assert.equal(tpr[0], 0);
  assert.equal(fpr[fpr.length - 1], 1);
  assert.equal(tpr[tpr.length - 1], 1);
  for (let i = 1; i < fpr.length; i++) {
    assert.ok(fpr[i] >= fpr[i - 1] && tpr[i] >= tpr[i - 1], `point ${i} goes backwards`);
    assert.ok(thresholds[i] < thresholds[i - 1], `thresholds not strictly decreasing at ${i}`);
  }
  // One point per distinct score, plus the (0, 0) point.
  assert.equal(thresholds.length, new Set(s).size + 1);
});

test("property: single-label multi-class — micro P = R = F1 = accuracy = weighted recall; matrix sums agree", () => {
  for (let seed = 1; seed <= 10; seed++) {
    const rng = mulberry32(100 + seed);
    const k = 2 + (seed % 5);
    const n = 200;
    const yTrue = Array.from({ length: n }, () => Math.floor(rng() * k));
    // Correct 60% of the time, otherwise a random class.
    const yPred = yTrue.map((t) => (rng() < 0.6 ? t : Math.floor(rng() * k)));
    const acc = accuracy(yTrue, yPred, k);
    const micro = precisionRecallF1(yTrue, yPred, { average: "micro", numClasses: k });
    assertClose(micro.precision, acc, `micro P seed ${seed}`, TOL);
    assertClose(micro.recall, acc, `micro R seed ${seed}`, TOL);
    assertClose(micro.f1, acc, `micro F1 seed ${seed}`, TOL);
    // weighted recall = Σ_c (n_c / n) (TP_c / n_c) = Σ TP_c / n = accuracy
    assertClose(precisionRecallF1(yTrue, yPred, { average: "weighted", numClasses: k }).recall, acc, `weighted R seed ${seed}`, TOL);
    const cm = confusionMatrix(yTrue, yPred, k);
    const total = cm.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, n);
    const trace = cm.reduce((a, row, i) => a + row[i], 0);
    assertClose(trace / n, acc, `trace/n seed ${seed}`, TOL);
    const rep = perClassReport(yTrue, yPred, k);
    const pca = perClassAccuracy(yTrue, yPred, k);
    for (let c = 0; c < k; c++) {
      const rowSum = cm[c].reduce((a, b) => a + b, 0);
      assert.equal(rep.classes[c].support, rowSum);
      assertClose(pca[c], cm[c][c] / rowSum, `perClassAccuracy[${c}]`, TOL);
      assertClose(rep.classes[c].recall, pca[c], `recall[${c}]`, TOL);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Degenerate inputs: each one is an error that names the parameter and the expectation.

test("errors: empty arrays", () => {
  assert.throws(() => confusionMatrix([], []), /confusionMatrix: yTrue is empty; expected at least one element/);
  assert.throws(() => accuracy([], []), /accuracy: yTrue is empty/);
  assert.throws(() => precisionRecallF1([], [], { average: "macro" }), /precisionRecallF1: yTrue is empty/);
  assert.throws(() => perClassReport([], []), /perClassReport: yTrue is empty/);
  assert.throws(() => perClassAccuracy([], []), /perClassAccuracy: yTrue is empty/);
  assert.throws(() => rocCurve([], []), /rocCurve: yTrue is empty/);
  assert.throws(() => rocAuc([], []), /rocAuc: yTrue is empty/);
  assert.throws(() => precisionRecallCurve([], []), /precisionRecallCurve: yTrue is empty/);
  assert.throws(() => averagePrecision([], []), /averagePrecision: yTrue is empty/);
});

test("errors: length mismatch names both lengths", () => {
  assert.throws(() => confusionMatrix([0, 1, 1], [0, 1]), /yTrue has 3 elements but yPred has 2; expected equal lengths/);
  assert.throws(() => accuracy([0], [0, 1]), /yTrue has 1 elements but yPred has 2/);
  assert.throws(() => rocAuc([0, 1, 1], [0.1, 0.2]), /rocAuc: yTrue has 3 elements but scores has 2; expected equal lengths/);
  assert.throws(() => averagePrecision([0, 1], [0.1, 0.2, 0.3]), /yTrue has 2 elements but scores has 3/);
});

test("errors: non-finite scores name the index", () => {
  assert.throws(() => rocAuc([0, 1, 1], [0.1, 0.2, NaN]), /rocAuc: scores\[2\] must be a finite number; got NaN/);
  assert.throws(() => rocCurve([0, 1], [Infinity, 0.2]), /scores\[0\] must be a finite number; got Infinity/);
  assert.throws(() => averagePrecision([0, 1], [0.3, -Infinity]), /scores\[1\] must be a finite number; got -Infinity/);
});

test("errors: labels outside 0..numClasses-1 or not class indices", () => {
  assert.throws(() => confusionMatrix([0, 1, 3], [0, 1, 1], 3), /yTrue\[2\] is 3; expected a class index in 0\.\.2 \(numClasses = 3\)/);
  assert.throws(() => accuracy([0, 1], [0, 5], 2), /yPred\[1\] is 5; expected a class index in 0\.\.1/);
  assert.throws(() => perClassAccuracy([0, -1], [0, 1]), /yTrue\[1\] is -1; expected a class index \(an integer >= 0\)/);
  assert.throws(() => precisionRecallF1([0, 1.5], [0, 1], { average: "macro" }), /yTrue\[1\] is 1.5; expected a class index/);
  assert.throws(() => perClassReport([0, NaN], [0, 1]), /yTrue\[1\] is NaN; expected a class index/);
  assert.throws(() => confusionMatrix([0], [0], 0), /numClasses must be a positive integer; got 0/);
  assert.throws(() => confusionMatrix([0], [0], 2.5), /numClasses must be a positive integer; got 2.5/);
});

test("errors: precisionRecallF1 options", () => {
  assert.throws(
    () => precisionRecallF1([0, 1, 2], [0, 1, 1], { average: "binary" }),
    /average 'binary' needs at most two distinct labels but yTrue and yPred hold \[0, 1, 2\]/,
  );
  assert.throws(() => precisionRecallF1([2, 3], [2, 3], { average: "binary" }), /positiveLabel is 1; expected one of the labels present, \[2, 3\]/);
  assert.throws(
    () => precisionRecallF1([0, 1], [0, 1], { average: "macro", positiveLabel: 1 }),
    /positiveLabel is 1 with average 'macro'; expected positiveLabel only with average 'binary'/,
  );
  assert.throws(
    () => precisionRecallF1([0, 1], [0, 1], { average: "samples" as unknown as "macro" }),
    /average is "samples"; expected one of 'binary', 'macro', 'micro', 'weighted'/,
  );
  // Labels {2, 3} with positiveLabel 3: TP = 1, FP = 0, FN = 0 -> all 1.
  assert.deepEqual(precisionRecallF1([2, 3], [2, 3], { average: "binary", positiveLabel: 3 }), {
    precision: 1,
    recall: 1,
    f1: 1,
    support: 1,
  });
});

test("errors: ROC with only one class present in yTrue (as sklearn)", () => {
  assert.throws(() => rocAuc([1, 1, 1], [0.2, 0.5, 0.9]), /rocAuc: only one class present in yTrue \(3 positive, 0 negative samples\)/);
  assert.throws(() => rocCurve([0, 0], [0.2, 0.5]), /rocCurve: only one class present in yTrue \(0 positive, 2 negative samples\)/);
  // With positiveLabel, a single label value in yTrue is also one class.
  assert.throws(() => rocAuc([2, 2], [0.2, 0.5], { positiveLabel: 2 }), /only one class present in yTrue/);
});

test("errors: precision-recall curve with no positive samples", () => {
  assert.throws(() => averagePrecision([0, 0, 0], [0.2, 0.5, 0.9]), /averagePrecision: yTrue has no positive samples; expected at least one/);
  assert.throws(() => precisionRecallCurve([0, 0], [0.2, 0.5]), /precisionRecallCurve: yTrue has no positive samples/);
});

test("errors: binary targets of the curves", () => {
  assert.throws(() => rocAuc([0, 2, 1], [0.1, 0.2, 0.3]), /yTrue\[1\] is 2; expected 0 or 1 \(pass positiveLabel for other binary label values\)/);
  assert.throws(() => rocAuc([0, 1, 2], [0.1, 0.2, 0.3], { positiveLabel: 2 }), /yTrue holds 3 distinct labels \[0, 1, 2\]; expected binary labels/);
  assert.throws(() => rocAuc([1, 2], [0.1, 0.2], { positiveLabel: 3 }), /positiveLabel is 3; expected one of the labels in yTrue, \[1, 2\]/);
  assert.throws(() => rocAuc([0, NaN], [0.1, 0.2]), /yTrue\[1\] is NaN; expected 0 or 1/);
});
