/**
 * The runner's artefacts beside the executed notebooks: `summary.json` (the data), `index.html`
 * (for people) and `junit.xml` (for CI systems). Pure functions from one `RunSummary`.
 */
import type { FactRecord, FactValue, Headline } from "../core/facts";
import { escapeHtml } from "../core/html";
import type { ParamValue, Profile } from "./notebook-params";

export type NotebookStatus = "passed" | "failed" | "timeout" | "kernel-died" | "error";

/** One code cell's run (papermill's per-cell timing, as the executor records it). */
export interface CellTiming {
  /** 0-based index in the source notebook; null for the injected-parameters cell. */
  cell: number | null;
  /** "cell 4" (counting from 1, as in the source notebook) or "the injected-parameters cell". */
  label: string;
  /** The cell's first non-blank line. */
  source: string;
  start: string | null;
  end: string | null;
  seconds: number | null;
  status: "passed" | "failed" | "not run";
}

export interface NotebookRun {
  /** Source path relative to the project root, e.g. `notebooks/00-overview.ipynb`. */
  path: string;
  /** File name without extension; the executed files are `<name>.ipynb` and `<name>.html`. */
  name: string;
  title: string;
  status: NotebookStatus;
  seconds: number;
  /** 0-based index in the source notebook of the cell that stopped it, if any. */
  failedCell: number | null;
  failedCellLabel?: string;
  failedCellSource?: string;
  message: string | null;
  parameters: Record<string, ParamValue>;
  facts: Record<string, FactValue>;
  checks: Extract<FactRecord, { kind: "check" }>[];
  /** Scenario headlines (model vs baseline) the notebook recorded; absent in old summaries. */
  headlines?: Headline[];
  /** Size of the notebook's HTML page (plotly.js and MathJax are in assets/ unless the report is --self-contained). */
  pageBytes?: number;
  /** When execution started (ISO); for a cached run, when the cached result was executed. */
  startedAt?: string;
  /** Every code cell's timing and status. */
  cells?: CellTiming[];
  /** The cache entry this run was stored as or taken from. */
  cache?: { key: string; executedAt: string; fromCache: boolean };
}

export interface RunSummary {
  /** Written last; a summary without it (or a `*.partial*` folder) is not a finished run. */
  complete: boolean;
  startedAt: string;
  seconds: number;
  profile: Profile;
  overrides: Record<string, string>;
  shard: string | null;
  /** The project's git commit (with "-dirty" when tracked files differ from it), null outside git. */
  commit?: string | null;
  environment: Record<string, string>;
  passed: number;
  failed: number;
  notebooks: NotebookRun[];
}

function formatFact(v: FactValue): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return String(v);
}

