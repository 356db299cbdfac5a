/**
 * Figure specs for §8's language model on Tang poetry: the corpus's rank–frequency curve, the
 * training and validation loss against the counting baselines, validation loss against model
 * size or compute, and a run's N, D and C beside a published model's. Specs only; the notebook
 * layer displays them.
 */
import { type Figure, type Trace } from "../core/figure";
import type { LossLogEntry } from "../training/train";

/** A horizontal reference line: a baseline model's loss. */
export interface LossBaseline {
  name: string;
  loss: number;
}

function baselineTrace(b: LossBaseline, x0: number, x1: number, dash: string): Trace {
  return { type: "scatter", mode: "lines", name: b.name, x: [x0, x1], y: [b.loss, b.loss], line: { dash } };
}

/** Occurrences of each distinct token against its frequency rank, on log–log axes (Zipf's law; article §2.1). */
export function rankFrequencyFigure(counts: readonly number[], opts: { title?: string; name?: string } = {}): Figure {
  const sorted = [...counts].sort((a, b) => b - a);
  if (sorted.length === 0 || sorted.some((n) => !(n > 0))) throw new Error("rankFrequencyFigure: counts must be a non-empty list of positive numbers");
  return {
    data: [{ type: "scatter", mode: "lines", name: opts.name ?? "characters", x: sorted.map((_, i) => i + 1), y: sorted }],
    layout: {
      title: { text: opts.title ?? "Rank–frequency of characters (log–log)" },
      xaxis: { type: "log", title: { text: "rank" } },
      yaxis: { type: "log", title: { text: "occurrences" } },
    },
  };
}

/** What {@link languageModelLossFigure} reads of a training history (train-lm.ts's LmTrainHistory). */
export interface LmLossHistory {
  losses: readonly LossLogEntry[];
  batchesPerEpoch: number;
  steps: number;
  validation: readonly { step: number; loss: number }[];
}

/**
 * The logged training loss and the validation loss against optimiser steps, with each baseline's
 * validation loss as a line across the run (article §8).
 */
export function languageModelLossFigure(history: LmLossHistory, baselines: readonly LossBaseline[], opts: { title?: string } = {}): Figure {
  const dashes = ["dot", "dash", "dashdot", "longdash"];
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers",
        name: "mean loss",
        x: history.losses.map((l) => (l.epoch - 1) * history.batchesPerEpoch + l.batch),
        y: history.losses.map((l) => l.meanLoss),
      },
      { type: "scatter", mode: "lines+markers", name: "validation loss", x: history.validation.map((v) => v.step), y: history.validation.map((v) => v.loss) },
      ...baselines.map((b, i) => baselineTrace({ name: `${b.name} (validation)`, loss: b.loss }, 0, history.steps, dashes[i % dashes.length])),
    ],
    layout: {
      title: { text: opts.title ?? "Training and validation loss" },
      xaxis: { title: { text: "optimiser steps" }, automargin: true },
      yaxis: { title: { text: "mean cross-entropy loss" }, automargin: true },
    },
  };
}

/** One trained size of a scale study: its label, its x (parameters or FLOPs) and its validation loss. */
export interface ScalePoint {
  name: string;
  x: number;
  valLoss: number;
}

/**
 * Validation loss against model size or training compute on a log x axis, with a baseline's loss and,
 * when given, a fitted power law L = a·x^b drawn across the points (article §8, §9.1).
 */
export function scaleLossFigure(
  points: readonly ScalePoint[],
  baseline: LossBaseline,
  opts: { xTitle: string; title: string; fit?: { a: number; b: number } },
): Figure {
  if (points.length === 0) throw new Error("scaleLossFigure: points is empty; expected one point per model size");
  const xs = points.map((p) => p.x);
  const fitTrace = (fit: { a: number; b: number }): Trace => {
    const lo = Math.log(Math.min(...xs));
    const hi = Math.log(Math.max(...xs));
    const fx = Array.from({ length: 20 }, (_, i) => Math.exp(lo + ((hi - lo) * i) / 19));
    return {
      type: "scatter",
      mode: "lines",
      name: `fit: ${fit.a.toPrecision(3)}·x^${fit.b.toFixed(3)}`,
      x: fx,
      y: fx.map((x) => fit.a * x ** fit.b),
      line: { dash: "dot" },
    };
  };
  return {
    data: [
      {
        type: "scatter",
        mode: "lines+markers+text",
        name: "Transformer",
        x: xs,
        y: points.map((p) => p.valLoss),
        text: points.map((p) => p.name),
        textposition: "top center",
      },
      baselineTrace(baseline, Math.min(...xs), Math.max(...xs), "dash"),
      ...(opts.fit ? [fitTrace(opts.fit)] : []),
    ],
    layout: { title: { text: opts.title }, xaxis: { type: "log", title: { text: opts.xTitle } }, yaxis: { title: { text: "validation loss (nats/token)" } } },
  };
}

/** A training run's size: parameters N, training tokens D and compute C ≈ 6·N·D. */
export interface RunScale {
  name: string;
  params: number;
  tokens: number;
  flops: number;
}

/** Two runs' N, D and C side by side as grouped bars on a log axis (article §8, §10). */
export function runScaleComparisonFigure(runs: readonly RunScale[], opts: { title?: string } = {}): Figure {
  const categories = ["parameters N", "training tokens D", "compute C (FLOPs)"];
  return {
    data: runs.map((r) => ({ type: "bar", name: r.name, x: categories, y: [r.params, r.tokens, r.flops] })),
    layout: {
      title: { text: opts.title ?? "Runs side by side (log scale)" },
      barmode: "group",
      yaxis: { type: "log", title: { text: "count (log scale)" }, exponentformat: "power" },
    },
  };
}
