/**
 * Evaluation metrics for classifiers (article §9.2), in plain TypeScript over number arrays
 * or typed arrays: confusion matrix, accuracy, precision / recall / F1 (binary and averaged),
 * a per-class report, ROC curve and AUC, precision–recall curve and average precision.
 *
 * The article's §9.2 gets two definitions wrong; this module follows the standard ones:
 * - F1 is the harmonic mean of precision and recall (not "of accuracy and recall").
 * - The ROC curve plots the true positive rate against the false positive rate as the decision
 *   threshold sweeps over the scores (not "prediction accuracy vs error rate").
 *
 * Conventions (each one is tested in test/metrics.test.ts):
 * - Class labels are class indices: integers 0..k-1. `k` is `numClasses` when given (labels
 *   outside 0..numClasses-1 are an error), else (largest label in yTrue and yPred) + 1. Every
 *   multi-class function (confusion matrix, macro / weighted averages, per-class report and
 *   accuracy) uses the same classes 0..k-1. sklearn's default instead uses only the labels
 *   present; the two agree unless a class index is absent from both arrays.
 * - A ratio whose denominator is 0 is 0, like sklearn's `zero_division=0`: precision of a
 *   class never predicted, recall of a class with no true samples, F1 when TP = FP = FN = 0.
 * - Empty inputs, length mismatches, non-finite scores, bad labels and ROC with only one
 *   class in yTrue throw an Error naming the function, the parameter and what was expected.
 * - Curves group tied scores into one point (sklearn's roc_curve with drop_intermediate=false),
 *   so AUC gives a tied positive/negative pair the standard half credit.
 */

import { requireFinite, requirePositiveInteger } from "../core/validate";

/** Class labels or binary targets, one per sample: a number array or a typed array. */
export type Labels = ArrayLike<number>;

/** Classifier scores, one per sample, larger = more confident in the positive class. */
export type Scores = ArrayLike<number>;

/** How precision / recall / F1 are combined over classes (sklearn's `average`). */
export type Average = "binary" | "macro" | "micro" | "weighted";

/** Precision, recall, F1 and the number of true samples they cover. */
export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
  /** binary: samples of positiveLabel in yTrue; averaged: all samples of yTrue. */
  support: number;
}

/** One row of a per-class report: the metrics of class `label` against all others. */
export interface ClassMetrics extends PrecisionRecallF1 {
  label: number;
}

/** sklearn's classification_report as data: one row per class plus accuracy and averages. */
export interface ClassificationReport {
  classes: ClassMetrics[];
  accuracy: number;
  macroAvg: PrecisionRecallF1;
  weightedAvg: PrecisionRecallF1;
}

/** A ROC curve: point i is (fpr[i], tpr[i]) when predicting positive for scores >= thresholds[i]. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Decreasing; thresholds[0] = Infinity is the (0, 0) point where nothing is predicted positive. */
  thresholds: number[];
}

/**
 * A precision–recall curve in sklearn's order: thresholds increasing, recall decreasing.
 * precision and recall have one more entry than thresholds: the final point (recall 0,
 * precision 1) has no threshold.
 */
export interface PrecisionRecallCurve {
  precision: number[];
  recall: number[];
  thresholds: number[];
}

/** Options of precisionRecallF1. */
export interface PrecisionRecallF1Options {
  average: Average;
  /** The positive class for average 'binary' (default 1); an error with other averages. */
  positiveLabel?: number;
  /** Number of classes k; labels must lie in 0..k-1. Default: largest label + 1. */
  numClasses?: number;
}

/** Options of the threshold curves (rocCurve, rocAuc, precisionRecallCurve, averagePrecision). */
export interface BinaryCurveOptions {
  /**
   * The label of the positive class in yTrue. Without it yTrue must hold only 0 and 1
   * (1 = positive); with it yTrue may hold any two distinct finite values.
   */
  positiveLabel?: number;
}

// ---------------------------------------------------------------------------------------------
// Validation helpers: every error names the function, the parameter and the expectation.

