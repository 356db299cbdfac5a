/**
 * Plotly figure specs for §9.2's evaluation metrics: a labelled confusion matrix, ROC curves
 * with the chance diagonal, precision–recall curves with the no-skill line, and the article's
 * "accuracy vs error rate" next to the real ROC. Builds specs only; display.ts shows them.
 */
import type { PrecisionRecallCurve, RocCurve } from "./metrics";
import { type Figure, type Trace, heatmap } from "../core/figure";
import { requireInRange } from "../core/validate";

/** plotly's default colour cycle, so a series keeps its colour across panels. */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** Room for the axis titles below and left of the plot (figureHtml's default bottom margin clips them). */
const MARGIN = { t: 60, r: 20, b: 80, l: 80 };

function colour(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** One ROC curve to draw; `auc` (if given) is shown in the legend. */
export interface RocSeries {
  name: string;
  roc: RocCurve;
  auc?: number;
}

/** One precision–recall curve to draw; `ap` (average precision, if given) is shown in the legend. */
export interface PrSeries {
  name: string;
  pr: PrecisionRecallCurve;
  ap?: number;
}

function checkSquare(fn: string, cm: number[][]): void {
  const k = cm.length;
  if (k === 0) throw new Error(`${fn}: cm is empty; expected a k×k matrix of counts`);
  cm.forEach((row, i) => {
    if (row.length !== k) throw new Error(`${fn}: cm row ${i} has ${row.length} entries; expected ${k} (a square matrix)`);
  });
}

/**
 * A confusion matrix heatmap (rows: true class, columns: predicted) whose cells show the count,
 * and a name above it when `cellNames` is given, e.g. [["TN", "FP"], ["FN", "TP"]] (article §9.2).
 */
export function confusionMatrixFigure(
  cm: number[][],
  classNames: readonly string[],
  opts: { title?: string; cellNames?: readonly (readonly string[])[] } = {},
): Figure {
  checkSquare("confusionMatrixFigure", cm);
  const k = cm.length;
  if (classNames.length !== k) {
    throw new Error(`confusionMatrixFigure: classNames has ${classNames.length} names; expected ${k}, one per row of cm`);
  }
  const names = opts.cellNames;
  if (names !== undefined && (names.length !== k || names.some((r) => r.length !== k))) {
    throw new Error(`confusionMatrixFigure: cellNames must be ${k}×${k} like cm`);
  }
  const fig = heatmap(cm, {
    x: classNames.map((c) => `${c}`),
    y: classNames.map((c) => `${c}`),
    title: opts.title ?? "Confusion matrix",
    xTitle: "predicted class",
    yTitle: "true class",
  });
  const text = cm.map((row, i) => row.map((v, j) => (names ? `${names[i][j]}<br>${v}` : String(v))));
  fig.data[0] = { ...fig.data[0], text, texttemplate: "%{text}", textfont: { size: k <= 3 ? 18 : 11 } };
  // automargin: long class names ("Ankle boot") and the axis titles get room instead of being clipped
  const layout = fig.layout ?? {};
  fig.layout = {
    ...layout,
    margin: MARGIN,
    xaxis: { ...(layout.xaxis as object), automargin: true },
    yaxis: { ...(layout.yaxis as object), automargin: true },
  };
  return fig;
}

// constrain "domain": a square plot shrinks its box instead of widening an axis beyond [0, 1]
const unitAxis = (title: string): Record<string, unknown> => ({
  title: { text: title },
  range: [-0.02, 1.02],
  zeroline: false,
  constrain: "domain",
  automargin: true,
});

/** ROC curves (true positive rate against false positive rate over all thresholds) with the chance diagonal (article §9.2). */
export function rocFigure(curves: readonly RocSeries[], opts: { title?: string } = {}): Figure {
  if (curves.length === 0) throw new Error("rocFigure: curves is empty; expected at least one ROC curve");
  const data: Trace[] = curves.map((c, i) => ({
    type: "scatter",
    mode: "lines",
    name: c.auc === undefined ? c.name : `${c.name} (AUC ${c.auc.toFixed(3)})`,
    x: [...c.roc.fpr],
    y: [...c.roc.tpr],
    line: { color: colour(i), width: 2.5 },
  }));
  data.push({ type: "scatter", mode: "lines", name: "chance (AUC 0.5)", x: [0, 1], y: [0, 1], line: { color: "#999", dash: "dash", width: 1.5 } });
  return {
    data,
    layout: {
      title: { text: opts.title ?? "ROC curve" },
      xaxis: unitAxis("false positive rate = FP / (FP + TN)"),
      yaxis: { ...unitAxis("true positive rate (recall) = TP / (TP + FN)"), scaleanchor: "x", scaleratio: 1 },
      legend: { x: 0.98, xanchor: "right", y: 0.04, yanchor: "bottom", bgcolor: "rgba(255,255,255,0.8)" },
      margin: MARGIN,
    },
  };
}

/**
 * Precision–recall curves drawn as steps (sklearn's PrecisionRecallDisplay), with the no-skill
 * line at the positive rate when `positiveRate` is given (article §9.2).
 */
export function precisionRecallFigure(curves: readonly PrSeries[], opts: { title?: string; positiveRate?: number } = {}): Figure {
  if (curves.length === 0) throw new Error("precisionRecallFigure: curves is empty; expected at least one curve");
  const data: Trace[] = curves.map((c, i) => ({
    type: "scatter",
    mode: "lines",
    name: c.ap === undefined ? c.name : `${c.name} (AP ${c.ap.toFixed(3)})`,
    x: [...c.pr.recall],
    y: [...c.pr.precision],
    // Points run from high recall to low; "hv" holds each precision until the next recall: steps-post.
    line: { color: colour(i), width: 2.5, shape: "hv" },
  }));
  if (opts.positiveRate !== undefined) {
    const r = opts.positiveRate;
    requireInRange("precisionRecallFigure", "positiveRate", r, 0, 1);
    data.push({
      type: "scatter",
      mode: "lines",
      name: `no skill (precision ${r.toFixed(3)})`,
      x: [0, 1],
      y: [r, r],
      line: { color: "#999", dash: "dash", width: 1.5 },
    });
  }
  return {
    data,
    layout: {
      title: { text: opts.title ?? "Precision–recall curve" },
      xaxis: unitAxis("recall = TP / (TP + FN)"),
      yaxis: unitAxis("precision = TP / (TP + FP)"),
      legend: { x: 0.02, xanchor: "left", y: 0.04, yanchor: "bottom", bgcolor: "rgba(255,255,255,0.8)" },
      margin: MARGIN,
    },
  };
}

/** One classifier for {@link articleRocVersusRocFigure}: its points at every threshold. */
export interface ThresholdSeries {
  name: string;
  /** Per threshold: accuracy and error rate (1 − accuracy), the article's axes. */
  accuracy: ArrayLike<number>;
  errorRate: ArrayLike<number>;
  /** Per threshold: the real ROC's axes. */
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
}

/**
 * Two panels over the same thresholds: left, the article's "ROC" (accuracy against error rate),
 * which always lies on the line x + y = 1; right, the real ROC (TPR against FPR) (article §9.2).
 */
export function articleRocVersusRocFigure(series: readonly ThresholdSeries[], opts: { title?: string } = {}): Figure {
  if (series.length === 0) throw new Error("articleRocVersusRocFigure: series is empty; expected at least one classifier");
  const data: Trace[] = [];
  // The series lie on one line and overlap: open markers of decreasing size keep each one visible.
  const symbols = ["circle-open", "x-thin-open", "square-open", "diamond-open", "triangle-up-open"];
  series.forEach((s, i) => {
    if (s.accuracy.length !== s.errorRate.length || s.fpr.length !== s.tpr.length) {
      throw new Error(
        `articleRocVersusRocFigure: series "${s.name}" has accuracy/errorRate of ${s.accuracy.length}/${s.errorRate.length} and fpr/tpr of ${s.fpr.length}/${s.tpr.length} values; expected equal pairs`,
      );
    }
    const style = { color: colour(i), width: 2 };
    data.push({
      type: "scatter",
      mode: "markers",
      name: s.name,
      legendgroup: s.name,
      x: Array.from(s.errorRate),
      y: Array.from(s.accuracy),
      xaxis: "x",
      yaxis: "y",
      marker: { size: Math.max(4, 10 - 2 * i), color: colour(i), symbol: symbols[i % symbols.length], line: { width: 1.5 } },
    });
    data.push({
      type: "scatter",
      mode: "lines",
      name: s.name,
      legendgroup: s.name,
      showlegend: false,
      x: Array.from(s.fpr),
      y: Array.from(s.tpr),
      line: style,
      xaxis: "x2",
      yaxis: "y2",
    });
  });
  data.push({
    type: "scatter",
    mode: "lines",
    name: "chance",
    x: [0, 1],
    y: [0, 1],
    line: { color: "#999", dash: "dash", width: 1.5 },
    xaxis: "x2",
    yaxis: "y2",
  });
  return {
    data,
    layout: {
      title: { text: opts.title ?? "The article's “ROC” (left) and the real one (right)" },
      xaxis: { ...unitAxis("error rate = 1 − accuracy"), domain: [0, 0.45] },
      yaxis: { ...unitAxis("accuracy"), anchor: "x" },
      xaxis2: { ...unitAxis("false positive rate"), domain: [0.55, 1], anchor: "y2" },
      yaxis2: { ...unitAxis("true positive rate"), anchor: "x2" },
      legend: { orientation: "h", y: -0.22 },
      margin: { ...MARGIN, b: 120 },
      annotations: [
        { text: "article: accuracy vs error rate", x: 0.225, xref: "paper", y: 1.0, yref: "paper", yanchor: "bottom", showarrow: false },
        { text: "ROC: TPR vs FPR", x: 0.775, xref: "paper", y: 1.0, yref: "paper", yanchor: "bottom", showarrow: false },
      ],
    },
  };
}

/**
 * Overlaid histograms of a binary classifier's scores, one per true class, with the decision
 * threshold as a dotted line (article §9.2: every metric starts from these scores).
 */
export function scoreHistogramFigure(
  yTrue: ArrayLike<number>,
  scores: ArrayLike<number>,
  opts: { classNames: readonly [string, string]; threshold?: number; title?: string; xTitle?: string; binSize?: number },
): Figure {
  if (yTrue.length !== scores.length)
    throw new Error(`scoreHistogramFigure: yTrue has ${yTrue.length} labels but scores has ${scores.length}; expected one score per label`);
  const s = Array.from(scores);
  const y = Array.from(yTrue);
  const shapes =
    opts.threshold === undefined
      ? []
      : [{ type: "line", x0: opts.threshold, x1: opts.threshold, yref: "paper", y0: 0, y1: 1, line: { dash: "dot", color: "#444" } }];
  return {
    data: [0, 1].map((c) => ({
      type: "histogram",
      name: opts.classNames[c],
      opacity: 0.65,
      x: s.filter((_, i) => y[i] === c),
      xbins: { start: 0, end: 1.0001, size: opts.binSize ?? 0.05 },
    })),
    layout: {
      barmode: "overlay",
      title: { text: opts.title ?? "Scores by true class" },
      xaxis: { title: { text: opts.xTitle ?? "score" }, range: [0, 1] },
      yaxis: { title: { text: "count" } },
      shapes,
      margin: MARGIN,
    },
  };
}

/** Grouped bars: for each metric a series over the same labelled cases, on a [0, 1] axis (article §9.2). */
export function metricBarsFigure(
  labels: readonly string[],
  metrics: readonly { name: string; values: readonly number[] }[],
  opts: { title?: string; yTitle?: string } = {},
): Figure {
  metrics.forEach((m) => {
    if (m.values.length !== labels.length)
      throw new Error(`metricBarsFigure: metric "${m.name}" has ${m.values.length} values; expected ${labels.length}, one per label`);
  });
  return {
    data: metrics.map((m) => ({ type: "bar", name: m.name, x: [...labels], y: [...m.values] })),
    layout: {
      barmode: "group",
      title: { text: opts.title ?? "" },
      yaxis: { title: { text: opts.yTitle ?? "score" }, range: [0, 1.05] },
      xaxis: { automargin: true },
      margin: MARGIN,
    },
  };
}

/** One operating point to mark on a curve: where it is and how it is drawn. */
export interface PointMark {
  name: string;
  x: number;
  y: number;
  /** A plotly marker symbol ("circle", "star", "diamond", ...). */
  symbol: string;
  color: string;
}

/** `fig` with a large outlined marker added for each point (e.g. thresholds on a ROC curve; article §9.2). */
export function withPointMarks(fig: Figure, marks: readonly PointMark[]): Figure {
  return {
    ...fig,
    data: [
      ...fig.data,
      ...marks.map((m) => ({
        type: "scatter",
        mode: "markers",
        name: m.name,
        x: [m.x],
        y: [m.y],
        marker: { size: 14, symbol: m.symbol, color: m.color, line: { color: "black", width: 1 } },
      })),
    ],
  };
}

/** `fig` zoomed to the given axis ranges, its title extended by `note` (and a square ROC freed from its aspect ratio). */
export function zoomedFigure(fig: Figure, xRange: readonly [number, number], yRange: readonly [number, number], note: string): Figure {
  const layout = fig.layout ?? {};
  const title = (layout.title as { text?: string } | undefined)?.text ?? "";
  return {
    ...fig,
    layout: {
      ...layout,
      title: { text: `${title} (${note})` },
      xaxis: { ...(layout.xaxis as object), range: [...xRange] },
      yaxis: { ...(layout.yaxis as object), range: [...yRange], scaleanchor: undefined },
    },
  };
}

/**
 * Box plots of one metric over repeated runs (all points shown), one box per group, with a dashed
 * horizontal line at `target` when given (article §9.2: one split is a noisy measurement).
 */
export function metricBoxFigure(
  groups: readonly { name: string; values: readonly number[]; color?: string }[],
  opts: { title?: string; yTitle?: string; yRange?: readonly [number, number]; target?: number } = {},
): Figure {
  if (groups.length === 0) throw new Error("metricBoxFigure: groups is empty; expected at least one group of values");
  const shapes =
    opts.target === undefined ? [] : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: opts.target, y1: opts.target, line: { dash: "dash", color: "#999" } }];
  return {
    data: groups.map((g, i) => {
      const color = g.color ?? colour(i);
      return { type: "box", name: g.name, y: [...g.values], boxpoints: "all", jitter: 0.4, pointpos: 0, marker: { color }, line: { color } };
    }),
    layout: {
      title: { text: opts.title ?? "" },
      yaxis: { title: { text: opts.yTitle ?? "" }, ...(opts.yRange ? { range: [...opts.yRange] } : {}) },
      xaxis: { automargin: true },
      showlegend: false,
      shapes,
    },
  };
}
