/**
 * The only module that talks to tslab's display API. Everything else in the library returns data
 * (rows, figure specs); these helpers render it in a notebook, and fall back to plain text on
 * stdout/stderr under plain Node, where tslab's display throws "Not ready".
 */
import type { Display } from "tslab";
import { escapeHtml } from "../core/html";
import { type Figure, validateFigure } from "../core/figure";
import { figureHtml } from "./plot";

/** True inside a running tslab kernel. */
export function inKernel(): boolean {
  try {
    // tslab sets this hook when its kernel starts; it is null under plain Node.
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: unknown };
    return jupyter.lastWriteDisplayData != null;
  } catch {
    return false;
  }
}

function tslab(): typeof import("tslab") {
  return require("tslab") as typeof import("tslab");
}

export function showHtml(html: string): void {
  if (inKernel()) tslab().display.html(html);
  else console.log(html.replace(/<[^>]+>/g, "").trim());
}

export function showMarkdown(md: string): void {
  if (inKernel()) tslab().display.markdown(md);
  else console.log(md);
}

/** A table row: any object; its own enumerable keys are the columns. */
export type Row = object;

function formatCell(v: unknown, digits: number): string {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return `[${v.map((x) => (x === null ? "?" : formatCell(x, digits))).join(", ")}]`;
  if (typeof v === "number") {
    if (Number.isInteger(v)) return v.toLocaleString("en-US");
    // Up to `digits` decimals, without trailing zeros (86.9, not 86.9000).
    return Math.abs(v) >= 1e-3 || v === 0 ? String(+v.toFixed(digits)) : v.toExponential(2);
  }
  return String(v);
}

/** HTML for a table of rows (columns from the first row unless given). */
export function tableHtml(rows: Row[], opts: { caption?: string; columns?: string[]; digits?: number } = {}): string {
  const columns = opts.columns ?? Object.keys(rows[0] ?? {});
  const digits = opts.digits ?? 4;
  const head = columns.map((c) => `<th style="text-align:left">${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map(
      (r) => `<tr>${columns.map((c) => `<td style="text-align:left">${escapeHtml(formatCell((r as Record<string, unknown>)[c], digits))}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const caption = opts.caption ? `<caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(opts.caption)}</caption>` : "";
  return `<table class="runbook-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Shows rows as a table in the notebook (console.table outside a kernel). */
export function showTable(rows: Row[], opts: { caption?: string; columns?: string[]; digits?: number } = {}): void {
  if (inKernel()) tslab().display.html(tableHtml(rows, opts));
  else {
    if (opts.caption) console.log(opts.caption);
    console.table(rows as Record<string, unknown>[], opts.columns);
  }
}

let plotlyShown = false;

/**
 * Shows a plotly figure. The first figure of a kernel session carries plotly.js itself (from the
 * npm package), later ones reuse it; pass `includePlotly: true` to embed it again (e.g. after the
 * page was reloaded without rerunning the first plot cell).
 */
export function showFigure(fig: Figure, opts: { includePlotly?: boolean; height?: number } = {}): void {
  validateFigure(fig);
  if (!inKernel()) {
    const title = (fig.layout?.title as { text?: string } | undefined)?.text ?? "";
    console.log(`[figure${title ? `: ${title}` : ""} — ${fig.data.length} trace(s); shown in a notebook or report]`);
    return;
  }
  const include = opts.includePlotly ?? !plotlyShown;
  tslab().display.html(figureHtml(fig, { ...opts, includePlotly: include }));
  plotlyShown = true;
}

/** One output that can be rewritten in place (a progress bar, a live chart). */
export interface LiveDisplay {
  html(html: string): void;
  text(text: string): void;
}

/** A display that updates in place in a notebook; outside a kernel it writes lines to stderr. */
export function liveDisplay(): LiveDisplay {
  if (inKernel()) {
    const d: Display = tslab().newDisplay();
    return { html: (h) => d.html(h), text: (t) => d.text(t) };
  }
  return {
    html: (h) =>
      process.stderr.write(
        h
          .replace(/<[^>]+>/g, " ")
          .replace(/\s+/g, " ")
          .trim() + "\n",
      ),
    text: (t) => process.stderr.write(t + "\n"),
  };
}

/** A small inline SVG line chart: cheap enough to redraw several times a second while training. */
export function sparklineSvg(ys: number[], opts: { width?: number; height?: number; label?: string } = {}): string {
  const w = opts.width ?? 360;
  const h = opts.height ?? 90;
  if (ys.length === 0) return `<svg width="${w}" height="${h}"></svg>`;
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const span = hi - lo || 1;
  const pts = ys
    .map((y, i) => `${(ys.length === 1 ? w / 2 : (i / (ys.length - 1)) * (w - 10) + 5).toFixed(1)},${(h - 15 - ((y - lo) / span) * (h - 25)).toFixed(1)}`)
    .join(" ");
  return `<svg width="${w}" height="${h}" style="background:#fafafa;border:1px solid #ddd">
<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${pts}"/>
<text x="5" y="${h - 3}" font-size="11" fill="#555">${escapeHtml(opts.label ?? "")} min ${lo.toPrecision(4)} · max ${hi.toPrecision(4)} · last ${ys[ys.length - 1].toPrecision(4)}</text></svg>`;
}

export interface ProgressState {
  /** 0..1 */
  fraction: number;
  label: string;
  samplesPerSec?: number;
  etaSeconds?: number;
  lastLoss?: number;
  losses?: number[];
}

function formatEta(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return "—";
  return s < 90 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** HTML of a progress bar with rate, ETA, the last loss and a live loss curve. */
export function progressHtml(p: ProgressState): string {
  const pct = Math.max(0, Math.min(1, p.fraction)) * 100;
  const bits = [
    `${pct.toFixed(1)}%`,
    p.samplesPerSec !== undefined ? `${Math.round(p.samplesPerSec).toLocaleString("en-US")} samples/s` : "",
    `ETA ${formatEta(p.etaSeconds)}`,
    p.lastLoss !== undefined ? `loss ${p.lastLoss.toFixed(4)}` : "",
  ].filter(Boolean);
  return `<div class="runbook-progress" style="font-family:monospace">
<div>${escapeHtml(p.label)}</div>
<div style="width:360px;height:12px;background:#eee;border:1px solid #ccc"><div style="width:${pct.toFixed(1)}%;height:100%;background:#4caf50"></div></div>
<div>${escapeHtml(bits.join(" · "))}</div>
${p.losses && p.losses.length ? sparklineSvg(p.losses, { label: "loss" }) : ""}</div>`;
}

/**
 * A progress display for long loops: call `update` as often as you like, it redraws at most
 * ~4 times a second in a notebook (and prints about every 10% outside one).
 */
export function progressDisplay(): { update(p: ProgressState): void; done(p: ProgressState): void } {
  const live = liveDisplay();
  const kernel = inKernel();
  let last = 0;
  let lastDecile = -1;
  const render = (p: ProgressState): void => {
    if (kernel) live.html(progressHtml(p));
    else live.text(`${p.label} ${(p.fraction * 100).toFixed(0)}%${p.lastLoss !== undefined ? ` loss ${p.lastLoss.toFixed(4)}` : ""}`);
  };
  return {
    update(p) {
      const now = Date.now();
      const decile = Math.floor(p.fraction * 10);
      if (kernel ? now - last >= 250 : decile > lastDecile) {
        last = now;
        lastDecile = decile;
        render(p);
      }
    },
    done: render,
  };
}
