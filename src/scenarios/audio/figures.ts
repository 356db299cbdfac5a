/** Figures of the spoken-digit study (article §6, speech recognition). */
import { type Figure, heatmap } from "../../core/figure";
import type { LogMel } from "./features";

/**
 * Log-mel spectrograms of several clips side by side (the frames with signal of each, a blank
 * column between clips, mel 0 at the bottom), each labelled under its strip.
 */
export function logMelStripFigure(clips: readonly { logMel: LogMel; label: string }[], title: string): Figure {
  if (clips.length === 0) throw new Error("logMelStripFigure: clips is empty; expected at least one spectrogram");
  const numMels = clips[0].logMel.numMels;
  const columns: (number | null)[][] = [];
  const ticks: number[] = [];
  for (const { logMel: lm } of clips) {
    if (lm.numMels !== numMels) throw new Error(`logMelStripFigure: a clip has ${lm.numMels} mel bands; expected ${numMels} like the first`);
    const start = columns.length;
    for (let t = 0; t < lm.framesWithSignal; t++) columns.push(Array.from(lm.data.slice(t * numMels, (t + 1) * numMels), (v) => +v.toFixed(1)));
    ticks.push((start + columns.length - 1) / 2);
    columns.push(new Array(numMels).fill(null));
  }
  const z = Array.from({ length: numMels }, (_, m) => columns.map((col) => col[m])); // [mels, columns]
  const fig = heatmap(z as number[][], { title, xTitle: "", yTitle: "mel band", colorscale: "Viridis", showValues: false });
  // colours from −10 up: the log floor of digital silence (−13.8) would otherwise take a third of the scale
  fig.data[0] = { ...fig.data[0], zmin: -10, colorbar: { title: { text: "log energy" } } };
  fig.layout = {
    ...fig.layout,
    yaxis: { title: { text: "mel band" }, autorange: true },
    xaxis: { tickmode: "array", tickvals: ticks, ticktext: clips.map((c) => c.label), automargin: true },
  };
  return fig;
}
