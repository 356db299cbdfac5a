import { test } from "node:test";
import * as assert from "node:assert/strict";
import { groupedBarFigure, timeSeriesFigure } from "../src/scenarios/finance/figures";
import { validateFigure } from "../src/core/figure";

test("date-axis figures: gaps for NaN, two panels, compact numbers, plotly-valid", () => {
  const dates = ["2020-01-02", "2020-01-03", "2020-01-06"];
  const fig = timeSeriesFigure(
    [
      { name: "a", dates, values: [1.234567891, NaN, 3] },
      { name: "b", dates, values: [0.1, 0.2, 0.3], panel: "lower", mode: "markers" },
    ],
    { title: "t", lowerTitle: "lower", logY: true },
  );
  validateFigure(fig);
  assert.deepEqual(fig.data[0].y, [1.2346, null, 3]);
  assert.equal(fig.data[0].yaxis, undefined);
  assert.equal(fig.data[1].yaxis, "y2");
  const layout = fig.layout as { yaxis: { type: string; tickvals: number[]; ticktext: string[] }; yaxis2: { domain: number[] }; xaxis: { anchor: string } };
  assert.equal(layout.yaxis.type, "log");
  // Upper-panel values span 1.23 … 3: ticks 1, 2, 5 (within a factor 2 of the range).
  assert.deepEqual(layout.yaxis.tickvals, [1, 2, 5]);
  assert.deepEqual(layout.yaxis.ticktext, ["1", "2", "5"]);
  assert.deepEqual(layout.yaxis2.domain, [0, 0.38]);
  assert.equal(layout.xaxis.anchor, "y2");
  assert.throws(() => timeSeriesFigure([{ name: "bad", dates, values: [1, 2] }]), /series "bad" has 3 dates but 2 values/);
});

test("grouped bars: one trace per series, checked against the categories", () => {
  const fig = groupedBarFigure(
    ["2017", "2018"],
    [
      { name: "x", values: [1, 2] },
      { name: "y", values: [3, 4] },
    ],
  );
  validateFigure(fig);
  assert.equal(fig.data.length, 2);
  assert.equal((fig.layout as { barmode: string }).barmode, "group");
  assert.throws(() => groupedBarFigure(["2017"], [{ name: "x", values: [1, 2] }]), /series "x" has 2 values for 1 categories/);
});

test("groupedBarFigure: an x-axis title when asked, with the legend moved below it", () => {
  const fig = groupedBarFigure(["a", "b"], [{ name: "x", values: [1, 2] }], { xTitle: "group" });
  const layout = fig.layout as { xaxis: { title?: { text: string } }; legend: { y: number } };
  assert.equal(layout.xaxis.title?.text, "group");
  assert.equal(layout.legend.y, -0.3);
  assert.equal((groupedBarFigure(["a"], [{ name: "x", values: [1] }]).layout as { xaxis: { title?: unknown } }).xaxis.title, undefined);
});
