/**
 * Figures as data: plotly.js figure specs, their validation and the runbook's chart builders.
 * Library code at every layer builds `Figure` objects and never displays them; rendering to HTML
 * is the notebook layer's job (notebook/plot.ts, notebook/display.ts).
 */

/** A plotly trace; the fields plotly documents (x, y, z, type, mode, name, marker, ...). */
export type Trace = { type?: string; [key: string]: unknown };
export type Layout = { [key: string]: unknown };
export interface Figure {
  data: Trace[];
  layout?: Layout;
}

const KNOWN_TRACE_TYPES = new Set([
  "scatter",
  "scattergl",
  "bar",
  "heatmap",
  "histogram",
  "box",
  "violin",
  "contour",
  "surface",
  "pie",
  "image",
  "table",
  "histogram2d",
  "histogram2dcontour",
  "scatter3d",
  "funnel",
  "waterfall",
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
export function barChart(labels: string[], values: ArrayLike<number>, opts: { title?: string; yTitle?: string; name?: string } = {}): Figure {
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
    data: [
      {
        type: "heatmap",
        z,
        x: opts.x,
        y: opts.y,
        // plotly's "Blues" runs dark → light; reversed, larger counts are darker, as readers expect.
        colorscale: opts.colorscale ?? "Blues",
        reversescale: opts.colorscale === undefined,
        texttemplate: opts.showValues === false ? "" : "%{z}",
        hoverongaps: false,
      },
    ],
    layout: {
      title: { text: opts.title ?? "" },
      xaxis: { title: { text: opts.xTitle ?? "" }, automargin: true },
      yaxis: { title: { text: opts.yTitle ?? "" }, autorange: "reversed", automargin: true },
    },
  };
}
