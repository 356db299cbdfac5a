/** Figures of the Tennessee STAR study (article §6, education). */
import type { Figure } from "../../core/figure";
import type { MeanWithCi } from "./early-warning";

/** Mean score per class type as bars, with asymmetric error bars to the 95% interval (see classSizeEffect). */
export function classSizeEffectFigure(
  effect: readonly ({ classType: string } & MeanWithCi)[],
  opts: { title?: string; yTitle?: string; yRange?: [number, number] } = {},
): Figure {
  if (effect.length === 0) throw new Error("classSizeEffectFigure: effect is empty; expected one row per class type");
  return {
    data: [
      {
        type: "bar",
        x: effect.map((e) => e.classType),
        y: effect.map((e) => e.mean),
        error_y: { type: "data", symmetric: false, array: effect.map((e) => e.high - e.mean), arrayminus: effect.map((e) => e.mean - e.low) },
      },
    ],
    layout: {
      title: { text: opts.title ?? "Score by class type (95% CI)" },
      yaxis: { title: { text: opts.yTitle ?? "score" }, ...(opts.yRange ? { range: [...opts.yRange] } : {}) },
    },
  };
}
