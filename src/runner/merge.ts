/**
 * Combines the report folders of a sharded run (`--shard i/n`, e.g. a CI matrix) into one report
 * whose index, summary.json and junit.xml equal those of a single run over all the notebooks
 * (apart from timings). Shards of different commits, profiles or parameter overrides, an
 * incomplete shard, a shard given twice or a missing one are refused with a one-line error.
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./cli-options";
import { type RunSummary, renderIndexHtml, renderJunitXml } from "./report-index";
import { siteIndexPage, writeReportSite } from "./report-site";
import { discardStaging, makeStaging, publish } from "./report-folder";

/** The files a run writes from its summary; every other file of a shard is copied as it is. */
const SUMMARY_FILES = new Set(["index.html", "junit.xml", "summary.json"]);

function readShard(dir: string): RunSummary {
  const file = path.join(dir, "summary.json");
  let summary: RunSummary;
  try {
    summary = JSON.parse(fs.readFileSync(file, "utf8")) as RunSummary;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`merge: ${file} ${code ? `cannot be read (${code})` : "is not valid JSON"}; expected the report folder of a run with --shard`);
  }
  if (!summary.complete) throw new UsageError(`merge: ${dir} is not a finished run (its summary.json is not complete)`);
  if (!summary.shard) throw new UsageError(`merge: ${dir} is not a shard (it was run without --shard)`);
  return summary;
}

/** Checks that the shards are the complete, distinct slices of one run; returns them in shard order. */
export function checkShards(dirs: string[], summaries: RunSummary[]): RunSummary[] {
  const first = summaries[0];
  const describe = (s: RunSummary): string => `commit ${s.commit ?? "unknown"}, profile ${s.profile}, overrides ${JSON.stringify(s.overrides)}`;
  summaries.forEach((s, i) => {
    const same = s.commit === first.commit && s.profile === first.profile && JSON.stringify(s.overrides) === JSON.stringify(first.overrides);
    if (!same) throw new UsageError(`merge: shards differ: ${dirs[0]} has ${describe(first)} but ${dirs[i]} has ${describe(s)}`);
  });
  const count = Number((first.shard as string).split("/")[1]);
  const byIndex = new Map<number, number>();
  summaries.forEach((s, i) => {
    const [index, n] = (s.shard as string).split("/").map(Number);
    if (n !== count) throw new UsageError(`merge: ${dirs[i]} is shard ${s.shard} but ${dirs[0]} is shard ${first.shard}: expected the same n`);
    if (byIndex.has(index)) throw new UsageError(`merge: ${dirs[byIndex.get(index) as number]} and ${dirs[i]} are both shard ${s.shard}`);
    byIndex.set(index, i);
  });
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new UsageError(`merge: shard ${missing.map((i) => `${i}/${count}`).join(", ")} missing; expected all ${count} shards`);
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, i]) => summaries[i]);
}

/** The summary a single run over all the shards' notebooks would have written. */
export function mergeSummaries(shards: RunSummary[]): RunSummary {
  const notebooks = shards.flatMap((s) => s.notebooks).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const starts = shards.map((s) => Date.parse(s.startedAt));
  const ends = shards.map((s) => Date.parse(s.startedAt) + s.seconds * 1000);
  const passed = notebooks.filter((n) => n.status === "passed").length;
  return {
    ...shards[0],
    startedAt: new Date(Math.min(...starts)).toISOString(),
    seconds: (Math.max(...ends) - Math.min(...starts)) / 1000,
    shard: null,
    passed,
    failed: notebooks.length - passed,
    notebooks,
  };
}

/** `run-notebooks merge`: writes the combined report to `out` (atomically, like a run); returns the exit code. */
export function mergeReports(dirs: string[], out: string, log: (line: string) => void = console.log): number {
  const summaries = dirs.map(readShard);
  const shards = checkShards(dirs, summaries);
  const names = new Map<string, string>();
  for (const [i, s] of summaries.entries()) {
    for (const nb of s.notebooks) {
      if (names.has(nb.name)) throw new UsageError(`merge: notebook ${nb.name} is in both ${names.get(nb.name)} and ${dirs[i]}`);
      names.set(nb.name, dirs[i]);
    }
  }
  const merged = mergeSummaries(shards);
  const staging = makeStaging(out);
  try {
    for (const dir of dirs) {
      for (const entry of fs.readdirSync(dir)) {
        if (SUMMARY_FILES.has(entry)) continue;
        const target = path.join(staging, entry);
        // Shared assets (the same file in every shard) are copied once.
        if (!fs.existsSync(target)) fs.cpSync(path.join(dir, entry), target, { recursive: true });
      }
    }
    // One site over all shards' pages: one assets/ folder and one search index (self-contained shards have no assets/).
    const site = { selfContained: !fs.existsSync(path.join(dirs[0], "assets")) };
    writeReportSite(
      staging,
      merged.notebooks.map((n) => n.name),
      site,
    );
    fs.writeFileSync(path.join(staging, "index.html"), siteIndexPage(renderIndexHtml(merged), staging, site));
    fs.writeFileSync(path.join(staging, "junit.xml"), renderJunitXml(merged));
    fs.writeFileSync(path.join(staging, "summary.json"), JSON.stringify(merged, null, 2) + "\n");
    publish(staging, out);
  } catch (e) {
    discardStaging(staging);
    throw e;
  }
  log(`Merged ${dirs.length} shards (${merged.notebooks.length} notebooks): ${path.join(out, "index.html")}`);
  log(`notebooks: ${merged.passed} passed, ${merged.failed} failed`);
  return merged.failed === 0 ? 0 : 1;
}
