import { test } from "node:test";
import * as assert from "node:assert/strict";
import { validateFigure } from "../src/core/figure";
import { epochCurvesFigure } from "../src/training/epoch-figures";

test("epochCurvesFigure draws one curve per series against the epochs, one tick per epoch", () => {
  const fig = epochCurvesFigure(
    [1, 2, 3],
    [
      { name: "test accuracy", values: [0.2, 0.3, 0.35] },
      { name: "chance", values: [0.1, 0.1, 0.1] },
    ],
    { title: "accuracy", yTitle: "accuracy", yRange: [0, 1] },
  );
  validateFigure(fig);
  assert.deepEqual(
    fig.data.map((t) => [t.name, t.x, t.y]),
    [
      ["test accuracy", [1, 2, 3], [0.2, 0.3, 0.35]],
      ["chance", [1, 2, 3], [0.1, 0.1, 0.1]],
    ],
  );
  const layout = fig.layout as { xaxis: { dtick: number; title: { text: string } }; yaxis: { range: number[]; title: { text: string } } };
  assert.deepEqual([layout.xaxis.dtick, layout.xaxis.title.text, layout.yaxis.range, layout.yaxis.title.text], [1, "epoch", [0, 1], "accuracy"]);
  assert.throws(() => epochCurvesFigure([1, 2], [{ name: "loss", values: [1] }]), /series "loss" has 1 values; expected 2/);
});
