import { test } from "node:test";
import * as assert from "node:assert/strict";
import { barChart, heatmap, lineChart, validateFigure } from "../src/core/figure";
import { figureHtml, plotlyScriptTag } from "../src/notebook/plot";
import { progressHtml, showFigure, showTable, sparklineSvg, tableHtml } from "../src/notebook/display";

test("figure builders give valid specs; typed arrays become plain arrays in the HTML", () => {
  const line = lineChart([{ name: "loss", x: [1, 2, 3], y: new Float32Array([3, 2, 1]) }], { title: "Loss" });
  validateFigure(line);
  const html = figureHtml(line);
  assert.match(html, /"y":\[3,2,1\]/);
  assert.match(html, /Plotly\.newPlot/);
  assert.match(html, /figure not drawn/, "a failure shows a message instead of an empty box");
  validateFigure(barChart(["a", "b"], [1, 2]));
  validateFigure(
    heatmap(
      [
        [1, 2],
        [3, 4],
      ],
      { x: ["p", "q"], y: ["r", "s"] },
    ),
  );
  assert.throws(() => barChart(["a"], [1, 2]), /1 labels but 2 values/);
});

test("validateFigure rejects what plotly would draw as an empty box", () => {
  assert.throws(() => validateFigure({ data: [{ type: "scater", x: [1], y: [1] }] }), /trace 0: unknown type "scater"/);
  assert.throws(() => validateFigure({ data: [{ type: "scatter", name: "s", x: [1, 2], y: [1] }] }), /trace 0 \(s\): x has 2 values but y has 1/);
  assert.throws(() => validateFigure({ data: [{ type: "bar", x: "abc" }] }), /x must be an array/);
  assert.throws(() => validateFigure({} as never), /expected \{ data: Trace\[\]/);
});

test("plotly.js is embedded from the npm package, never fetched from a CDN", () => {
  const tag = plotlyScriptTag();
  assert.ok(tag.length > 1_000_000, "the whole bundle is inline");
  assert.doesNotMatch(tag.slice(0, 300), /src=/);
  assert.match(tag, /var define=undefined/);
  const withBundle = figureHtml(lineChart([{ name: "a", x: [1], y: [1] }]), { includePlotly: true });
  assert.doesNotMatch(withBundle, /<script[^>]+src=|<link[^>]+href=/, "no external script or stylesheet");
  assert.doesNotMatch(figureHtml(lineChart([{ name: "a", x: [1], y: [1] }])), /https?:/, "the figure itself names no URL");
  assert.doesNotMatch(tag, /<\/script>[\s\S]*<\/script>/, "no early </script> inside the bundle");
});

test("display helpers work outside a kernel (plain Node) without throwing", () => {
  const logs: string[] = [];
  const orig = console.log;
  const origTable = console.table;
  console.log = (...a: unknown[]) => logs.push(a.join(" "));
  console.table = () => logs.push("[table]");
  try {
    showFigure(lineChart([{ name: "a", x: [1], y: [1] }], { title: "T" }));
    showTable([{ a: 1 }], { caption: "cap" });
  } finally {
    console.log = orig;
    console.table = origTable;
  }
  assert.deepEqual(logs, ["[figure: T — 1 trace(s); shown in a notebook or report]", "cap", "[table]"]);
});

test("tables, progress bars and sparklines escape and format their content", () => {
  const html = tableHtml([{ name: "<b>", value: 0.123456, n: 60000 }], { caption: "c&d" });
  assert.match(html, /&lt;b&gt;/);
  assert.match(html, /0\.1235/);
  assert.match(html, /60,000/);
  assert.match(html, /c&amp;d/);
  const bar = progressHtml({ fraction: 0.5, label: "epoch 1/2", samplesPerSec: 812.4, etaSeconds: 125, lastLoss: 1.23456, losses: [2, 1.5, 1.2] });
  assert.match(bar, /50\.0%/);
  assert.match(bar, /812 samples\/s/);
  assert.match(bar, /ETA 2 min 5 s/);
  assert.match(bar, /loss 1\.2346/);
  assert.match(bar, /<polyline/);
  assert.match(sparklineSvg([1]), /last 1/);
});
