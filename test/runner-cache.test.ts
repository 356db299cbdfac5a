/**
 * The result cache end to end, on the real tslab kernel: two notebooks over a small compiled
 * library (test/helpers/runner.ts) in a temporary folder. What is re-executed is read from the
 * runner's console and the executed notebooks; no timings are asserted.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunSummary } from "../src/runner/report-index";
import { executedText, runRunner, tmpDir, writeBeta, writeLibrary, writeLibraryNotebooks, writeNotebook } from "./helpers/runner";

const NO_BROWSER = { RUNBOOK_BROWSER_CHECK: "off" };

test("cache: unchanged notebooks come from the cache; a library edit re-runs only its importers; parameters, markdown, --force and corrupt entries", () => {
  const dir = tmpDir("runner-cache-");
  writeLibrary(path.join(dir, "lib"), 10, "b1");
  const nb = writeLibraryNotebooks(path.join(dir, "nb"));
  const failing = path.join(dir, "nb", "fails.ipynb");
  writeNotebook(failing, [{ markdown: "# Fails" }, { code: 'throw new Error("never cached");' }]);
  const cache = path.join(dir, "cache");
  const out = path.join(dir, "reports");
  const run = (args: string[]): ReturnType<typeof runRunner> => runRunner([...args, "--cache", cache, "--out", out, "--jobs", "2"], NO_BROWSER);
  const executed = (text: string): string[] => [...text.matchAll(/^▶ .*\/(\S+)\.ipynb$/gm)].map((m) => m[1]).sort();
  const fromCache = (text: string): string[] => [...text.matchAll(/^✓ .*\/(\S+)\.ipynb from the cache/gm)].map((m) => m[1]).sort();

  let r = run([nb.alpha, nb.beta, failing]);
  assert.equal(r.code, 1, r.out);
  assert.deepEqual(executed(r.out), ["fails", "uses-alpha", "uses-beta"]);
  assert.deepEqual(
    fs
      .readdirSync(cache)
      .map((d) => d.replace(/-[0-9a-f]{16}$/, ""))
      .sort(),
    ["uses-alpha", "uses-beta"],
    "a failed run is never cached",
  );

  // Nothing changed: both pages from the cache, and each says when and under which key it was executed.
  r = run([nb.alpha, nb.beta]);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(executed(r.out), []);
  assert.deepEqual(fromCache(r.out), ["uses-alpha", "uses-beta"]);
  assert.match(r.out, /^notebooks: 2 passed, 0 failed \(every page from the cache\)$/m);
  const page = fs.readFileSync(path.join(out, "uses-alpha.html"), "utf8");
  assert.match(page, /Taken from the runner's cache: executed \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC under cache key <code>[0-9a-f]{16}<\/code>/);
  assert.match(executedText(path.join(out, "uses-alpha.ipynb")), /ALPHA 10/);
  const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as RunSummary;
  assert.ok(summary.notebooks.every((n) => n.cache?.fromCache === true));
  assert.match(fs.readFileSync(path.join(out, "index.html"), "utf8"), /every page from the cache/);

  // A library module only uses-beta imports changed: only uses-beta runs again, and sees the change.
  writeBeta(path.join(dir, "lib"), "b2");
  r = run([nb.alpha, nb.beta]);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(executed(r.out), ["uses-beta"]);
  assert.deepEqual(fromCache(r.out), ["uses-alpha"]);
  assert.match(executedText(path.join(out, "uses-beta.ipynb")), /BETA b2/);

  // A parameter value of this run is part of the key.
  r = run([nb.alpha, nb.beta, "-p", "n=3"]);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(executed(r.out), ["uses-alpha"]);
  assert.match(executedText(path.join(out, "uses-alpha.ipynb")), /ALPHA 30/);

  // A markdown edit re-executes the notebook (the key covers every cell, so the page is never stale).
  const source = JSON.parse(fs.readFileSync(nb.alpha, "utf8")) as { cells: { source: string }[] };
  source.cells[0].source = "# Uses alpha\n\nSecond version of the prose.";
  fs.writeFileSync(nb.alpha, JSON.stringify(source));
  r = run([nb.alpha, nb.beta]);
  assert.deepEqual(executed(r.out), ["uses-alpha"]);
  assert.match(fs.readFileSync(path.join(out, "uses-alpha.html"), "utf8"), /Second version of the prose/);

  // A corrupt entry is ignored with one line, and the notebook runs again.
  const current = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as RunSummary;
  const betaEntry = `uses-beta-${(current.notebooks.find((n) => n.name === "uses-beta")?.cache?.key ?? "").slice(0, 16)}`;
  fs.appendFileSync(path.join(cache, betaEntry, "page.html"), "tampered");
  r = run([nb.alpha, nb.beta]);
  assert.equal(r.code, 0, r.out);
  const warnings = r.out.split("\n").filter((l) => l.includes("corrupt cache entry"));
  assert.equal(warnings.length, 1, r.out);
  assert.match(warnings[0], /^⚠ ignoring corrupt cache entry .*uses-beta-[0-9a-f]{16} \(page\.html does not match its checksum\); the notebook runs again$/);
  assert.deepEqual(executed(r.out), ["uses-beta"]);
  fs.writeFileSync(path.join(cache, betaEntry, "entry.json"), "{ not json");
  r = run([nb.beta]);
  assert.match(r.out, /^⚠ ignoring corrupt cache entry .*uses-beta-[0-9a-f]{16} \(.*\); the notebook runs again$/m);
  assert.deepEqual(executed(r.out), ["uses-beta"]);

  // --force runs it regardless of the cache.
  r = run([nb.beta, "--force"]);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(executed(r.out), ["uses-beta"]);
});
