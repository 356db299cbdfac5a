import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FACTS_ENV, type Headline, readFacts } from "../src/core/facts";
import { recordFacts, recordHeadline } from "../src/notebook/report-facts";

function withFactsFile<T>(fn: (file: string) => T): T {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "facts-")), "facts.jsonl");
  process.env[FACTS_ENV] = file;
  try {
    return fn(file);
  } finally {
    delete process.env[FACTS_ENV];
  }
}

const spam: Headline = {
  scenario: "spam filtering",
  metric: "test F1",
  model: "MLP",
  modelValue: 0.95,
  baseline: "keyword rule",
  baselineValue: 0.7,
  higherIsBetter: true,
  margin: 0.1,
};

test("recordHeadline lands in the facts file beside facts, and readFacts returns it", () => {
  withFactsFile((file) => {
    recordFacts({ "test F1": 0.95 });
    recordHeadline(spam);
    const { facts, headlines } = readFacts(file);
    assert.deepEqual(facts, { "test F1": 0.95 });
    assert.deepEqual(headlines, [spam]);
  });
});

test("recordHeadline refuses a model that does not beat its baseline by the margin, in either direction", () => {
  withFactsFile((file) => {
    assert.throws(() => recordHeadline({ ...spam, modelValue: 0.75 }), /MLP test F1 0\.7500 does not beat keyword rule 0\.7000 by the stated margin 0\.1/);
    // Lower is better (an error metric): 0.8 vs a baseline of 1.0 is a gain of 0.2.
    const mae: Headline = { ...spam, metric: "MAE", modelValue: 0.8, baselineValue: 1.0, higherIsBetter: false, margin: 0.15 };
    recordHeadline(mae);
    assert.throws(() => recordHeadline({ ...mae, modelValue: 0.9 }), /lower is better/);
    assert.throws(() => recordHeadline({ ...spam, modelValue: Number.NaN }), /modelValue must be a finite number/);
    assert.deepEqual(readFacts(file).headlines, [mae], "only the passing headline was recorded");
  });
});
