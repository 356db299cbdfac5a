import { test } from "node:test";
import * as assert from "node:assert/strict";
import {
  articleRocVersusRocFigure,
  confusionMatrixFigure,
  metricBarsFigure,
  metricBoxFigure,
  precisionRecallFigure,
  rocFigure,
  scoreHistogramFigure,
  withPointMarks,
  zoomedFigure,
} from "../src/evaluation/metric-figures";
import { precisionRecallCurve, rocCurve } from "../src/evaluation/metrics";
import { validateFigure } from "../src/core/figure";

// sklearn's docstring example: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8].
const Y = [0, 0, 1, 1];
const S = [0.1, 0.4, 0.35, 0.8];

test("confusionMatrixFigure labels each cell with its name and count", () => {
  const fig = confusionMatrixFigure(
    [
      [50, 3],
      [2, 40],
    ],
    ["benign", "malignant"],
    {
      cellNames: [
        ["TN", "FP"],
        ["FN", "TP"],
      ],
      title: "t",
    },
  );
  validateFigure(fig);
  const t = fig.data[0];
  assert.equal(t.type, "heatmap");
  assert.deepEqual(t.z, [
    [50, 3],
    [2, 40],
  ]);
  assert.deepEqual(t.text, [
    ["TN<br>50", "FP<br>3"],
    ["FN<br>2", "TP<br>40"],
  ]);
  assert.equal(t.texttemplate, "%{text}");
  assert.deepEqual(t.x, ["benign", "malignant"]);
  const plain = confusionMatrixFigure(
    [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
    ["a", "b", "c"],
  );
  assert.deepEqual(plain.data[0].text, [
    ["1", "2", "3"],
    ["4", "5", "6"],
    ["7", "8", "9"],
  ]);
});

test("confusionMatrixFigure rejects malformed input", () => {
  assert.throws(() => confusionMatrixFigure([], []), /cm is empty/);
  assert.throws(() => confusionMatrixFigure([[1, 2], [3]], ["a", "b"]), /cm row 1 has 1 entries; expected 2/);
  assert.throws(
    () =>
      confusionMatrixFigure(
        [
          [1, 2],
          [3, 4],
        ],
        ["a"],
      ),
    /classNames has 1 names; expected 2/,
  );
  assert.throws(
    () =>
      confusionMatrixFigure(
        [
          [1, 2],
          [3, 4],
        ],
        ["a", "b"],
        { cellNames: [["x"]] },
      ),
    /cellNames must be 2×2/,
  );
});

test("rocFigure draws each curve's points and the chance diagonal, AUC in the legend", () => {
  const roc = rocCurve(Y, S);
  const fig = rocFigure([{ name: "model", roc, auc: 0.75 }]);
  validateFigure(fig);
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[0].x, [0, 0, 0.5, 0.5, 1]); // fpr by hand, see test/metrics.test.ts
  assert.deepEqual(fig.data[0].y, [0, 0.5, 0.5, 1, 1]);
  assert.equal(fig.data[0].name, "model (AUC 0.750)");
  assert.deepEqual(
    [fig.data[1].x, fig.data[1].y],
    [
      [0, 1],
      [0, 1],
    ],
  );
  assert.throws(() => rocFigure([]), /curves is empty/);
});

test("precisionRecallFigure draws steps and the no-skill line at the positive rate", () => {
  const pr = precisionRecallCurve(Y, S);
  const fig = precisionRecallFigure([{ name: "model", pr, ap: 5 / 6 }], { positiveRate: 0.5 });
  validateFigure(fig);
  assert.deepEqual(fig.data[0].x, [1, 1, 0.5, 0.5, 0]);
  assert.equal((fig.data[0].line as { shape: string }).shape, "hv");
  assert.equal(fig.data[0].name, "model (AP 0.833)");
  assert.deepEqual(fig.data[1].y, [0.5, 0.5]);
  assert.equal(precisionRecallFigure([{ name: "m", pr }]).data.length, 1, "no baseline without positiveRate");
  assert.throws(() => precisionRecallFigure([{ name: "m", pr }], { positiveRate: 2 }), /positiveRate must be in \[0, 1\]; got 2/);
});

test("articleRocVersusRocFigure puts the article's axes left and the ROC right", () => {
  const fig = articleRocVersusRocFigure([
    { name: "a", accuracy: [0.5, 0.75], errorRate: [0.5, 0.25], fpr: [0, 1], tpr: [0, 1] },
    { name: "b", accuracy: [0.6], errorRate: [0.4], fpr: [0.2], tpr: [0.9] },
  ]);
  validateFigure(fig);
  assert.equal(fig.data.length, 5, "two traces per series plus the chance line");
  assert.deepEqual([fig.data[0].x, fig.data[0].y, fig.data[0].xaxis], [[0.5, 0.25], [0.5, 0.75], "x"]);
  assert.deepEqual([fig.data[1].x, fig.data[1].y, fig.data[1].xaxis], [[0, 1], [0, 1], "x2"]);
  const markerColour = (i: number) => (fig.data[i].marker as { color: string }).color;
  const lineColour = (i: number) => (fig.data[i].line as { color: string }).color;
  assert.equal(markerColour(0), lineColour(1), "a series keeps its colour in both panels");
  assert.notEqual(markerColour(0), markerColour(2), "series differ in colour");
  assert.notEqual(
    (fig.data[0].marker as { symbol: string }).symbol,
    (fig.data[2].marker as { symbol: string }).symbol,
    "overlapping series on the line x + y = 1 differ in marker symbol",
  );
  assert.throws(() => articleRocVersusRocFigure([{ name: "x", accuracy: [1], errorRate: [], fpr: [], tpr: [] }]), /series "x"/);
  assert.throws(() => articleRocVersusRocFigure([]), /series is empty/);
});

