import { test } from "node:test";
import * as assert from "node:assert/strict";
import { type RunSummary, renderIndexHtml, renderJunitXml } from "../src/runner/report-index";

function summary(): RunSummary {
  return {
    complete: true,
    startedAt: "2026-01-01T00:00:00.000Z",
    seconds: 12.5,
    profile: "quick",
    overrides: { lr: "0.1" },
    shard: null,
    environment: { node: "v20" },
    passed: 1,
    failed: 1,
    notebooks: [
      {
        path: "notebooks/00-overview.ipynb",
        name: "00-overview",
        title: "0. Overview",
        status: "passed",
        seconds: 3,
        failedCell: null,
        message: null,
        parameters: {},
        facts: { backend: "wasm", "test accuracy": 0.87654 },
        pageBytes: 5 * 2 ** 20,
        cache: { key: "ab".repeat(32), executedAt: "2025-12-31T10:20:30.000Z", fromCache: true },
        cells: [{ cell: 1, label: "cell 2", source: "const x = <1>;", start: null, end: null, seconds: 2.5, status: "passed" }],
        checks: [{ kind: "check", id: "§4.1.1 MLP", articleSays: "[8, 11, 14]", computed: "[6, 12, 18]", ok: false, reason: "W·x + b" }],
      },
      {
        path: "notebooks/05-cnn.ipynb",
        name: "05-cnn",
        title: "5. <CNN>",
        status: "failed",
        seconds: 9,
        failedCell: 3,
        failedCellLabel: "cell 4",
        failedCellSource: "train()",
        message: "Error: boom <&>\u001b[31m",
        parameters: {},
        facts: {},
        checks: [],
        cells: [
          { cell: 1, label: "cell 2", source: "load()", start: null, end: null, seconds: 0.5, status: "passed" },
          { cell: 3, label: "cell 4", source: "train()", start: null, end: null, seconds: 7.25, status: "failed" },
          { cell: 4, label: "cell 5", source: "plot()", start: null, end: null, seconds: null, status: "not run" },
        ],
        headlines: [
          {
            scenario: "spam <filter>",
            metric: "test F1",
            model: "MLP",
            modelValue: 0.97,
            baseline: "majority",
            baselineValue: 0,
            higherIsBetter: true,
            margin: 0.2,
          },
        ],
      },
    ],
  };
}

test("index.html lists sections with status, backend, figures, claims, and marks failures with the error", () => {
  const html = renderIndexHtml(summary());
  assert.match(html, /1 of 2 notebooks FAILED/);
  assert.match(html, /href="00-overview\.html"/);
  assert.match(html, /page 5\.0 MB/);
  assert.match(html, /test accuracy: <b>0\.8765<\/b>/);
  assert.match(html, /<td>wasm<\/td>/);
  assert.match(html, /✗ failed/);
  assert.match(html, /5\. &lt;CNN&gt;/, "titles are escaped");
  assert.match(html, /Error: boom &lt;&amp;&gt;/);
  assert.match(html, /§4\.1\.1 MLP.*\[8, 11, 14\].*\[6, 12, 18\].*✗/s);
  assert.ok(html.indexOf("00-overview") < html.indexOf("05-cnn"), "article order is kept");
});

test("junit.xml has a suite per notebook, a case per code cell and one for the notebook; failures point at the cell", () => {
  const xml = renderJunitXml(summary());
  assert.match(xml, /<testsuites name="runbook \(quick profile\)" tests="6" failures="2" errors="0" skipped="1"/);
  assert.match(xml, /<testsuite name="notebooks\/00-overview.ipynb" tests="2" failures="0" errors="0" skipped="0" time="3.00">/);
  assert.match(xml, /<testcase classname="notebooks\/00-overview.ipynb" name="cell 2: const x = &lt;1&gt;;" time="2.50"\/>/);
  assert.match(
    xml,
    /<testcase classname="notebooks\/05-cnn.ipynb" name="cell 4: train\(\)" time="7.25">\n\s+<failure type="failed" message="Error: boom &lt;&amp;&gt;\[31m">/,
  );
  assert.match(xml, /name="cell 5: plot\(\)" time="0.00">\n\s+<skipped message="not run: an earlier cell stopped the notebook"\/>/);
  assert.match(
    xml,
    /<testcase classname="notebooks\/05-cnn.ipynb" name="notebook" time="9.00">\n\s+<failure type="failed" message="failed at cell 4: Error: boom &lt;&amp;&gt;\[31m">/,
  );
  assert.doesNotMatch(xml, /\u001b/);
});

test("index.html lists the slowest cells, slowest first, and says which pages came from the cache", () => {
  const html = renderIndexHtml(summary());
  assert.match(html, /<h2>Slowest cells<\/h2>/);
  const slow = html.slice(html.indexOf("<h2>Slowest cells</h2>"));
  assert.ok(slow.indexOf("train()") < slow.indexOf("const x = &lt;1&gt;;") && slow.indexOf("const x") < slow.indexOf("load()"), "ordered by time");
  assert.doesNotMatch(slow.slice(0, slow.indexOf("</table>")), /plot\(\)/, "a cell that did not run has no time");
  assert.match(html, /from the cache, executed 2025-12-31 10:20 UTC/);
  assert.match(html, /; 1 of 2 pages from the cache\./);
});

test("index.html has a scenario table with each headline metric, model vs baseline and the asserted margin", () => {
  const html = renderIndexHtml(summary());
  assert.match(html, /Application scenarios: model vs baseline/);
  assert.match(
    html,
    /spam &lt;filter&gt;<\/a><\/td><td>test F1 \(higher is better\)<\/td><td>MLP: <b>0\.9700<\/b><\/td><td>majority: 0<\/td><td>0\.2000<\/td>/,
  );
  const none = summary();
  for (const nb of none.notebooks) delete nb.headlines;
  assert.doesNotMatch(renderIndexHtml(none), /Application scenarios/, "no empty scenario table");
});
