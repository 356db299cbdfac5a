/**
 * The result cache: a passed run's executed notebook, page and record, stored under its cache key
 * (cache-key.ts) in `<cache dir>/<notebook>-<key>/`. Failed runs are never stored. An entry is
 * written to a temporary folder and renamed, and holds the sha256 of its files: an entry that
 * does not read back intact is ignored with a one-line warning and removed.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { escapeHtml } from "../core/html";
import type { CacheKey } from "./cache-key";
import type { NotebookRun } from "./report-index";

const ENTRY_FORMAT = 1;
/** Entries kept per notebook (e.g. quick and full profile, and the previous edit). */
const ENTRIES_PER_NOTEBOOK = 4;

export interface CacheEntry {
  format: number;
  key: string;
  components: Record<string, string>;
  modules: string[];
  dataFiles: string[];
  executedAt: string;
  /** The page passed the browser check when it was made; unchecked entries are checked on use. */
  browserChecked: boolean;
  sha256: { notebook: string; page: string };
  run: NotebookRun;
}

const sha256 = (data: Buffer): string => crypto.createHash("sha256").update(data).digest("hex");

export function entryDir(cacheDir: string, name: string, key: string): string {
  return path.join(cacheDir, `${name}-${key.slice(0, 16)}`);
}

/** The entry for `key`, or null (absent, or corrupt: then `warn` gets one line and it is removed). */
export function lookup(cacheDir: string, name: string, key: string, warn: (line: string) => void): CacheEntry | null {
  const dir = entryDir(cacheDir, name, key);
  if (!fs.existsSync(dir)) return null;
  try {
    const entry = JSON.parse(fs.readFileSync(path.join(dir, "entry.json"), "utf8")) as CacheEntry;
    if (entry.format !== ENTRY_FORMAT || entry.key !== key || !entry.run || entry.run.status !== "passed") throw new Error("its record does not match its key");
    for (const [file, want] of [
      ["notebook.ipynb", entry.sha256?.notebook],
      ["page.html", entry.sha256?.page],
    ]) {
      if (sha256(fs.readFileSync(path.join(dir, file as string))) !== want) throw new Error(`${file} does not match its checksum`);
    }
    return entry;
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ? `${(e as NodeJS.ErrnoException).code} reading it` : (e as Error).message.split("\n")[0].slice(0, 120);
    warn(`⚠ ignoring corrupt cache entry ${dir} (${reason}); the notebook runs again`);
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

/** Stores a passed run's files from the report folder; older entries of the same notebook beyond a few are removed. */
export function store(cacheDir: string, run: NotebookRun, key: CacheKey, executedAt: string, browserChecked: boolean, reportDir: string): void {
  if (run.status !== "passed") return;
  const dir = entryDir(cacheDir, run.name, key.key);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const notebook = fs.readFileSync(path.join(reportDir, `${run.name}.ipynb`));
  const page = fs.readFileSync(path.join(reportDir, `${run.name}.html`));
  fs.writeFileSync(path.join(tmp, "notebook.ipynb"), notebook);
  fs.writeFileSync(path.join(tmp, "page.html"), page);
  const { cache: _cache, ...record } = run;
  const entry: CacheEntry = {
    format: ENTRY_FORMAT,
    key: key.key,
    components: key.components,
    modules: key.modules,
    dataFiles: key.dataFiles,
    executedAt,
    browserChecked,
    sha256: { notebook: sha256(notebook), page: sha256(page) },
    run: record,
  };
  fs.writeFileSync(path.join(tmp, "entry.json"), JSON.stringify(entry, null, 1));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  const siblings = fs
    .readdirSync(cacheDir)
    .filter((d) => d.startsWith(`${run.name}-`) && /-[0-9a-f]{16}$/.test(d) && d.slice(0, -17) === run.name)
    .map((d) => ({ d, t: fs.statSync(path.join(cacheDir, d)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { d } of siblings.slice(ENTRIES_PER_NOTEBOOK)) fs.rmSync(path.join(cacheDir, d), { recursive: true, force: true });
}

/** The note on top of a page taken from the cache: when it was executed and under which key. */
export function cacheNoteHtml(entry: CacheEntry): string {
  return (
    `<div class="runbook-cache-note" style="border:1px solid #b6d4fe;background:#eef5ff;padding:.5em 1em;margin:.5em 0;font-family:system-ui,sans-serif">` +
    `Taken from the runner's cache: executed ${escapeHtml(entry.executedAt.replace("T", " ").slice(0, 19))} UTC under cache key <code>${escapeHtml(entry.key.slice(0, 16))}</code>. ` +
    `Its code, parameters, library modules, lockfile, data files and engine are unchanged since (<code>--force</code> re-runs it).</div>`
  );
}

/** Copies an entry's executed notebook and page (with the cache note) into the report folder; returns the run record. */
export function restore(cacheDir: string, entry: CacheEntry, reportDir: string): NotebookRun {
  const dir = entryDir(cacheDir, entry.run.name, entry.key);
  fs.copyFileSync(path.join(dir, "notebook.ipynb"), path.join(reportDir, `${entry.run.name}.ipynb`));
  const html = fs.readFileSync(path.join(dir, "page.html"), "utf8");
  const note = cacheNoteHtml(entry);
  const page = /<body[^>]*>/i.test(html) ? html.replace(/<body[^>]*>/i, (m) => `${m}\n${note}`) : note + html;
  fs.writeFileSync(path.join(reportDir, `${entry.run.name}.html`), page);
  return { ...entry.run, cache: { key: entry.key, executedAt: entry.executedAt, fromCache: true } };
}

/** Marks a stored entry as checked in the browser (it was restored unchecked and has now passed). */
export function markChecked(cacheDir: string, entry: CacheEntry): void {
  const file = path.join(entryDir(cacheDir, entry.run.name, entry.key), "entry.json");
  fs.writeFileSync(file, JSON.stringify({ ...entry, browserChecked: true }, null, 1));
}
