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
  | { kind: "check"; id: string; articleSays: string; computed: string; ok: boolean; reason: string };

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

/** Reads a facts file written by `recordFact`; a missing file means no facts. */
export function readFacts(file: string): { facts: Record<string, FactValue>; checks: Extract<FactRecord, { kind: "check" }>[] } {
  const facts: Record<string, FactValue> = {};
  const checks: Extract<FactRecord, { kind: "check" }>[] = [];
  if (!fs.existsSync(file)) return { facts, checks };
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as FactRecord;
    if (rec.kind === "facts") Object.assign(facts, rec.facts);
    else if (rec.kind === "check") checks.push(rec);
  }
  return { facts, checks };
}
