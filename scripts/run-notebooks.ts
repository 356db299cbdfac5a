/**
 * Headless runner: executes notebooks on the tslab kernel (nbclient), N at a time, with
 * papermill-style parameters, takes unchanged notebooks from the result cache, and writes the
 * executed notebooks, their HTML renderings, index.html, summary.json and junit.xml into the
 * report folder. `merge` combines the report folders of a sharded run.
 *
 *   node dist/scripts/run-notebooks.js [notebooks or globs...] [--profile quick|full]
 *        [-p name=value ...] [--jobs N] [--timeout SECONDS] [--out DIR] [--shard i/n] [--list]
 *        [--force] [--cache DIR | --no-cache] [--self-contained]
 *   node dist/scripts/run-notebooks.js merge SHARD_DIR... [--out DIR]
 *
 * Exit codes: 0 every notebook passed, 1 a notebook failed, 2 bad usage or missing setup,
 * 130/143 stopped by SIGINT/SIGTERM (executors and kernels ended, the previous report kept).
 * The modules behind it are in src/runner/, one concern each.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageVersion } from "../src/core/packages";
import { envBrowserCheck } from "../src/core/env";
import { PROJECT_ROOT } from "../src/core/paths";
import { type CacheKey, computeCacheKey } from "../src/runner/cache-key";
import { type RunnerOptions, UsageError, parseMergeArgs, parseRunArgs } from "../src/runner/cli-options";
import { type Jupyter, checkJupyter, executeNotebook, stopExecutors } from "../src/runner/executor";
import { mergeReports } from "../src/runner/merge";
import { type Prepared, expandNotebooks, prepareNotebook, shardOf } from "../src/runner/notebook-select";
import type { ParamDeclaration } from "../src/runner/notebook-params";
import { checkRenderedNotebooks } from "../src/runner/report-check";
import { discardStaging, makeStaging, publish } from "../src/runner/report-folder";
import { type NotebookRun, type RunSummary, renderIndexHtml, renderJunitXml } from "../src/runner/report-index";
import { siteIndexPage, writeReportSite } from "../src/runner/report-site";
import { type CacheEntry, lookup, markChecked, restore, store } from "../src/runner/run-cache";

async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

function statusLine(nb: NotebookRun): string {
  if (nb.status === "passed") return `✓ ${nb.path} passed in ${nb.seconds.toFixed(1)} s`;
  const where = nb.failedCellLabel ? ` at ${nb.failedCellLabel}${nb.failedCellSource ? ` (${nb.failedCellSource})` : ""}` : "";
  const msg = (nb.message ?? "")
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `✗ ${nb.path} ${nb.status.toUpperCase()}${where}:\n${msg}`;
}

/** The commit the notebooks and library come from, "-dirty" when tracked files differ; null outside git. */
function gitCommit(): string | null {
  const head = spawnSync("git", ["-C", PROJECT_ROOT, "rev-parse", "HEAD"], { encoding: "utf8" });
  if (head.status !== 0) return null;
  const dirty = spawnSync("git", ["-C", PROJECT_ROOT, "status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? "-dirty" : ""}`;
}

/** Every selected notebook read and parameterised, and every override declared somewhere, before anything runs. */
function prepareAll(opts: RunnerOptions): Prepared[] {
  // Overrides are checked against all notebooks, not the shard's: a CI matrix passes the same -p to every shard.
  const all = expandNotebooks(opts.notebooks, process.cwd());
  const prepared: Prepared[] = [];
  const declaredNames = new Set<string>();
  for (const p of all) {
    const r: { prepared: Prepared; declared: ParamDeclaration[] } = prepareNotebook(p, opts.profile, opts.overrides);
    prepared.push(r.prepared);
    r.declared.forEach((d) => declaredNames.add(d.name));
  }
  for (const k of Object.keys(opts.overrides)) {
    if (!declaredNames.has(k)) {
      const known = [...declaredNames].sort().join(", ") || "none";
      throw new UsageError(`unknown parameter ${k}: no selected notebook declares it (declared: ${known})`);
    }
  }
  return shardOf(prepared, opts.shard);
}

async function run(opts: RunnerOptions): Promise<number> {
  const startedAt = new Date();
  const prepared = prepareAll(opts);
  if (opts.list) {
    for (const p of prepared) console.log(`${p.rel} ${JSON.stringify(p.parameters)}`);
    return 0;
  }
  const keys = new Map<Prepared, CacheKey>(prepared.map((p) => [p, computeCacheKey(p.source, path.dirname(p.abs), opts.profile, p.parameters)]));
  const hits = new Map<Prepared, CacheEntry>();
  if (opts.cacheDir && !opts.force) {
    for (const p of prepared) {
      const entry = lookup(opts.cacheDir, p.name, (keys.get(p) as CacheKey).key, (line) => console.warn(line));
      if (entry) hits.set(p, entry);
    }
  }
  const toRun = prepared.filter((p) => !hits.has(p));
  // Jupyter is needed (and its 1–3 s start-up paid) only when something executes.
  const jupyter: Jupyter | null = toRun.length ? checkJupyter() : null;
  const staging = makeStaging(opts.out);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.error(`run-notebooks: ${signal}: stopping the executors and their kernels; the previous report is kept`);
    void stopExecutors().finally(() => {
      discardStaging(staging);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  console.log(
    `Running ${prepared.length} notebook(s), profile ${opts.profile}, ${opts.jobs} at a time, per-cell timeout ${opts.timeout} s` +
      `${opts.shard ? `, shard ${opts.shard.index}/${opts.shard.count}` : ""}${hits.size ? `; ${hits.size === prepared.length ? "all" : hits.size} from the cache` : ""}`,
  );
  const restored = new Map<Prepared, NotebookRun>();
  for (const [p, entry] of hits) {
    restored.set(p, restore(opts.cacheDir as string, entry, staging));
    console.log(`✓ ${p.rel} from the cache (executed ${entry.executedAt.slice(0, 16).replace("T", " ")} UTC, key ${entry.key.slice(0, 16)})`);
  }
  const executed = await pool(toRun, opts.jobs, async (p) => {
    console.log(`▶ ${p.rel}`);
    const r = await executeNotebook({
      prepared: p,
      profile: opts.profile,
      timeout: opts.timeout,
      jupyter: jupyter as Jupyter,
      staging,
      cacheKey: (keys.get(p) as CacheKey).key,
    });
    if (!stopping) console.log(statusLine(r));
    return r;
  });
  if (stopping) return new Promise(() => undefined); // the signal handler exits
  const runs = prepared.map((p) => restored.get(p) ?? executed[toRun.indexOf(p)]);
  // plotly draws in the reader's browser, after the kernel is done: a notebook whose page does not
  // render fails too. A cached page was checked when it was made; only unchecked ones are checked again.
  // The site (shared assets/, search index, toolbar) is written before the check, which loads assets/.
  writeReportSite(
    staging,
    runs.map((r) => r.name),
    { selfContained: opts.selfContained },
  );
  const unchecked = [...executed, ...[...hits].filter(([, e]) => !e.browserChecked).map(([p]) => restored.get(p) as NotebookRun)];
  await checkRenderedNotebooks(unchecked, staging);
  const browserChecked = envBrowserCheck();
  for (const [i, p] of prepared.entries()) {
    const r = runs[i];
    const page = path.join(staging, `${r.name}.html`);
    if (fs.existsSync(page)) r.pageBytes = fs.statSync(page).size;
    const key = keys.get(p) as CacheKey;
    const entry = hits.get(p);
    if (entry) {
      if (!entry.browserChecked && browserChecked && r.status === "passed" && opts.cacheDir) markChecked(opts.cacheDir, entry);
      continue;
    }
    const executedAt = r.startedAt ?? startedAt.toISOString();
    if (opts.cacheDir && r.status === "passed") {
      r.cache = { key: key.key, executedAt, fromCache: false };
      store(opts.cacheDir, r, key, executedAt, browserChecked, staging);
    }
  }
  const passed = runs.filter((r) => r.status === "passed").length;
  const summary: RunSummary = {
    complete: true,
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    profile: opts.profile,
    overrides: opts.overrides,
    shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null,
    commit: gitCommit(),
    environment: {
      node: process.version,
      tslab: packageVersion("tslab"),
      "TensorFlow.js": packageVersion("@tensorflow/tfjs"),
      platform: `${os.platform()} ${os.release()} ${os.arch()}, ${os.cpus().length} cores`,
      python: jupyter ? jupyter.python : "not started (every notebook came from the cache)",
      ...(jupyter ? jupyter.versions : {}),
    },
    passed,
    failed: runs.length - passed,
    notebooks: runs,
  };
  fs.writeFileSync(path.join(staging, "index.html"), siteIndexPage(renderIndexHtml(summary), staging, { selfContained: opts.selfContained }));
  fs.writeFileSync(path.join(staging, "junit.xml"), renderJunitXml(summary));
  fs.writeFileSync(path.join(staging, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  publish(staging, opts.out);
  console.log(`Report: ${path.join(opts.out, "index.html")}`);
  const cached = hits.size ? ` (${hits.size === runs.length ? "every page" : `${hits.size} of ${runs.length} pages`} from the cache)` : "";
  console.log(`notebooks: ${passed} passed, ${runs.length - passed} failed${cached}`);
  return passed === runs.length ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "merge") {
    const opts = parseMergeArgs(argv.slice(1));
    return mergeReports(opts.shards, opts.out);
  }
  return run(parseRunArgs(argv));
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      // Bad input is one line, whatever text a message quotes.
      if (e instanceof UsageError) console.error(`run-notebooks: ${e.message.replace(/\s*\n\s*/g, " ")}`);
      else console.error(e);
      process.exit(2);
    },
  );
}
