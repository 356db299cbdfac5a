/**
 * Plot specs (plotly.js figures) and their HTML. Library code builds `Figure` objects and never
 * displays them; `showFigure` in display.ts is the one place that puts a figure in a notebook.
 * The HTML embeds plotly.js from the npm package (no CDN), so a report opened from disk without
 * network still draws every chart.
 */
import * as fs from "fs";
import * as path from "path";

/** A plotly trace; the fields plotly documents (x, y, z, type, mode, name, marker, ...). */
export type Trace = { type?: string; [key: string]: unknown };
export type Layout = { [key: string]: unknown };
export interface Figure {
  data: Trace[];
  layout?: Layout;
}

const KNOWN_TRACE_TYPES = new Set([
  "scatter", "scattergl", "bar", "heatmap", "histogram", "box", "violin", "contour", "surface",
  "pie", "image", "table", "histogram2d", "histogram2dcontour", "scatter3d", "funnel", "waterfall",
]);

/**
 * Checks what plotly would otherwise reject silently (drawing an empty box): unknown trace
 * types, x/y of different lengths, non-numeric values where numbers are needed.
 */
export function validateFigure(fig: Figure): void {
  if (!fig || !Array.isArray(fig.data)) throw new Error("figure: expected { data: Trace[], layout? }");
  fig.data.forEach((t, i) => {
    const type = t.type ?? "scatter";
    if (!KNOWN_TRACE_TYPES.has(type)) {
      throw new Error(`figure trace ${i}: unknown type "${type}"; expected one of ${[...KNOWN_TRACE_TYPES].join(", ")}`);
    }
    const x = t.x as ArrayLike<unknown> | undefined;
    const y = t.y as ArrayLike<unknown> | undefined;
    if (x !== undefined && y !== undefined && type !== "heatmap" && type !== "contour" && x.length !== y.length) {
      throw new Error(`figure trace ${i} (${String(t.name ?? type)}): x has ${x.length} values but y has ${y.length}`);
    }
    for (const key of ["x", "y", "z"] as const) {
      const v = t[key];
      if (v !== undefined && !(Array.isArray(v) || ArrayBuffer.isView(v))) {
        throw new Error(`figure trace ${i}: ${key} must be an array, got ${typeof v}`);
      }
    }
  });
}

let bundleCache: string | null = null;

/** The minified plotly.js bundle from node_modules, read once. */
export function plotlyBundle(): string {
  if (bundleCache === null) {
    const file = require.resolve("plotly.js-dist-min");
    bundleCache = fs.readFileSync(file, "utf8");
  }
  return bundleCache;
}

export function plotlyVersion(): string {
  const pkg = path.join(path.dirname(require.resolve("plotly.js-dist-min")), "package.json");
  return (JSON.parse(fs.readFileSync(pkg, "utf8")) as { version: string }).version;
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

/** A line chart of one or more series (e.g. loss curves). */
export function lineChart(
  series: { name: string; x: ArrayLike<number>; y: ArrayLike<number> }[],
  opts: { title?: string; xTitle?: string; yTitle?: string; logY?: boolean } = {},
): Figure {
  return {
    data: series.map((s) => ({ type: "scatter", mode: "lines+markers", name: s.name, x: Array.from(s.x), y: Array.from(s.y) })),
    layout: {
      title: { text: opts.title ?? "" },
      xaxis: { title: { text: opts.xTitle ?? "" }, automargin: true },
      yaxis: { title: { text: opts.yTitle ?? "" }, type: opts.logY ? "log" : "linear", automargin: true },
    },
  };
}

/** A bar chart of labelled values (e.g. per-class accuracy). */
export function barChart(
  labels: string[],
  values: ArrayLike<number>,
  opts: { title?: string; yTitle?: string; name?: string } = {},
): Figure {
  if (labels.length !== values.length) throw new Error(`barChart: ${labels.length} labels but ${values.length} values`);
  return {
    data: [{ type: "bar", x: labels, y: Array.from(values), name: opts.name ?? "" }],
    layout: { title: { text: opts.title ?? "" }, xaxis: { automargin: true }, yaxis: { title: { text: opts.yTitle ?? "" }, automargin: true } },
  };
}

/** A heatmap of a matrix with labelled rows and columns (e.g. a confusion matrix). */
export function heatmap(
  z: number[][],
  opts: { x?: string[]; y?: string[]; title?: string; xTitle?: string; yTitle?: string; colorscale?: string; showValues?: boolean } = {},
): Figure {
  return {
    data: [{
      type: "heatmap", z, x: opts.x, y: opts.y,
      // plotly's "Blues" runs dark → light; reversed, larger counts are darker, as readers expect.
      colorscale: opts.colorscale ?? "Blues", reversescale: opts.colorscale === undefined,
      texttemplate: opts.showValues === false ? "" : "%{z}", hoverongaps: false,
    }],
    layout: {
      title: { text: opts.title ?? "" },
      xaxis: { title: { text: opts.xTitle ?? "" }, automargin: true },
      yaxis: { title: { text: opts.yTitle ?? "" }, autorange: "reversed", automargin: true },
    },
  };
}
