/**
 * Plotly figure specs for daily financial series (article §6): lines and markers on a date axis,
 * optionally in two stacked panels, and grouped bars. Returns specs; `showFigure` displays them.
 */
import type { Figure, Trace } from "../../core/figure";

/** One series on a date axis. */
export interface DatedSeries {
  name: string;
  /** ISO dates, one per value. */
  dates: readonly string[];
  /** Values; NaN leaves a gap. */
  values: ArrayLike<number>;
  mode?: "lines" | "markers" | "lines+markers";
  color?: string;
  /** Line width (lines) or marker size (markers). */
  width?: number;
  dash?: "solid" | "dot" | "dash";
  /** "lower" puts the series in the lower panel of a two-panel figure. */
  panel?: "upper" | "lower";
  /** Fill the area to the previous trace (a band). */
  fillToPrevious?: boolean;
  /** Hover text per point. */
  text?: readonly string[];
}

/** Rounds to 5 significant digits: the figures carry thousands of points, and plots need no more. */
function compact(values: ArrayLike<number>): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? +v.toPrecision(5) : null));
}

/** Ticks at 1, 2 and 5 of each decade the series span, written out in full (plotly's own log ticks label minor ones by their first digit). */
function logTicks(series: DatedSeries[]): { tickvals: number[]; ticktext: string[] } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (v > 0 && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  const tickvals: number[] = [];
  if (lo <= hi) {
    for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
      for (const m of [1, 2, 5]) {
        const v = +(m * 10 ** k).toPrecision(3);
        if (v >= lo / 2 && v <= hi * 2) tickvals.push(v);
      }
    }
  }
  return { tickvals, ticktext: tickvals.map((v) => v.toLocaleString("en-US", { maximumSignificantDigits: 3 })) };
}

/**
 * A date-axis figure of lines and markers; with `lowerTitle`, two stacked panels sharing the date
 * axis (series with panel "lower" go below) (article §6).
 */
export function timeSeriesFigure(
  series: DatedSeries[],
  opts: { title?: string; yTitle?: string; lowerTitle?: string; logY?: boolean; height?: number } = {},
): Figure {
  const twoPanels = opts.lowerTitle !== undefined;
  const data: Trace[] = series.map((s) => {
    if (s.dates.length !== s.values.length) throw new Error(`timeSeriesFigure: series "${s.name}" has ${s.dates.length} dates but ${s.values.length} values`);
    const mode = s.mode ?? "lines";
    const trace: Trace = { type: "scatter", mode, name: s.name, x: [...s.dates], y: compact(s.values) };
    if (mode === "markers") trace.marker = { color: s.color, size: s.width ?? 6 };
    else trace.line = { color: s.color, width: s.width ?? 1.5, dash: s.dash ?? "solid" };
    if (s.fillToPrevious) {
      trace.fill = "tonexty";
      trace.fillcolor = "rgba(31,119,180,0.15)";
    }
    if (s.text) trace.text = [...s.text];
    if (twoPanels && s.panel === "lower") trace.yaxis = "y2";
    return trace;
  });
  const layout: Record<string, unknown> = {
    title: { text: opts.title ?? "" },
    xaxis: { type: "date", automargin: true, ...(twoPanels ? { anchor: "y2" } : {}) },
    yaxis: {
      title: { text: opts.yTitle ?? "" },
      type: opts.logY ? "log" : "linear",
      ...(opts.logY ? logTicks(series.filter((s) => s.panel !== "lower")) : {}),
      automargin: true,
      ...(twoPanels ? { domain: [0.45, 1] } : {}),
    },
    legend: { orientation: "h", y: -0.12 },
    hovermode: "closest",
  };
  if (opts.height) layout.height = opts.height;
  if (twoPanels) layout.yaxis2 = { title: { text: opts.lowerTitle }, domain: [0, 0.38], anchor: "x", automargin: true };
  return { data, layout };
}

/** Bars of several series side by side per category (e.g. error by year per model) (article §6). */
export function groupedBarFigure(
  categories: readonly string[],
  series: { name: string; values: ArrayLike<number> }[],
  opts: { title?: string; xTitle?: string; yTitle?: string } = {},
): Figure {
  return {
    data: series.map((s) => {
      if (s.values.length !== categories.length)
        throw new Error(`groupedBarFigure: series "${s.name}" has ${s.values.length} values for ${categories.length} categories`);
      return { type: "bar", name: s.name, x: [...categories], y: compact(s.values) };
    }),
    layout: {
      title: { text: opts.title ?? "" },
      barmode: "group",
      xaxis: { type: "category", automargin: true, ...(opts.xTitle ? { title: { text: opts.xTitle } } : {}) },
      yaxis: { title: { text: opts.yTitle ?? "" }, automargin: true },
      legend: { orientation: "h", y: opts.xTitle ? -0.3 : -0.15 },
    },
  };
}
