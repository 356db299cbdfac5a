/**
 * Figure specs of the §6 healthcare study: two features of the table coloured by diagnosis, and a
 * classifier's expected cost against its decision threshold. Specs only; the notebook layer
 * displays them.
 */
import { type Figure, type Trace } from "../../core/figure";
import type { OperatingPoint } from "../../evaluation/operating-points";
import { type ErrorCosts, expectedCost } from "./decision-cost";

/** One class of {@link classScatterFigure}: its label value, legend name and colour. */
export interface ScatterClass {
  label: number;
  name: string;
  color: string;
}

/** Rows of a table as points of two of its columns, one trace per class (article §6 healthcare). */
export function classScatterFigure(
  X: readonly (readonly number[])[],
  y: ArrayLike<number>,
  columns: { x: number; y: number; xName: string; yName: string },
  classes: readonly ScatterClass[],
  opts: { title?: string } = {},
): Figure {
  if (X.length !== y.length) throw new Error(`classScatterFigure: X has ${X.length} rows but y has ${y.length} labels; expected one label per row`);
  const width = X.length > 0 ? X[0].length : 0;
  for (const j of [columns.x, columns.y]) {
    if (!(Number.isInteger(j) && j >= 0 && j < width)) throw new Error(`classScatterFigure: column ${j} is outside 0..${width - 1}`);
  }
  const rowsOf = (label: number) => X.filter((_, i) => y[i] === label);
  return {
    data: classes.map((c) => ({
      type: "scatter",
      mode: "markers",
      name: c.name,
      x: rowsOf(c.label).map((r) => r[columns.x]),
      y: rowsOf(c.label).map((r) => r[columns.y]),
      marker: { size: 5, opacity: 0.6, color: c.color },
    })),
    layout: {
      title: { text: opts.title ?? `${columns.xName} vs ${columns.yName}` },
      xaxis: { title: { text: columns.xName } },
      yaxis: { title: { text: columns.yName } },
    },
  };
}

/** A curve of {@link thresholdCostFigure}: a split's operating points (from operatingPoints). */
export interface CostCurve {
  name: string;
  points: readonly OperatingPoint[];
  color: string;
}

/** A threshold to mark on the cost curves, at the cost it has on the split it was scored on. */
export interface CostMark {
  name: string;
  threshold: number;
  cost: number;
  symbol: string;
}

/**
 * Expected cost per 100 cases against the threshold (log x axis, steps between the operating
 * points), with marked thresholds and a reference policy's cost as a dashed line; the y axis is
 * clipped at twice the reference (article §6 healthcare).
 */
export function thresholdCostFigure(
  curves: readonly CostCurve[],
  costs: ErrorCosts,
  opts: { marks?: readonly CostMark[]; markColor?: string; reference: { name: string; cost: number }; title?: string },
): Figure {
  const curveTraces: Trace[] = curves.map((c) => {
    const pts = c.points.filter((p) => Number.isFinite(p.threshold)); // the +∞ threshold flags nothing and has no place on a log axis
    return {
      type: "scatter",
      mode: "lines",
      name: c.name,
      line: { shape: "hv", color: c.color, width: 2 },
      x: pts.map((p) => p.threshold),
      y: pts.map((p) => expectedCost(p, costs)),
    };
  });
  const markTraces: Trace[] = (opts.marks ?? []).map((m) => ({
    type: "scatter",
    mode: "markers",
    name: m.name,
    x: [m.threshold],
    y: [m.cost],
    marker: { size: 13, symbol: m.symbol, color: opts.markColor ?? "#d62728", line: { color: "black", width: 1 } },
  }));
  const ref = opts.reference;
  return {
    data: [
      ...curveTraces,
      { type: "scatter", mode: "lines", name: ref.name, x: [1e-6, 1], y: [ref.cost, ref.cost], line: { dash: "dash", color: "#999" } },
      ...markTraces,
    ],
    layout: {
      title: { text: opts.title ?? "Expected cost per 100 cases against the threshold" },
      xaxis: { title: { text: "threshold on the score (log scale)" }, type: "log", automargin: true },
      yaxis: { title: { text: "expected cost per 100 cases (clipped)" }, automargin: true, range: [0, 2 * ref.cost] },
      legend: { x: 0.01, y: 0.99, bgcolor: "rgba(255,255,255,0.8)" },
    },
  };
}
