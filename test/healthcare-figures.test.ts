import { test } from "node:test";
import * as assert from "node:assert/strict";
import { validateFigure } from "../src/core/figure";
import { operatingPoints } from "../src/evaluation/operating-points";
import { classScatterFigure, thresholdCostFigure } from "../src/scenarios/healthcare/figures";

test("classScatterFigure puts each class's rows in its own trace, at the two chosen columns", () => {
  const X = [
    [1, 10, 100],
    [2, 20, 200],
    [3, 30, 300],
  ];
  const fig = classScatterFigure(X, [1, 0, 1], { x: 0, y: 2, xName: "a", yName: "c" }, [
    { label: 1, name: "malignant", color: "#d62728" },
    { label: 0, name: "benign", color: "#1f77b4" },
  ]);
  validateFigure(fig);
  assert.deepEqual(
    fig.data.map((t) => [t.name, t.x, t.y]),
    [
      ["malignant", [1, 3], [100, 300]],
      ["benign", [2], [200]],
    ],
  );
  assert.throws(() => classScatterFigure(X, [1, 0], { x: 0, y: 1, xName: "", yName: "" }, []), /X has 3 rows but y has 2 labels/);
  assert.throws(() => classScatterFigure(X, [1, 0, 1], { x: 0, y: 3, xName: "", yName: "" }, []), /column 3 is outside 0..2/);
});

test("thresholdCostFigure plots (c_FN·FN + c_FP·FP)/n·100 at every finite threshold, marks and the reference", () => {
  // y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]; at threshold 0.35: TP 2, FP 1 → cost (0 + 1)/4·100 = 25 with c_FN = 20
  const points = operatingPoints([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
  const fig = thresholdCostFigure(
    [{ name: "test", points, color: "#d62728" }],
    { falseNegative: 20, falsePositive: 1 },
    { marks: [{ name: "chosen", threshold: 0.35, cost: 25, symbol: "star" }], reference: { name: "flag everyone", cost: 50 } },
  );
  validateFigure(fig);
  const curve = fig.data[0] as { x: number[]; y: number[] };
  assert.deepEqual(curve.x, [0.8, 0.4, 0.35, 0.1], "the +∞ threshold is left out");
  assert.deepEqual(curve.y, [500, 525, 25, 50]);
  assert.deepEqual([fig.data[1].name, fig.data[1].y], ["flag everyone", [50, 50]]);
  assert.deepEqual([fig.data[2].x, fig.data[2].y], [[0.35], [25]]);
  assert.deepEqual((fig.layout as { yaxis: { range: number[] } }).yaxis.range, [0, 100]);
});
