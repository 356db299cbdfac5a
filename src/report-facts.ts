/**
 * Facts a notebook reports to the runner (backend, headline figures, article checks), so the
 * report index can show them without scraping outputs. The runner sets RUNBOOK_FACTS_FILE for each
 * notebook it executes; in an interactive session the variable is unset and recording is a no-op.
 */
import * as fs from "fs";

export type FactValue = string | number | boolean;

/** One line of the facts file (JSON lines). */
export type FactRecord =
  | { kind: "facts"; facts: Record<string, FactValue> }
  | { kind: "check"; id: string; articleSays: string; computed: string; ok: boolean; reason: string }
  | ({ kind: "headline" } & Headline);

/**
 * A scenario's headline (article §6): the model's metric against the baseline a skeptic would try
 * first, on held-out data. `margin` is the improvement the notebook asserts (in the metric's units).
 */
export interface Headline {
  /** What the study is, e.g. "spam filtering (NLP)". */
  scenario: string;
  /** The metric's name, e.g. "test F1" or "MAE of next-day volatility". */
  metric: string;
  model: string;
  modelValue: number;
  baseline: string;
  baselineValue: number;
  /** True when larger values of the metric are better (accuracy), false for errors (MAE). */
  higherIsBetter: boolean;
  /** The improvement over the baseline the notebook asserts. */
  margin: number;
}

export const FACTS_ENV = "RUNBOOK_FACTS_FILE";

/** Appends one record to the runner's facts file, if this notebook runs under the runner. */
export function recordFact(record: FactRecord): void {
  const file = process.env[FACTS_ENV];
  if (!file) return;
  fs.appendFileSync(file, JSON.stringify(record) + "\n");
}

/** Headline figures for the report index, e.g. `recordFacts({ "test accuracy": 0.874 })`. */
export function recordFacts(facts: Record<string, FactValue>): void {
  recordFact({ kind: "facts", facts });
}

/**
 * Records a scenario's headline for the report index, after checking it: throws (failing the cell)
 * unless the model beats the baseline by at least `margin` in the metric's better direction.
 */
export function recordHeadline(h: Headline): void {
  for (const k of ["modelValue", "baselineValue", "margin"] as const) {
    if (!Number.isFinite(h[k])) throw new Error(`recordHeadline: ${k} must be a finite number, got ${h[k]}`);
  }
  const gain = h.higherIsBetter ? h.modelValue - h.baselineValue : h.baselineValue - h.modelValue;
  if (!(gain >= h.margin)) {
    throw new Error(
      `${h.scenario}: ${h.model} ${h.metric} ${h.modelValue.toPrecision(4)} does not beat ${h.baseline} ` +
        `${h.baselineValue.toPrecision(4)} by the stated margin ${h.margin} (${h.higherIsBetter ? "higher" : "lower"} is better; gain ${gain.toPrecision(4)})`,
    );
  }
  recordFact({ kind: "headline", ...h });
}

/** Reads a facts file written by `recordFact`; a missing file means no facts. */
export function readFacts(file: string): { facts: Record<string, FactValue>; checks: Extract<FactRecord, { kind: "check" }>[]; headlines: Headline[] } {
  const facts: Record<string, FactValue> = {};
  const checks: Extract<FactRecord, { kind: "check" }>[] = [];
  const headlines: Headline[] = [];
  if (!fs.existsSync(file)) return { facts, checks, headlines };
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as FactRecord;
    if (rec.kind === "facts") Object.assign(facts, rec.facts);
    else if (rec.kind === "check") checks.push(rec);
    else if (rec.kind === "headline") {
      const { kind: _kind, ...h } = rec;
      headlines.push(h);
    }
  }
  return { facts, checks, headlines };
}