test("confusionMatrixFigure gives long class names room; ROC axes stay [0, 1] when made square", () => {
  const fig = confusionMatrixFigure(
    [
      [1, 0],
      [0, 1],
    ],
    ["Ankle boot", "T-shirt/top"],
  );
  assert.equal((fig.layout?.yaxis as { automargin: boolean }).automargin, true);
  assert.equal((fig.layout?.yaxis as { autorange: string }).autorange, "reversed", "heatmap's top-down row order is kept");
  const roc = rocFigure([{ name: "m", roc: rocCurve(Y, S) }]);
  assert.equal((roc.layout?.xaxis as { constrain: string }).constrain, "domain");
  assert.equal((roc.layout?.yaxis as { scaleanchor: string }).scaleanchor, "x");
});

test("scoreHistogramFigure splits the scores by true class and draws the threshold", () => {
  const fig = scoreHistogramFigure(Y, S, { classNames: ["benign", "malignant"], threshold: 0.5 });
  validateFigure(fig);
  assert.deepEqual(
    fig.data.map((t) => [t.name, t.x]),
    [
      ["benign", [0.1, 0.4]],
      ["malignant", [0.35, 0.8]],
    ],
  );
  const shapes = (fig.layout as { shapes: { x0: number }[] }).shapes;
  assert.deepEqual(
    shapes.map((s) => s.x0),
    [0.5],
  );
  assert.throws(() => scoreHistogramFigure(Y, S.slice(1), { classNames: ["a", "b"] }), /yTrue has 4 labels but scores has 3/);
});

test("metricBarsFigure groups one bar series per metric over the same labels", () => {
  const fig = metricBarsFigure(
    ["model", "baseline"],
    [
      { name: "accuracy", values: [0.95, 0.63] },
      { name: "recall", values: [0.9, 0] },
    ],
  );
  validateFigure(fig);
  assert.deepEqual(
    fig.data.map((t) => [t.name, t.x, t.y]),
    [
      ["accuracy", ["model", "baseline"], [0.95, 0.63]],
      ["recall", ["model", "baseline"], [0.9, 0]],
    ],
  );
  assert.throws(() => metricBarsFigure(["a"], [{ name: "m", values: [1, 2] }]), /metric "m" has 2 values; expected 1/);
});

test("withPointMarks adds one marker per point; zoomedFigure sets the ranges and keeps the traces", () => {
  const roc = rocFigure([{ name: "model", roc: rocCurve(Y, S) }], { title: "ROC" });
  const marked = withPointMarks(roc, [{ name: "at 0.5", x: 0, y: 0.5, symbol: "circle", color: "#1f77b4" }]);
  validateFigure(marked);
  assert.equal(marked.data.length, roc.data.length + 1);
  assert.deepEqual([marked.data[marked.data.length - 1].x, marked.data[marked.data.length - 1].y], [[0], [0.5]]);
  const zoomed = zoomedFigure(marked, [0, 0.4], [0.6, 1], "corner");
  const layout = zoomed.layout as { title: { text: string }; xaxis: { range: number[]; title: unknown }; yaxis: { range: number[]; scaleanchor?: string } };
  assert.equal(layout.title.text, "ROC (corner)");
  assert.deepEqual([layout.xaxis.range, layout.yaxis.range, layout.yaxis.scaleanchor], [[0, 0.4], [0.6, 1], undefined]);
  assert.ok(layout.xaxis.title, "the axis title is kept");
  assert.equal(zoomed.data, marked.data);
});

test("metricBoxFigure draws one box per group and the target line", () => {
  const fig = metricBoxFigure(
    [
      { name: "MLP", values: [0.95, 1] },
      { name: "logistic", values: [0.9, 0.97], color: "#000" },
    ],
    { target: 0.98, yRange: [0.85, 1.01] },
  );
  validateFigure(fig);
  assert.deepEqual(
    fig.data.map((t) => [t.type, t.name, t.y]),
    [
      ["box", "MLP", [0.95, 1]],
      ["box", "logistic", [0.9, 0.97]],
    ],
  );
  assert.deepEqual(
    (fig.layout as { shapes: { y0: number }[] }).shapes.map((s) => s.y0),
    [0.98],
  );
  assert.throws(() => metricBoxFigure([]), /groups is empty/);
});
