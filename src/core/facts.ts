/**
 * The report-facts format: what a notebook tells the runner (backend, headline figures, article
 * checks), as JSON lines in the file named by RUNBOOK_FACTS_FILE. Notebooks write it
 * (notebook/report-facts.ts); the runner reads it (`readFacts`). This file is its one definition.
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
