import { test } from "node:test";
import * as assert from "node:assert/strict";
import { validateFigure } from "../src/core/figure";
import { classSizeEffectFigure } from "../src/scenarios/education/figures";

test("classSizeEffectFigure: one bar per class type at its mean, error bars reaching the interval's ends", () => {
  const effect = [
    { classType: "regular", n: 10, mean: 900, low: 896, high: 905 },
    { classType: "small", n: 8, mean: 914, low: 910, high: 917 },
  ];
  const fig = classSizeEffectFigure(effect as Parameters<typeof classSizeEffectFigure>[0], { yRange: [880, 945], yTitle: "reading + maths" });
  validateFigure(fig);
  assert.deepEqual(fig.data[0].x, ["regular", "small"]);
  assert.deepEqual(fig.data[0].y, [900, 914]);
  const err = fig.data[0].error_y as { array: number[]; arrayminus: number[] };
  assert.deepEqual(err.array, [5, 3]);
  assert.deepEqual(err.arrayminus, [4, 4]);
  assert.deepEqual((fig.layout as { yaxis: { range: number[] } }).yaxis.range, [880, 945]);
  assert.throws(() => classSizeEffectFigure([]), /effect is empty/);
});
