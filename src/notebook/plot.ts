/**
 * Figures as HTML: plotly.js from the npm package (no CDN), so a report opened from disk without
 * network still draws every chart. `showFigure` in display.ts is the one place that puts a figure
 * in a notebook; figure specs and builders are in core/figure.ts.
 */
import * as fs from "fs";
import { type Figure, validateFigure } from "../core/figure";

let bundleCache: string | null = null;

/** The minified plotly.js bundle from node_modules, read once. */
export function plotlyBundle(): string {
  if (bundleCache === null) {
    const file = require.resolve("plotly.js-dist-min");
    bundleCache = fs.readFileSync(file, "utf8");
  }
  return bundleCache;
}

/**
 * plotly.js as an inline script that always defines `window.Plotly`: notebook pages may carry
 * require.js, and plotly's UMD wrapper would then register as an AMD module instead.
 */
export function plotlyScriptTag(): string {
  const src = plotlyBundle().replace(/<\/script/gi, "<\\/script");
  return `<script type="text/javascript">(function(){var define=undefined,module=undefined,exports=undefined;\n${src}\n}).call(window);</script>`;
}

function toPlain(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toPlain(v)]));
  }
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

let figureCounter = 0;

/**
 * A div plus the script that draws `fig` into it. If plotly fails (or is missing from the page),
 * the div shows the error instead of staying blank.
 */
export function figureHtml(fig: Figure, opts: { includePlotly?: boolean; height?: number } = {}): string {
  validateFigure(fig);
  const id = `runbook-fig-${process.pid}-${Date.now().toString(36)}-${figureCounter++}`;
  const layout = { height: opts.height ?? 420, margin: { t: 50, r: 20, b: 60, l: 70 }, ...(fig.layout ?? {}) };
  const spec = JSON.stringify({ data: toPlain(fig.data), layout: toPlain(layout) }).replace(/<\//g, "<\\/");
  const draw = `<div id="${id}" class="runbook-figure" style="width:100%;min-height:${layout.height}px"></div>
<script type="text/javascript">(function(){
  var el = document.getElementById(${JSON.stringify(id)}), spec = ${spec};
  function fail(msg){ el.setAttribute("data-plot-error", msg); el.innerHTML = '<pre style="color:#b00">figure not drawn: ' + String(msg).replace(/</g,"&lt;") + '</pre>'; }
  function draw(tries){
    if (!window.Plotly) { if (tries > 0) return setTimeout(function(){ draw(tries - 1); }, 100);
      return fail("plotly.js is not loaded on this page (rerun the notebook's first plot cell, or call showFigure(fig, { includePlotly: true }))"); }
    try { window.Plotly.newPlot(el, spec.data, spec.layout, {responsive: true, displaylogo: false}).catch(function(e){ fail(e && e.message || e); }); }
    catch (e) { fail(e && e.message || e); }
  }
  draw(50);
})();</script>`;
  return (opts.includePlotly ? plotlyScriptTag() : "") + draw;
}
