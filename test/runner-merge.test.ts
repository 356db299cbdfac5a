/**
 * Merging shard reports: two shards run as separate processes at the same time, merged, equal a
 * single run over the same notebooks apart from timings; shards that do not belong together are
 * refused with one line.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunSummary } from "../src/runner/report-index";
import { runRunner, startRunner, tmpDir, writeLibrary, writeLibraryNotebooks, writeNotebook } from "./helpers/runner";

const NO_BROWSER = { RUNBOOK_BROWSER_CHECK: "off" };

/** A summary without what differs between runs: timings, cache records, page sizes. */
function withoutTimings(s: RunSummary): unknown {
  return {
    ...s,
    startedAt: 0,
    seconds: 0,
    notebooks: s.notebooks.map((n) => ({
      ...n,
      seconds: 0,
      startedAt: 0,
      pageBytes: 0,
      cache: undefined,
      cells: n.cells?.map((c) => ({ ...c, start: 0, end: 0, seconds: 0 })),
    })),
  };
}

const withoutTimes = (text: string): string => text.replace(/time="[\d.]+"|timestamp="[^"]*"/g, "");

test("merge: two shards run side by side combine into the single run's index, summary and JUnit", async () => {
  const dir = tmpDir("runner-merge-");
  writeLibrary(path.join(dir, "lib"));
  writeLibraryNotebooks(path.join(dir, "nb"));
  writeNotebook(path.join(dir, "nb", "fails.ipynb"), [{ markdown: "# Fails" }, { code: 'throw new Error("deliberate");' }]);
  const nbDir = path.join(dir, "nb");
  const common = [nbDir, "--no-cache", "--jobs", "1", "-p", "n=2"];
  const shards = [1, 2].map((i) => startRunner([...common, "--shard", `${i}/2`, "--out", path.join(dir, `shard-${i}`)], NO_BROWSER));
  const single = startRunner([...common, "--out", path.join(dir, "single")], NO_BROWSER);
  // Sorted: fails, uses-alpha, uses-beta; shard 1/2 takes the 1st and 3rd, 2/2 the 2nd.
  const codes = await Promise.all([...shards.map((s) => s.done), single.done]);
  assert.deepEqual(
    codes.map((r) => r.code),
    [1, 0, 1],
    codes.map((r) => r.out).join("\n"),
  );

  const merged = runRunner(["merge", path.join(dir, "shard-2"), path.join(dir, "shard-1"), "--out", path.join(dir, "merged")]);
  assert.equal(merged.code, 1, merged.out);
  assert.match(merged.out, /^Merged 2 shards \(3 notebooks\)/m);
  assert.match(merged.out, /^notebooks: 2 passed, 1 failed$/m);
  const read = (d: string, f: string): string => fs.readFileSync(path.join(dir, d, f), "utf8");
  const summaryOf = (d: string): RunSummary => JSON.parse(read(d, "summary.json")) as RunSummary;
  assert.deepEqual(withoutTimings(summaryOf("merged")), withoutTimings(summaryOf("single")));
  assert.equal(withoutTimes(read("merged", "junit.xml")), withoutTimes(read("single", "junit.xml")));
  // The sections table, row by row (the slowest-cells table is ordered by timings).
  const rows = (html: string): string[] => [...html.slice(0, html.indexOf("</table>")).matchAll(/<a href="([^"]+)\.html">/g)].map((m) => m[1]);
  assert.deepEqual(rows(read("merged", "index.html")), ["fails", "uses-alpha", "uses-beta"]);
  assert.deepEqual(rows(read("merged", "index.html")), rows(read("single", "index.html")));
  assert.match(read("merged", "index.html"), /1 of 3 notebooks FAILED/);
  assert.deepEqual(fs.readdirSync(path.join(dir, "merged")).sort(), fs.readdirSync(path.join(dir, "single")).sort(), "every page and notebook");

  // Shards that do not belong together: one line each, exit 2, nothing written.
  const tampered = path.join(dir, "shard-2-other");
  fs.cpSync(path.join(dir, "shard-2"), tampered, { recursive: true });
  const s2 = summaryOf("shard-2-other");
  fs.writeFileSync(path.join(tampered, "summary.json"), JSON.stringify({ ...s2, commit: "0123abc" }));
  const refusals: [string[], RegExp][] = [
    [[path.join(dir, "shard-1"), tampered], /^run-notebooks: merge: shards differ: .*shard-1 has commit .* but .*shard-2-other has commit 0123abc/m],
    [[path.join(dir, "shard-1")], /^run-notebooks: merge: shard 2\/2 missing; expected all 2 shards$/m],
    [[path.join(dir, "shard-1"), path.join(dir, "shard-1")], /^run-notebooks: merge: .*shard-1 and .*shard-1 are both shard 1\/2$/m],
    [[path.join(dir, "single")], /^run-notebooks: merge: .*single is not a shard \(it was run without --shard\)$/m],
    [[path.join(dir, "nowhere")], /^run-notebooks: merge: .*nowhere\/summary\.json cannot be read \(ENOENT\)/m],
  ];
  fs.writeFileSync(path.join(tampered, "summary.json"), JSON.stringify({ ...s2, commit: "0123abc" }));
  for (const [shardDirs, expected] of refusals) {
    const r = runRunner(["merge", ...shardDirs, "--out", path.join(dir, "refused")]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, expected);
    assert.equal(r.out.trim().split("\n").length, 1, r.out);
  }
  const otherParams = path.join(dir, "shard-2-params");
  fs.cpSync(path.join(dir, "shard-2"), otherParams, { recursive: true });
  fs.writeFileSync(path.join(otherParams, "summary.json"), JSON.stringify({ ...s2, overrides: { n: "3" } }));
  const r = runRunner(["merge", path.join(dir, "shard-1"), otherParams, "--out", path.join(dir, "refused")]);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /shards differ: .*overrides \{"n":"2"\} but .*overrides \{"n":"3"\}/);
  assert.ok(!fs.existsSync(path.join(dir, "refused")));
});