function fail(fn: string, message: string): never {
  throw new Error(`${fn}: ${message}`);
}

function checkNonEmpty(fn: string, name: string, a: ArrayLike<number>): void {
  if (a.length === 0) fail(fn, `${name} is empty; expected at least one element`);
}

function checkSameLength(fn: string, nameA: string, a: ArrayLike<number>, nameB: string, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    fail(fn, `${nameA} has ${a.length} elements but ${nameB} has ${b.length}; expected equal lengths`);
  }
}

function checkNumClasses(fn: string, numClasses: number | undefined): void {
  if (numClasses !== undefined) requirePositiveInteger(fn, "numClasses", numClasses);
}

function checkClassLabels(fn: string, name: string, a: Labels, numClasses: number | undefined): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (!Number.isInteger(v) || v < 0) {
      fail(fn, `${name}[${i}] is ${v}; expected a class index (an integer >= 0)`);
    }
    if (numClasses !== undefined && v >= numClasses) {
      fail(fn, `${name}[${i}] is ${v}; expected a class index in 0..${numClasses - 1} (numClasses = ${numClasses})`);
    }
  }
}

function checkScores(fn: string, name: string, s: Scores): void {
  for (let i = 0; i < s.length; i++) {
    requireFinite(fn, `${name}[${i}]`, s[i]);
  }
}

/** Validates a (yTrue, yPred) pair of class labels; returns k, the number of classes. */
function checkLabelPair(fn: string, yTrue: Labels, yPred: Labels, numClasses: number | undefined): number {
  checkNonEmpty(fn, "yTrue", yTrue);
  checkSameLength(fn, "yTrue", yTrue, "yPred", yPred);
  checkNumClasses(fn, numClasses);
  checkClassLabels(fn, "yTrue", yTrue, numClasses);
  checkClassLabels(fn, "yPred", yPred, numClasses);
  if (numClasses !== undefined) return numClasses;
  let max = 0;
  for (let i = 0; i < yTrue.length; i++) max = Math.max(max, yTrue[i], yPred[i]);
  return max + 1;
}

/** a / b, or 0 when b is 0 (sklearn's zero_division=0). */
function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Precision, recall and F1 from counts; F1 = 2TP / (2TP + FP + FN) = 2PR / (P + R). */
function fromCounts(tp: number, fp: number, fn: number): PrecisionRecallF1 {
  return {
    precision: safeDiv(tp, tp + fp),
    recall: safeDiv(tp, tp + fn),
    f1: safeDiv(2 * tp, 2 * tp + fp + fn),
    support: tp + fn,
  };
}

function sortedDistinct(a: ArrayLike<number>, b?: ArrayLike<number>): number[] {
  const set = new Set<number>(Array.from(a));
  if (b !== undefined) for (let i = 0; i < b.length; i++) set.add(b[i]);
  return Array.from(set).sort((x, y) => x - y);
}

// ---------------------------------------------------------------------------------------------
// Label metrics.

/** Confusion matrix C[i][j] = number of samples of true class i predicted as class j (article §9.2). */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses?: number): number[][] {
  const k = checkLabelPair("confusionMatrix", yTrue, yPred, numClasses);
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) cm[yTrue[i]][yPred[i]]++;
  return cm;
}

/** Accuracy = fraction of samples whose predicted class equals the true class (article §9.2). */
export function accuracy(yTrue: Labels, yPred: Labels, numClasses?: number): number {
  checkLabelPair("accuracy", yTrue, yPred, numClasses);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** Per-class TP / FP / FN counts for classes 0..k-1, read off the confusion matrix. */
function perClassCounts(cm: number[][]): { tp: number[]; fp: number[]; fn: number[] } {
  const k = cm.length;
  const tp = new Array<number>(k).fill(0);
  const fp = new Array<number>(k).fill(0);
  const fn = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) tp[i] += cm[i][j];
      else {
        fn[i] += cm[i][j]; // true i, predicted j: missed i
        fp[j] += cm[i][j]; // true i, predicted j: false alarm for j
      }
    }
  }
  return { tp, fp, fn };
}

