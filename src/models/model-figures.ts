/** Figure specs about models themselves: their sizes side by side (article §3.3, §5.2). Specs only. */
import { type Figure } from "../core/figure";

/** Weights per network as labelled bars on a log axis, each bar showing its exact count (article §3.3). */
export function modelSizeFigure(sizes: readonly { model: string; weights: number }[], opts: { title?: string } = {}): Figure {
  sizes.forEach((s) => {
    if (!(Number.isInteger(s.weights) && s.weights > 0))
      throw new Error(`modelSizeFigure: ${s.model} has ${s.weights} weights; expected a positive integer (the axis is logarithmic)`);
  });
  return {
    data: [
      {
        type: "bar",
        x: sizes.map((s) => s.model),
        y: sizes.map((s) => s.weights),
        text: sizes.map((s) => s.weights.toLocaleString("en-US")),
        textposition: "outside",
      },
    ],
    layout: { title: { text: opts.title ?? "Weights per network (log scale)" }, yaxis: { type: "log", title: { text: "weights" } } },
  };
}
