/**
 * Figures of the §4 worked examples: small matrices side by side (an image, a kernel and what a
 * convolution or pooling makes of them) and the hidden-state trajectories of the Elman RNN.
 */
import { type Figure, type Trace, lineChart } from "../core/figure";

/** One panel of {@link heatmapPanels}: a matrix and its caption. */
export interface HeatmapPanel {
  title: string;
  z: number[][];
}

/**
 * Side-by-side heatmap panels with their values written in the cells; a diverging scale centred
 * on 0 per panel, rows top to bottom (article §4.1.2).
 */
export function heatmapPanels(panels: readonly HeatmapPanel[], title: string): Figure {
  if (panels.length === 0) throw new Error("heatmapPanels: panels is empty; expected at least one matrix");
  panels.forEach((p, i) => {
    if (p.z.length === 0 || p.z.some((row) => row.length !== p.z[0].length)) {
      throw new Error(`heatmapPanels: panel ${i} ("${p.title}") is not a non-empty rectangular matrix`);
    }
  });
  const n = panels.length,
    gap = 0.04,
    w = (1 - gap * (n - 1)) / n;
  const data: Trace[] = panels.map((p, i) => {
    const zmax = Math.max(1, ...p.z.flat().map(Math.abs));
    return {
      type: "heatmap",
      z: p.z,
      xaxis: `x${i + 1}`,
      yaxis: `y${i + 1}`,
      colorscale: "RdBu",
      zmin: -zmax,
      zmax: zmax,
      showscale: false,
      texttemplate: "%{z}",
      textfont: { size: 16 },
      x: p.z[0].map((_, j) => `c${j + 1}`),
      y: p.z.map((_, r) => `r${r + 1}`),
    };
  });
  const layout: Record<string, unknown> = {
    title: { text: title },
    margin: { t: 80, l: 40, r: 20, b: 30 },
    annotations: panels.map((p, i) => ({
      text: p.title,
      x: i * (w + gap) + w / 2,
      y: 1.02,
      xref: "paper",
      yref: "paper",
      xanchor: "center",
      yanchor: "bottom",
      showarrow: false,
    })),
  };
  panels.forEach((_, i) => {
    layout[`xaxis${i + 1}`] = { domain: [i * (w + gap), i * (w + gap) + w], anchor: `y${i + 1}`, showgrid: false };
    layout[`yaxis${i + 1}`] = { anchor: `x${i + 1}`, autorange: "reversed", showgrid: false };
  });
  return { data, layout };
}

const UNIT_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/**
 * Hidden-state trajectories h_t ([steps][units]) of an RNN, one colour per unit: solid with the
 * recurrence, dotted for the same inputs with W_hh = 0 (article §4.1.3).
 */
export function hiddenStateFigure(withRecurrence: number[][], withoutRecurrence: number[][], title: string): Figure {
  if (withRecurrence.length === 0 || withRecurrence.length !== withoutRecurrence.length) {
    throw new Error(`hiddenStateFigure: ${withRecurrence.length} and ${withoutRecurrence.length} steps; expected the same, non-zero number`);
  }
  const units = withRecurrence[0].length;
  if (units > UNIT_COLOURS.length) throw new Error(`hiddenStateFigure: ${units} units; at most ${UNIT_COLOURS.length} can be told apart`);
  const steps = withRecurrence.map((_, t) => t + 1);
  const colours = UNIT_COLOURS.slice(0, units);
  const fig = lineChart(
    colours.map((_, u) => ({ name: `unit ${u + 1}`, x: steps, y: withRecurrence.map((h) => h[u]) })),
    { title, xTitle: "step t", yTitle: "h_t (tanh)" },
  );
  fig.data.forEach((tr, u) => {
    tr.line = { color: colours[u] };
    tr.marker = { color: colours[u] };
    tr.legendgroup = `u${u}`;
  });
  colours.forEach((c, u) =>
    fig.data.push({
      type: "scatter",
      mode: "lines+markers",
      name: `unit ${u + 1}, W_hh = 0`,
      legendgroup: `u${u}`,
      x: steps,
      y: withoutRecurrence.map((h) => h[u]),
      line: { color: c, dash: "dot" },
      marker: { color: c, symbol: "x" },
    }),
  );
  fig.layout = { ...fig.layout, xaxis: { title: { text: "step t" }, dtick: 1 }, yaxis: { title: { text: "h_t (tanh)" }, range: [-1.1, 1.1] } };
  return fig;
}