function macroAndWeighted(rows: PrecisionRecallF1[]): { macro: PrecisionRecallF1; weighted: PrecisionRecallF1 } {
  const total = rows.reduce((s, r) => s + r.support, 0);
  const mean = (f: (r: PrecisionRecallF1) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  const wmean = (f: (r: PrecisionRecallF1) => number) =>
    safeDiv(
      rows.reduce((s, r) => s + f(r) * r.support, 0),
      total,
    );
  return {
    macro: { precision: mean((r) => r.precision), recall: mean((r) => r.recall), f1: mean((r) => r.f1), support: total },
    weighted: {
      precision: wmean((r) => r.precision),
      recall: wmean((r) => r.recall),
      f1: wmean((r) => r.f1),
      support: total,
    },
  };
}

/**
 * Precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = harmonic mean of precision and recall
 * (article §9.2 says "of accuracy and recall": wrong); averaged as sklearn's precision_recall_fscore_support.
 */
export function precisionRecallF1(yTrue: Labels, yPred: Labels, options: PrecisionRecallF1Options): PrecisionRecallF1 {
  const fn = "precisionRecallF1";
  const { average, positiveLabel, numClasses } = options;
  const averages: readonly Average[] = ["binary", "macro", "micro", "weighted"];
  if (!averages.includes(average)) {
    fail(fn, `average is ${JSON.stringify(average)}; expected one of 'binary', 'macro', 'micro', 'weighted'`);
  }
  const k = checkLabelPair(fn, yTrue, yPred, numClasses);

  if (average === "binary") {
    const present = sortedDistinct(yTrue, yPred);
    if (present.length > 2) {
      fail(
        fn,
        `average 'binary' needs at most two distinct labels but yTrue and yPred hold [${present.join(", ")}]; ` +
          `expected binary labels, or use average 'macro', 'micro' or 'weighted'`,
      );
    }
    const pos = positiveLabel ?? 1;
    if (!Number.isInteger(pos) || pos < 0) fail(fn, `positiveLabel is ${pos}; expected a class index (an integer >= 0)`);
    if (present.length === 2 && !present.includes(pos)) {
      fail(fn, `positiveLabel is ${pos}; expected one of the labels present, [${present.join(", ")}]`);
    }
    let tp = 0;
    let fp = 0;
    let fnCount = 0;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i] === pos;
      const p = yPred[i] === pos;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fnCount++;
    }
    return fromCounts(tp, fp, fnCount);
  }

  if (positiveLabel !== undefined) {
    fail(fn, `positiveLabel is ${positiveLabel} with average '${average}'; expected positiveLabel only with average 'binary'`);
  }
  const { tp, fp, fn: fns } = perClassCounts(confusionMatrix(yTrue, yPred, k));
  if (average === "micro") {
    const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
    return fromCounts(sum(tp), sum(fp), sum(fns));
  }
  const rows = tp.map((_, c) => fromCounts(tp[c], fp[c], fns[c]));
  const { macro, weighted } = macroAndWeighted(rows);
  return average === "macro" ? macro : weighted;
}

/** Per-class precision, recall, F1 and support plus accuracy and macro / weighted averages, like sklearn's classification_report (article §9.2). */
export function perClassReport(yTrue: Labels, yPred: Labels, numClasses?: number): ClassificationReport {
  const k = checkLabelPair("perClassReport", yTrue, yPred, numClasses);
  const { tp, fp, fn } = perClassCounts(confusionMatrix(yTrue, yPred, k));
  const classes = tp.map((_, c) => ({ label: c, ...fromCounts(tp[c], fp[c], fn[c]) }));
  const { macro, weighted } = macroAndWeighted(classes);
  const correct = tp.reduce((s, x) => s + x, 0);
  return { classes, accuracy: correct / yTrue.length, macroAvg: macro, weightedAvg: weighted };
}

