/** Figure specs of a training run logged once per epoch (article §3.3): one tick per epoch. Specs only. */
import { type Figure, lineChart } from "../core/figure";

/**
 * Per-epoch curves (e.g. training loss, or test accuracy against chance) with one x tick per
 * epoch; `yRange` fixes the y axis (e.g. [0, 1] for an accuracy).
 */
export function epochCurvesFigure(
  epochs: readonly number[],
  series: readonly { name: string; values: readonly number[] }[],
  opts: { title?: string; yTitle?: string; yRange?: readonly [number, number] } = {},
): Figure {
  series.forEach((s) => {
    if (s.values.length !== epochs.length)
      throw new Error(`epochCurvesFigure: series "${s.name}" has ${s.values.length} values; expected ${epochs.length}, one per epoch`);
  });
  const fig = lineChart(
    series.map((s) => ({ name: s.name, x: epochs, y: s.values })),
    { title: opts.title, yTitle: opts.yTitle },
  );
  const layout = fig.layout ?? {};
  return {
    ...fig,
    layout: {
      ...layout,
      xaxis: { title: { text: "epoch" }, dtick: 1 },
      yaxis: { ...(layout.yaxis as object), ...(opts.yRange ? { range: [...opts.yRange] } : {}) },
    },
  };
}
