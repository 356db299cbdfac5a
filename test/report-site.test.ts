import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { lineChart } from "../src/core/figure";
import { figureHtml } from "../src/notebook/plot";
import { ASSETS_DIR, siteIndexPage, sitePage, writeReportSite } from "../src/runner/report-site";
import { SECTION_TEXT_LIMIT, htmlToText, pageSections, searchIndexScript } from "../src/runner/site-search";

/** A page shaped like nbconvert's lab template: MathJax 2 block in the head, a figure with plotly.js inline. */
function nbconvertPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8" /><title>${title}</title>
<script src="file:///usr/share/javascript/requirejs/require.min.js"></script>
<!-- Load mathjax -->
    <script src="file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"> </script>
    <script type="text/x-mathjax-config">MathJax.Hub.Config({});</script>
    <!-- End of mathjax configuration --></head>
<body class="jp-Notebook" data-jp-theme-light="true">
${body}
</body></html>`;
}

const figure = (): string => figureHtml(lineChart([{ name: "a", x: [1, 2], y: [3, 4] }]), { includePlotly: true });
const page = (): string =>
  nbconvertPage(
    "Fixture",
    `<h1 id="Fixture">Fixture<a class="anchor-link" href="#Fixture">&#182;</a></h1>
<p>The softmax $z$ &amp; more</p><div class="jp-InputPrompt jp-InputArea-prompt">In&nbsp;[1]:</div>
<pre><span class="kd">const</span><span class="w"> </span><span class="nx">xs</span></pre>
${figure()}
<h2 id="Second-part">Second part</h2><p>zebra crossing</p>`,
  );

test("shared pages: the inline plotly.js of src/notebook/plot.ts and nbconvert's MathJax 2 become links to assets/", () => {
  const html = page();
  assert.match(html, /plotly\.js v\d/, "the fixture carries the bundle as a notebook output does");
  const shared = sitePage(html, { name: "fixture" }, { selfContained: false });
  assert.doesNotMatch(shared, /plotly\.js v\d/, "no copy of plotly.js left in the page");
  assert.ok(shared.length < 20_000, `page is ${shared.length} bytes`);
  assert.doesNotMatch(shared, /MathJax\.js|x-mathjax-config/);
  const head = shared.slice(0, shared.indexOf("</head>"));
  for (const asset of ["plotly.js", "mathjax-config.js", "mathjax/tex-svg-full.js", "site.js", "search-index.js"]) {
    assert.ok(head.includes(`src="${ASSETS_DIR}/${asset}"`), `head loads ${asset}`);
  }
  assert.ok(head.indexOf("plotly.js") < head.indexOf("site.js"), "plotly is loaded before anything else of the site");
  assert.match(shared, /<body[^>]*><!-- runbook-site --><header class="runbook-toolbar/);
  assert.match(shared, /<a id="runbook-download" href="fixture\.ipynb" download>/);
  assert.match(shared, /id="runbook-code-toggle"/);
  assert.match(shared, /class="runbook-figure"/, "the figure itself stays");
});

test("self-contained pages inline plotly.js, MathJax and the site's script; no assets/ link", () => {
  const single = sitePage(page(), { name: "fixture" }, { selfContained: true }, searchIndexScript([]));
  assert.doesNotMatch(single, /src="assets\/|href="assets\//);
  assert.equal((single.match(/plotly\.js v\d/g) ?? []).length, 1, "one inline plotly.js");
  assert.match(single, /<script data-runbook-asset="mathjax">\n/);
  assert.ok(single.length > 5_000_000, "plotly.js and MathJax are inside");
  assert.doesNotMatch(single.replace(/<\/script>/g, ""), /<\/script/i, "no early </script> in inlined code");
});

test("rewriting is idempotent and converts between the two modes", () => {
  const original = page();
  const shared = sitePage(original, { name: "fixture" }, { selfContained: false });
  const single = sitePage(original, { name: "fixture" }, { selfContained: true });
  assert.equal(sitePage(shared, { name: "fixture" }, { selfContained: false }), shared);
  assert.equal(sitePage(single, { name: "fixture" }, { selfContained: false }), shared);
  assert.equal(sitePage(shared, { name: "fixture" }, { selfContained: true }), single);
  // A page without figures or formulas loads neither plotly nor MathJax.
  const plain = sitePage(`<html><head><title>i</title></head><body><p>x</p></body></html>`, { name: null }, { selfContained: false });
  assert.doesNotMatch(plain, /plotly|mathjax/);
  assert.doesNotMatch(plain, /runbook-download|runbook-code-toggle/, "the index has no notebook and no code");
});

test("search sections: one per heading, visible text only, anchors as nbconvert wrote them", () => {
  const sections = pageSections("fixture", page());
  assert.deepEqual(
    sections.map((s) => [s.anchor, s.heading]),
    [
      ["Fixture", "Fixture"],
      ["Second-part", "Second part"],
    ],
  );
  assert.equal(sections[0].pageTitle, "Fixture");
  assert.match(sections[0].text, /^The softmax \$z\$ & more const xs/, "entities decoded, prompts dropped, highlighted code joined");
  assert.doesNotMatch(sections[0].text, /Plotly|newPlot|In \[1\]/, "scripts are not text");
  assert.equal(sections[1].text, "zebra crossing");
  assert.equal(htmlToText("<p>a&#x4E2D;&lt;b&gt;</p><style>p{}</style>"), "a中<b>");
  const long = pageSections("p", `<body><h2 id="x">x</h2><p>${"word ".repeat(5000)}</p></body>`);
  assert.equal(long[0].text.length, SECTION_TEXT_LIMIT);
  const script = searchIndexScript([{ page: "p", pageTitle: "t", anchor: "a", heading: "h", text: "</script><b>" }]);
  assert.doesNotMatch(script, /<\//);
  const window: { runbookSearchIndex?: unknown } = {};
  new Function("window", script)(window);
  assert.deepEqual(window.runbookSearchIndex, [{ page: "p", pageTitle: "t", anchor: "a", heading: "h", text: "</script><b>" }]);
});

test("writeReportSite writes assets/ once for all pages and indexes every page", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-site-"));
  try {
    fs.writeFileSync(path.join(dir, "a.html"), page());
    fs.writeFileSync(path.join(dir, "b.html"), nbconvertPage("B", `<h2 id="Bees">Bees</h2><p>honey</p>`));
    const entries = writeReportSite(dir, ["a", "b", "missing"], { selfContained: false });
    assert.deepEqual([...new Set(entries.map((e) => e.page))], ["a", "b"]);
    const plotly = fs.readFileSync(path.join(dir, ASSETS_DIR, "plotly.js"), "utf8");
    assert.match(plotly, /^\(function\(\)\{var define=undefined/, "defines window.Plotly even beside require.js");
    assert.ok(fs.statSync(path.join(dir, ASSETS_DIR, "mathjax", "tex-svg-full.js")).size > 1_000_000);
    assert.match(fs.readFileSync(path.join(dir, ASSETS_DIR, "search-index.js"), "utf8"), /"heading":"Bees"/);
    assert.ok(fs.statSync(path.join(dir, "a.html")).size < 20_000);
    const index = siteIndexPage("<html><head></head><body><h1>Runbook report</h1></body></html>", dir, { selfContained: false });
    assert.match(index, /src="assets\/search-index\.js"/);
    // Self-contained: no assets/ folder; the index page inlines the pages' search index.
    writeReportSite(dir, ["a", "b"], { selfContained: true });
    assert.ok(!fs.existsSync(path.join(dir, ASSETS_DIR)));
    assert.match(siteIndexPage("<html><head></head><body></body></html>", dir, { selfContained: true }), /"heading":"Bees"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
