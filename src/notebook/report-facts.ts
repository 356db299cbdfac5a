/**
 * Facts a notebook reports to the runner (backend, headline figures, article checks), so the
 * report index can show them without scraping outputs. The runner sets RUNBOOK_FACTS_FILE for each
 * notebook it executes; in an interactive session the variable is unset and recording is a no-op.
 */
import * as fs from "fs";
import { envFactsFile } from "../core/env";
import { type FactRecord, type FactValue, type Headline } from "../core/facts";
import { requireFinite } from "../core/validate";

/** Appends one record to the runner's facts file, if this notebook runs under the runner. */
export function recordFact(record: FactRecord): void {
  const file = envFactsFile();
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
    requireFinite("recordHeadline", k, h[k]);
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
