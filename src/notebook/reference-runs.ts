/**
 * PyTorch reference runs: the same network, data and schedule as a notebook, trained by a script in
 * scripts/reference/ on this machine and committed as JSON under bench/reference/. A notebook shows
 * the figure as a stated reference (as §5 does) and checks its own result against it; the file says
 * which torch, how many threads, when, and with which settings, so the claim can be re-measured.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";

/** A committed reference run: its provenance plus every field the script wrote. */
export interface ReferenceRun {
  /** The file it was read from. */
  file: string;
  /** The script that produced it, e.g. "scripts/reference/resnet20_fashion_mnist.py". */
  script: string;
  torch: string;
  threads: number;
  /** UTC date of the run, YYYY-MM-DD. */
  date: string;
  /** The run's settings (epochs, batch, learning rate, …) as the script recorded them. */
  settings: Record<string, unknown>;
  /** A number the script recorded, e.g. figure("testAccuracy"); throws naming the file if it is missing. */
  figure(key: string): number;
  /** One number from every entry of a list the script recorded, e.g. column("epochs", "testAccuracy"). */
  column(listKey: string, field: string): number[];
}

/** The folder of committed reference results. */
export const REFERENCE_DIR = path.join(PROJECT_ROOT, "bench", "reference");

/** Read `bench/reference/<name>.json` (or a path), checking the provenance fields every run must have. */
export function loadReferenceRun(nameOrFile: string): ReferenceRun {
  const file = nameOrFile.endsWith(".json") ? nameOrFile : path.join(REFERENCE_DIR, `${nameOrFile}.json`);
  if (!fs.existsSync(file)) throw new Error(`reference run ${file} not found: produce it with the script in scripts/reference/ (see the README)`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`reference run ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`reference run ${file}: expected a JSON object`);
  const record = raw as Record<string, unknown>;
  const text = (key: string): string => {
    if (typeof record[key] !== "string" || record[key] === "") throw new Error(`reference run ${file}: "${key}" must be a non-empty string`);
    return record[key] as string;
  };
  const threads = record.threads;
  if (!(typeof threads === "number" && Number.isInteger(threads) && threads > 0))
    throw new Error(`reference run ${file}: "threads" must be a positive integer`);
  const date = text("date");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`reference run ${file}: "date" must be YYYY-MM-DD, got "${date}"`);
  const settings = record.settings;
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) throw new Error(`reference run ${file}: "settings" must be an object`);
  return {
    file,
    script: text("script"),
    torch: text("torch"),
    threads,
    date,
    settings: settings as Record<string, unknown>,
    figure(key: string): number {
      const v = record[key];
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`reference run ${file}: "${key}" must be a finite number`);
      return v;
    },
    column(listKey: string, field: string): number[] {
      const list = record[listKey];
      if (!Array.isArray(list) || list.length === 0) throw new Error(`reference run ${file}: "${listKey}" must be a non-empty list`);
      return list.map((entry: unknown, i) => {
        const v = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>)[field] : undefined;
        if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`reference run ${file}: ${listKey}[${i}].${field} must be a finite number`);
        return v;
      });
    },
  };
}
