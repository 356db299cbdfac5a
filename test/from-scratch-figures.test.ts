import { test } from "node:test";
import * as assert from "node:assert/strict";
import { validateFigure } from "../src/core/figure";
import { heatmapPanels, hiddenStateFigure } from "../src/from-scratch/figures";

test("heatmapPanels: one heatmap per panel on its own axes, values as given, a colour scale centred on 0", () => {
  const fig = heatmapPanels(
    [
      {
        title: "image",
        z: [
          [1, -3],
          [2, 0],
        ],
      },
      { title: "pooled", z: [[0.5]] },
    ],
    "two panels",
  );
  validateFigure(fig);
  assert.equal(fig.data.length, 2);
  assert.deepEqual(fig.data[0].z, [
    [1, -3],
    [2, 0],
  ]);
  assert.equal(fig.data[0].zmax, 3);
  assert.equal(fig.data[0].zmin, -3);
  assert.equal(fig.data[1].zmax, 1, "a scale of at least ±1, so small values stay pale");
  assert.deepEqual([fig.data[1].xaxis, fig.data[1].yaxis], ["x2", "y2"]);
  const layout = fig.layout as Record<string, { domain?: number[] }> & { annotations: { text: string }[] };
  assert.deepEqual(
    layout.annotations.map((a) => a.text),
    ["image", "pooled"],
  );
  const [d1, d2] = [layout.xaxis1.domain as number[], layout.xaxis2.domain as number[]];
  assert.ok(d1[0] === 0 && Math.abs(d2[1] - 1) < 1e-12 && d1[1] < d2[0], `panels side by side without overlap: ${d1} ${d2}`);
  assert.throws(() => heatmapPanels([{ title: "ragged", z: [[1, 2], [3]] }], "x"), /panel 0 \("ragged"\)/);
  assert.throws(() => heatmapPanels([], "x"), /panels is empty/);
});

test("hiddenStateFigure: a solid and a dotted line per unit, the states as given", () => {
  const withRec = [
    [0.1, 0.2],
    [0.3, 0.4],
    [0.5, 0.6],
  ]; // [3 steps][2 units]
  const noRec = [
    [0.1, 0.2],
    [0.1, 0.2],
    [0.1, 0.2],
  ];
  const fig = hiddenStateFigure(withRec, noRec, "h");
  validateFigure(fig);
  assert.equal(fig.data.length, 4);
  assert.deepEqual(fig.data[1].x, [1, 2, 3]);
  assert.deepEqual(fig.data[1].y, [0.2, 0.4, 0.6]);
  assert.deepEqual(fig.data[3].y, [0.2, 0.2, 0.2]);
  assert.equal((fig.data[3].line as { dash: string }).dash, "dot");
  assert.equal(fig.data[1].legendgroup, fig.data[3].legendgroup, "a unit's two lines toggle together");
  assert.throws(() => hiddenStateFigure(withRec, noRec.slice(1), "h"), /3 and 2 steps/);
});