function formatSeconds(s: number): string {
  return s < 90 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

const STATUS_LABEL: Record<NotebookStatus, string> = {
  passed: "✓ passed",
  failed: "✗ failed",
  timeout: "✗ timed out",
  "kernel-died": "✗ kernel died",
  error: "✗ could not run",
};

function cacheNote(nb: NotebookRun): string {
  if (!nb.cache?.fromCache) return "";
  return `<div class="cached" title="cache key ${escapeHtml(nb.cache.key)}">from the cache, executed ${escapeHtml(nb.cache.executedAt.replace("T", " ").slice(0, 16))} UTC</div>`;
}

/** How many slowest cells the index lists. */
const SLOWEST_CELLS = 10;

/** The run's slowest code cells, slowest first, as table rows. */
function slowestCellRows(summary: RunSummary): string {
  return summary.notebooks
    .flatMap((nb) => (nb.cells ?? []).filter((c) => c.seconds !== null).map((c) => ({ nb, c })))
    .sort((a, b) => (b.c.seconds ?? 0) - (a.c.seconds ?? 0))
    .slice(0, SLOWEST_CELLS)
    .map(
      ({ nb, c }) =>
        `<tr class="${c.status === "failed" ? "bad" : "ok"}"><td>${formatSeconds(c.seconds ?? 0)}</td><td><a href="${encodeURIComponent(nb.name)}.html">${escapeHtml(nb.name)}</a></td>` +
        `<td>${escapeHtml(c.label)}</td><td><code>${escapeHtml(c.source)}</code></td><td>${nb.cache?.fromCache ? "cached" : "this run"}</td></tr>`,
    )
    .join("\n");
}

/** The report's front page: sections in article order with status, duration, backend and key figures. */
export function renderIndexHtml(summary: RunSummary): string {
  const rows = summary.notebooks
    .map((nb) => {
      const { backend, ...rest } = nb.facts;
      const figures = Object.entries(rest)
        .map(([k, v]) => `${escapeHtml(k)}: <b>${escapeHtml(formatFact(v))}</b>`)
        .join("<br>");
      const error =
        nb.status === "passed"
          ? ""
          : `<div class="err">${escapeHtml(nb.failedCellLabel ?? "")}${nb.failedCellSource ? ` <code>${escapeHtml(nb.failedCellSource)}</code>` : ""}<pre>${escapeHtml(nb.message ?? "")}</pre></div>`;
      return `<tr class="${nb.status === "passed" ? "ok" : "bad"}">
<td><a href="${encodeURIComponent(nb.name)}.html">${escapeHtml(nb.title)}</a><div class="path">${escapeHtml(nb.path)}${nb.pageBytes ? ` · page ${(nb.pageBytes / 2 ** 20).toFixed(1)} MB` : ""}</div>${error}</td>
<td class="status">${STATUS_LABEL[nb.status]}</td><td>${formatSeconds(nb.seconds)}${cacheNote(nb)}</td>
<td>${escapeHtml(backend === undefined ? "—" : String(backend))}</td><td>${figures || "—"}</td></tr>`;
    })
    .join("\n");
  const checks = summary.notebooks.flatMap((nb) => nb.checks.map((c) => ({ nb, c })));
  const checkRows = checks
    .map(
      ({ nb, c }) =>
        `<tr class="${c.ok ? "ok" : "bad"}"><td>${escapeHtml(c.id)}</td><td>${escapeHtml(c.articleSays)}</td><td>${escapeHtml(c.computed)}</td><td>${c.ok ? "✓" : "✗"} ${escapeHtml(c.reason)}</td><td><a href="${encodeURIComponent(nb.name)}.html">${escapeHtml(nb.name)}</a></td></tr>`,
    )
    .join("\n");
  const headlines = summary.notebooks.flatMap((nb) => (nb.headlines ?? []).map((h) => ({ nb, h })));
  const headlineRows = headlines
    .map(
      ({ nb, h }) =>
        `<tr><td><a href="${encodeURIComponent(nb.name)}.html">${escapeHtml(h.scenario)}</a></td><td>${escapeHtml(h.metric)} (${h.higherIsBetter ? "higher" : "lower"} is better)</td>` +
        `<td>${escapeHtml(h.model)}: <b>${escapeHtml(formatFact(h.modelValue))}</b></td><td>${escapeHtml(h.baseline)}: ${escapeHtml(formatFact(h.baselineValue))}</td>` +
        `<td>${escapeHtml(formatFact(h.margin))}</td></tr>`,
    )
    .join("\n");
  const env = Object.entries(summary.environment)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  const overrides =
    Object.entries(summary.overrides)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ") || "none";
  const slowRows = slowestCellRows(summary);
  const cachedCount = summary.notebooks.filter((nb) => nb.cache?.fromCache).length;
  const cachedText = cachedCount
    ? `; ${cachedCount === summary.notebooks.length ? "every page" : `${cachedCount} of ${summary.notebooks.length} pages`} from the cache`
    : "";
  const verdict =
    summary.failed === 0
      ? summary.passed === 1
        ? "The notebook passed"
        : `All ${summary.passed} notebooks passed`
      : `${summary.failed} of ${summary.passed + summary.failed} notebooks FAILED`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Runbook report</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border-bottom:1px solid #ddd;padding:.4em .6em;text-align:left;vertical-align:top}
tr.bad td{background:#fff0f0}.status{white-space:nowrap}.path{color:#777;font-size:.85em}
.err pre{white-space:pre-wrap;background:#fbe9e9;padding:.5em;font-size:.85em}
.cached{color:#555;font-size:.8em}
.verdict{font-size:1.2em;padding:.5em;border-radius:4px}.verdict.ok{background:#e8f5e9}.verdict.bad{background:#fdecea}
@media (prefers-color-scheme: dark){body{color:#e3e3e3}th,td{border-color:#3a3f47}.path{color:#a0a0a0}tr.bad td{background:#3a1d1d}
.err pre{background:#4a2020}.verdict.ok{background:#1e3a22}.verdict.bad{background:#4a2020}}
</style></head><body>
<h1>Runbook report</h1>
<p class="verdict ${summary.failed === 0 ? "ok" : "bad"}">${verdict} — profile <b>${summary.profile}</b>, parameter overrides: ${escapeHtml(overrides)}${summary.shard ? `, shard ${escapeHtml(summary.shard)}` : ""}; run started ${escapeHtml(summary.startedAt)}, took ${formatSeconds(summary.seconds)}${cachedText}.</p>
<h2>Sections</h2>
<table><thead><tr><th>Notebook</th><th>Status</th><th>Time</th><th>Backend</th><th>Key figures</th></tr></thead><tbody>
${rows}
</tbody></table>
${
  headlines.length
    ? `<h2>Application scenarios: model vs baseline</h2>
<p>Each scenario's headline metric on held-out data; its notebook asserts the model beats the baseline by at least the stated margin.</p>
<table><thead><tr><th>Scenario</th><th>Metric</th><th>Model</th><th>Baseline</th><th>Asserted margin</th></tr></thead><tbody>${headlineRows}</tbody></table>`
    : ""
}
${
  slowRows
    ? `<h2>Slowest cells</h2>
<p>The ${SLOWEST_CELLS} code cells that took longest (a cached page's times are from when it was executed).</p>
<table><thead><tr><th>Time</th><th>Notebook</th><th>Cell</th><th>First line</th><th>Run</th></tr></thead><tbody>${slowRows}</tbody></table>`
    : ""
}
<h2>Article claims checked</h2>
${checks.length ? `<table><thead><tr><th>Claim</th><th>Article says</th><th>Computed</th><th>Verdict</th><th>Where</th></tr></thead><tbody>${checkRows}</tbody></table>` : "<p>No notebook in this run checks an article claim.</p>"}
<h2>Environment</h2>
<table>${env}</table>
</body></html>
`;
}

function xmlEscape(s: string): string {
  return (
    s
      .replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string)
      // XML 1.0 forbids most control characters, which kernels' stderr can contain (ANSI colours).
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "")
  );
}

/** One notebook's test cases: one per code cell (a failure points at its cell) and one for the notebook as a whole. */
function junitSuite(nb: NotebookRun): { xml: string; tests: number; failures: number; skipped: number } {
  const classname = xmlEscape(nb.path);
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const c of nb.cells ?? []) {
    const head = `    <testcase classname="${classname}" name="${xmlEscape(`${c.label}: ${c.source}`)}" time="${(c.seconds ?? 0).toFixed(2)}"`;
    if (c.status === "passed") cases.push(`${head}/>`);
    else if (c.status === "not run") {
      skipped++;
      cases.push(`${head}>\n      <skipped message="not run: an earlier cell stopped the notebook"/>\n    </testcase>`);
    } else {
      failures++;
      cases.push(
        `${head}>\n      <failure type="${nb.status}" message="${xmlEscape((nb.message ?? "").split("\n")[0])}">${xmlEscape(nb.message ?? "")}</failure>\n    </testcase>`,
      );
    }
  }
  // The notebook as a whole: also fails for what no cell shows (its page in the browser, the executor).
  const head = `    <testcase classname="${classname}" name="notebook" time="${nb.seconds.toFixed(2)}"`;
  if (nb.status === "passed") cases.push(`${head}/>`);
  else {
    failures++;
    const msg = `${nb.status} at ${nb.failedCellLabel ?? "an unknown cell"}: ${(nb.message ?? "").split("\n")[0]}`;
    cases.push(`${head}>\n      <failure type="${nb.status}" message="${xmlEscape(msg)}">${xmlEscape(nb.message ?? "")}</failure>\n    </testcase>`);
  }
  const tests = cases.length;
  const xml = `  <testsuite name="${classname}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${nb.seconds.toFixed(2)}">\n${cases.join("\n")}\n  </testsuite>`;
  return { xml, tests, failures, skipped };
}

/** JUnit XML: a test suite per notebook with a test case per code cell, plus one for the notebook. */
export function renderJunitXml(summary: RunSummary): string {
  const suites = summary.notebooks.map(junitSuite);
  const total = (k: "tests" | "failures" | "skipped"): number => suites.reduce((n, s) => n + s[k], 0);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="runbook (${summary.profile} profile)" tests="${total("tests")}" failures="${total("failures")}" errors="0" skipped="${total("skipped")}" time="${summary.seconds.toFixed(2)}" timestamp="${xmlEscape(summary.startedAt)}">
${suites.map((s) => s.xml).join("\n")}
</testsuites>
`;
}