/** Per-class accuracy = recall of each class, TP_c / (samples of class c), 0 for a class with no samples; the PyTorch tutorial's "Accuracy for class" (article §9.2). */
export function perClassAccuracy(yTrue: Labels, yPred: Labels, numClasses?: number): number[] {
  const k = checkLabelPair("perClassAccuracy", yTrue, yPred, numClasses);
  const correct = new Array<number>(k).fill(0);
  const total = new Array<number>(k).fill(0);
  for (let i = 0; i < yTrue.length; i++) {
    total[yTrue[i]]++;
    if (yTrue[i] === yPred[i]) correct[yTrue[i]]++;
  }
  return correct.map((c, i) => safeDiv(c, total[i]));
}

/** Renders a ClassificationReport as text laid out like sklearn's classification_report (article §9.2). */
export function formatReport(report: ClassificationReport, classNames?: readonly string[], digits = 2): string {
  if (classNames !== undefined && classNames.length !== report.classes.length) {
    fail("formatReport", `classNames has ${classNames.length} names but the report has ${report.classes.length} classes; expected one name per class`);
  }
  const names = report.classes.map((c, i) => (classNames !== undefined ? classNames[i] : String(c.label)));
  const width = Math.max(...names.map((n) => n.length), "weighted avg".length, digits);
  const col = (s: string) => s.padStart(9);
  const num = (x: number) => col(x.toFixed(digits));
  const row = (name: string, r: PrecisionRecallF1) => `${name.padStart(width)}  ${num(r.precision)} ${num(r.recall)} ${num(r.f1)} ${col(String(r.support))}`;
  const total = report.macroAvg.support;
  const lines = [
    `${"".padStart(width)}  ${["precision", "recall", "f1-score", "support"].map(col).join(" ")}`,
    "",
    ...report.classes.map((c, i) => row(names[i], c)),
    "",
    `${"accuracy".padStart(width)}  ${col("")} ${col("")} ${num(report.accuracy)} ${col(String(total))}`,
    row("macro avg", report.macroAvg),
    row("weighted avg", report.weightedAvg),
  ];
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Threshold curves for binary problems.

/** Validates binary targets; returns 1 for positive samples and 0 for negative ones. */
function binaryTargets(fn: string, yTrue: Labels, positiveLabel: number | undefined): Uint8Array {
  const isPos = new Uint8Array(yTrue.length);
  if (positiveLabel === undefined) {
    for (let i = 0; i < yTrue.length; i++) {
      const v = yTrue[i];
      if (v !== 0 && v !== 1) {
        fail(fn, `yTrue[${i}] is ${v}; expected 0 or 1 (pass positiveLabel for other binary label values)`);
      }
      isPos[i] = v;
    }
    return isPos;
  }
  requireFinite(fn, "positiveLabel", positiveLabel);
  for (let i = 0; i < yTrue.length; i++) {
    if (!Number.isFinite(yTrue[i])) fail(fn, `yTrue[${i}] is ${yTrue[i]}; expected a finite label`);
  }
  const present = sortedDistinct(yTrue);
  if (present.length > 2) {
    fail(fn, `yTrue holds ${present.length} distinct labels [${present.join(", ")}]; expected binary labels (at most two)`);
  }
  if (present.length === 2 && !present.includes(positiveLabel)) {
    fail(fn, `positiveLabel is ${positiveLabel}; expected one of the labels in yTrue, [${present.join(", ")}]`);
  }
  for (let i = 0; i < yTrue.length; i++) isPos[i] = yTrue[i] === positiveLabel ? 1 : 0;
  return isPos;
}

/**
 * Cumulative true / false positive counts when predicting positive for scores >= each distinct
 * score, thresholds decreasing (sklearn's _binary_clf_curve: tied scores form one point).
 */
function binaryClfCurve(fn: string, yTrue: Labels, scores: Scores, positiveLabel: number | undefined): { tps: number[]; fps: number[]; thresholds: number[] } {
  checkNonEmpty(fn, "yTrue", yTrue);
  checkSameLength(fn, "yTrue", yTrue, "scores", scores);
  checkScores(fn, "scores", scores);
  const isPos = binaryTargets(fn, yTrue, positiveLabel);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    if (isPos[i] === 1) tp++;
    else fp++;
    // Emit a point only after the last sample of a run of tied scores.
    if (r === order.length - 1 || scores[order[r + 1]] !== scores[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(scores[i]);
    }
  }
  return { tps, fps, thresholds };
}

function rocCurveImpl(fn: string, yTrue: Labels, scores: Scores, options: BinaryCurveOptions): RocCurve {
  const { tps, fps, thresholds } = binaryClfCurve(fn, yTrue, scores, options.positiveLabel);
  const p = tps[tps.length - 1];
  const n = fps[fps.length - 1];
  if (p === 0 || n === 0) {
    fail(fn, `only one class present in yTrue (${p} positive, ${n} negative samples); ` + `expected both classes, ROC is undefined otherwise`);
  }
  return {
    fpr: [0, ...fps.map((f) => f / n)],
    tpr: [0, ...tps.map((t) => t / p)],
    thresholds: [Infinity, ...thresholds],
  };
}

/** ROC curve = true positive rate against false positive rate over all thresholds (article §9.2 says "prediction accuracy vs error rate": wrong); tied scores form one point, like sklearn's roc_curve(drop_intermediate=False). */
export function rocCurve(yTrue: Labels, scores: Scores, options: BinaryCurveOptions = {}): RocCurve {
  return rocCurveImpl("rocCurve", yTrue, scores, options);
}

/** ROC AUC = area under the TPR-vs-FPR curve by the trapezoid rule = P(score of a positive > score of a negative) + ½ P(tie) (article §9.2). */
export function rocAuc(yTrue: Labels, scores: Scores, options: BinaryCurveOptions = {}): number {
  const { fpr, tpr } = rocCurveImpl("rocAuc", yTrue, scores, options);
  let area = 0;
  for (let i = 1; i < fpr.length; i++) area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  return area;
}

function precisionRecallCurveImpl(fn: string, yTrue: Labels, scores: Scores, options: BinaryCurveOptions): PrecisionRecallCurve {
  const { tps, fps, thresholds } = binaryClfCurve(fn, yTrue, scores, options.positiveLabel);
  const p = tps[tps.length - 1];
  if (p === 0) {
    fail(fn, `yTrue has no positive samples; expected at least one, recall is undefined otherwise`);
  }
  // tps[i] + fps[i] >= 1 at every threshold (it is one of the scores), so precision is defined.
  const precision = tps.map((t, i) => t / (t + fps[i])).reverse();
  const recall = tps.map((t) => t / p).reverse();
  return { precision: [...precision, 1], recall: [...recall, 0], thresholds: [...thresholds].reverse() };
}

/** Precision–recall curve: precision TP/(TP+FP) and recall TP/(TP+FN) at every distinct score threshold, in sklearn's precision_recall_curve order (article §9.2). */
export function precisionRecallCurve(yTrue: Labels, scores: Scores, options: BinaryCurveOptions = {}): PrecisionRecallCurve {
  return precisionRecallCurveImpl("precisionRecallCurve", yTrue, scores, options);
}

/** Average precision AP = Σ_n (R_n − R_{n−1}) P_n over the precision–recall curve (sklearn's step rule, no interpolation) (article §9.2). */
export function averagePrecision(yTrue: Labels, scores: Scores, options: BinaryCurveOptions = {}): number {
  const { precision, recall } = precisionRecallCurveImpl("averagePrecision", yTrue, scores, options);
  let ap = 0;
  // Recall decreases along the arrays; each step down is weighted by the precision where it starts.
  for (let i = 0; i < precision.length - 1; i++) ap += (recall[i] - recall[i + 1]) * precision[i];
  return ap;
}
