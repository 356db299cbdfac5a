/**
 * The headless runner end to end, on fixture notebooks (test/fixtures/notebooks): a failing
 * cell, a TypeScript error, a timeout, a dying kernel, parameters; and every kind of bad input.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunSummary } from "../src/runner/report-index";
import { ROOT, runRunner as run, tmpDir as tmp } from "./helpers/runner";

const FIXTURES = path.join(ROOT, "test", "fixtures", "notebooks");

test("fixtures: failures are reported with notebook, cell and error text; the rest still runs", () => {
  const out = path.join(tmp(), "reports");
  const r = run([FIXTURES, "--profile", "quick", "-p", "lr=0.5", "--timeout", "10", "--out", out, "--no-cache"]);
  assert.equal(r.code, 1, r.out);
  // The console names the notebook, the cell and the real error text (not nbclient's "<Error>").
  assert.match(
    r.out,
    /✗ test\/fixtures\/notebooks\/failing\.ipynb FAILED at cell 4 \(if \(answer === 42\) \{\):\n\s+Error: deliberate failure: the answer was 42/,
  );
  assert.match(r.out, /type-error\.ipynb FAILED at cell 2 .*\n\s+1:7 - Type 'string' is not assignable to type 'number'/);
  assert.match(r.out, /slow\.ipynb TIMEOUT at cell 2/);
  assert.match(r.out, /dies\.ipynb KERNEL-DIED at cell 2/);
  assert.match(r.out, /✓ test\/fixtures\/notebooks\/params\.ipynb passed/);
  assert.match(r.out, /^notebooks: 1 passed, 4 failed$/m);

  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as RunSummary;
  assert.equal(summary.complete, true);
  const byName = Object.fromEntries(summary.notebooks.map((n) => [n.name, n]));
  assert.deepEqual(Object.fromEntries(summary.notebooks.map((n) => [n.name, n.status])), {
    dies: "kernel-died",
    failing: "failed",
    params: "passed",
    slow: "timeout",
    "type-error": "failed",
  });
  assert.equal(byName.failing.failedCell, 3, "0-based index in the source notebook");
  assert.match(byName.failing.message ?? "", /deliberate failure/);
  assert.deepEqual(byName.params.parameters, { profile: "quick", numEpochs: 1, lr: 0.5, dataset: "tiny", verbose: false });
  assert.deepEqual(byName.params.facts, { "epochs used": 1 });

  // The executed failing notebook: a visible banner, the cell before ran, the cell after did not.
  const executed = fs.readFileSync(path.join(out, "failing.ipynb"), "utf8");
  assert.match(executed, /This notebook did not complete: failed/);
  assert.match(executed, /before the failure/);
  assert.ok(!/"AFTER THE FAILURE\\n"/.test(executed), "no cell after the failure ran");
  const html = fs.readFileSync(path.join(out, "failing.html"), "utf8");
  assert.match(html, /This notebook did not complete/);
  // The executed params notebook shows the injected values.
  const params = fs.readFileSync(path.join(out, "params.ipynb"), "utf8");
  assert.match(params, /injected-parameters/);
  assert.match(params, /PARAMS \{\\"profile\\":\\"quick\\",\\"numEpochs\\":1,\\"lr\\":0.5/);

  // Per-cell facts: papermill's timing metadata on every code cell, the cells in the summary and JUnit.
  const failingNb = JSON.parse(executed) as {
    cells: { cell_type: string; source: string | string[]; metadata: { papermill?: { duration: number | null; status: string; exception: boolean } } }[];
  };
  const timings = failingNb.cells.filter((c) => c.cell_type === "code").map((c) => c.metadata.papermill);
  assert.deepEqual(
    timings.map((t) => t?.status),
    ["completed", "completed", "completed", "failed", "pending"],
    "parameters, injected, cell 3, cell 4 (fails), cell 5",
  );
  assert.ok(timings.slice(0, 4).every((t) => typeof t?.duration === "number" && t.duration >= 0));
  assert.deepEqual(
    byName.failing.cells?.map((c) => `${c.label}:${c.status}`),
    ["cell 2:passed", "the injected-parameters cell:passed", "cell 3:passed", "cell 4:failed", "cell 5:not run"],
  );
  const junit = fs.readFileSync(path.join(out, "junit.xml"), "utf8");
  assert.match(junit, /<testsuites name="runbook \(quick profile\)" tests="\d+" failures="8"/, "4 failed cells and 4 failed notebooks");
  assert.match(
    junit,
    /<testcase classname="test\/fixtures\/notebooks\/failing.ipynb" name="cell 4: if \(answer === 42\) \{" time="[\d.]+">\n\s+<failure type="failed" message="Error: deliberate failure: the answer was 42"/,
  );
  assert.match(junit, /name="cell 5: console.log\(&quot;AFTER THE FAILURE&quot;\);" time="0.00">\n\s+<skipped/);
  assert.match(
    junit,
    /<testcase classname="test\/fixtures\/notebooks\/slow.ipynb" name="cell 2: await new Promise[^"]*" time="\d+\.\d\d">\n\s+<failure type="timeout"/,
  );
  const index = fs.readFileSync(path.join(out, "index.html"), "utf8");
  assert.match(index, /4 of 5 notebooks FAILED/);
  assert.match(index, /<h2>Slowest cells<\/h2>/);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ["reports"], "no staging folder left behind");
});

test("bad input: one-line errors naming the thing, exit 2, no report written", () => {
  const dir = tmp();
  const out = path.join(dir, "reports");
  const notJson = path.join(tmp(), "broken.ipynb");
  fs.writeFileSync(notJson, '{\n  "cells": [\n    oops\n  ]\n}\n');
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["notebooks/nope.ipynb"], {}, /^run-notebooks: notebook notebooks\/nope\.ipynb does not exist$/m],
    [["notebooks/zz-*.ipynb"], {}, /^run-notebooks: no notebook matches notebooks\/zz-\*\.ipynb$/m],
    [["package.json"], {}, /package\.json is not a notebook \(expected a \.ipynb file\)/],
    [
      [path.join(FIXTURES, "params.ipynb"), "-p", "nosuch=1"],
      {},
      /unknown parameter nosuch: no selected notebook declares it \(declared: dataset, lr, numEpochs, profile, verbose\)/,
    ],
    [
      [path.join(FIXTURES, "params.ipynb"), "-p", "numEpochs=abc"],
      {},
      /parameter numEpochs=abc: .*params\.ipynb declares numEpochs as a number .*"abc" is not a finite number/,
    ],
    [[path.join(FIXTURES, "params.ipynb"), "-p", "verbose=maybe"], {}, /expected true or false/],
    [["--profile", "medium"], {}, /--profile medium: expected one of quick, full/],
    [["--shard", "3/2"], {}, /--shard 3\/2: expected i\/n/],
    [["--jobs", "0"], {}, /--jobs 0: expected a positive integer/],
    [["--frobnicate"], {}, /unknown option --frobnicate/],
    // A notebook that is not JSON: one line, although JSON.parse's message quotes the file's text.
    [[notJson], {}, /^run-notebooks: .*broken\.ipynb: not a notebook: not valid JSON \(Unexpected token 'o'\)$/m],
    // Under /proc nothing can be created; Node's recursive mkdir used to spin there at 100% CPU.
    [
      [path.join(FIXTURES, "params.ipynb"), "--out", "/proc/runbook-test/reports", "--no-cache"],
      {},
      /^run-notebooks: output directory \/proc\/runbook-test\/reports is not writable: E[A-Z]+$/m,
    ],
    [
      [path.join(FIXTURES, "params.ipynb"), "--out", out, "--no-cache"],
      { RUNBOOK_PYTHON: "/nonexistent/python3" },
      /Jupyter \(nbclient \+ nbconvert\) not found for \/nonexistent\/python3: .*apt-get install jupyter-nbconvert python3-nbclient jupyter-client.*pipx install nbconvert/,
    ],
    [
      [path.join(FIXTURES, "params.ipynb"), "--out", out, "--no-cache"],
      { RUNBOOK_JUPYTER_PREFIX: dir },
      /the tslab kernel is not registered .*kernel\.json is missing\): run `npm run setup`/,
    ],
  ];
  for (const [args, env, expected] of cases) {
    const r = run(args, env, 60_000);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.out}`);
    assert.match(r.out, expected);
    assert.equal(r.out.trim().split("\n").length, 1, `one line for ${args.join(" ")}: ${r.out}`);
  }
  // An output folder that cannot be created (its parent is a file).
  fs.writeFileSync(path.join(dir, "file"), "");
  const r = run([path.join(FIXTURES, "params.ipynb"), "--out", path.join(dir, "file", "reports")]);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /output directory .*file\/reports is not writable: ENOTDIR/);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["file"], "nothing written");
});

test("--shard splits the notebooks deterministically and completely", () => {
  const list = (args: string[]): string[] => {
    const r = run([FIXTURES, "--list", ...args]);
    assert.equal(r.code, 0, r.out);
    return r.out
      .trim()
      .split("\n")
      .map((l) => l.split(" ")[0]);
  };
  const all = list([]);
  assert.equal(all.length, 5);
  const shards = [list(["--shard", "1/2"]), list(["--shard", "2/2"])];
  assert.deepEqual([...shards[0], ...shards[1]].sort(), all);
  assert.equal(shards[0].filter((n) => shards[1].includes(n)).length, 0);
  assert.deepEqual(list(["--shard", "1/2"]), shards[0], "same split every time");
});
