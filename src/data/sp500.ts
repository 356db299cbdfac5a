/**
 * The S&P 500 index, daily, 2000-01-03 … 2020-04-17 (npm `vega-datasets` 3.2.1, file
 * `data/sp500-2000.csv`; the package's metadata names Yahoo Finance as the source). Used by the
 * §6 financial-risk scenario. Every row is validated: the header, seven fields, an ISO date
 * strictly after the previous one, positive finite prices with low ≤ open, close ≤ high, and a
 * non-negative volume. A bad row gives an error naming the file, the line and what was expected.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { type InstalledPackage, installedPackage } from "../core/packages";
import { readCsv } from "./csv";

/** The npm package that carries the file. */
export const SP500_PACKAGE = "vega-datasets";
/** The file inside the package. */
export const SP500_FILE = "data/sp500-2000.csv";
/** The expected header, in order. */
export const SP500_COLUMNS: readonly string[] = ["date", "open", "high", "low", "close", "adjclose", "volume"];

/** One column per field; index i is trading day i (dates strictly increasing). */
export interface Sp500Data {
  /** ISO dates "YYYY-MM-DD". */
  dates: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Close adjusted for dividends and splits (equal to close for a price index). */
  adjClose: Float64Array;
  volume: Float64Array;
  /** The file read. */
  file: string;
  /** Human-readable provenance. */
  source: string;
}

/**
 * The path of `data/sp500-2000.csv` in the installed `vega-datasets` (article §6). The package's
 * `exports` map hides `package.json` from `require.resolve`, so it is found the way Node looks up
 * packages (`require.resolve.paths`). `pkg` is the package as found (tests pass a stand-in).
 */
export function sp500CsvPath(pkg: InstalledPackage | null = installedPackage(SP500_PACKAGE)): string {
  if (!pkg) {
    throw new Error(`npm package ${SP500_PACKAGE} is not installed; run \`npm install\` (package.json pins ${SP500_PACKAGE} 3.2.1), which provides ${SP500_FILE}`);
  }
  const file = path.join(pkg.dir, SP500_FILE);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: npm package ${SP500_PACKAGE} ${pkg.version} has no ${SP500_FILE}; expected version 3.2.1 (run \`npm install\`)`);
  }
  return file;
}

/** The git blob SHA-1 of a file: what `vega-datasets`' datapackage.json lists as each file's hash (article §6). */
export function gitBlobSha1(file: string): string {
  const bytes = fs.readFileSync(file);
  return crypto.createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** The hash datapackage.json records for the S&P 500 file, or null when the metadata is absent. */
export function sp500PublishedHash(): string | null {
  const pkg = installedPackage(SP500_PACKAGE);
  if (!pkg) return null;
  const meta = path.join(pkg.dir, "datapackage.json");
  if (!fs.existsSync(meta)) return null;
  const resources = (JSON.parse(fs.readFileSync(meta, "utf8")) as { resources?: { path?: string; hash?: string }[] }).resources ?? [];
  const entry = resources.find((r) => r.path === path.basename(SP500_FILE));
  return entry?.hash?.replace(/^sha1:/, "") ?? null;
}

function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Reads and validates the daily S&P 500 table (article §6, financial risk control). */
export function loadSp500(file: string = sp500CsvPath()): Sp500Data {
  if (!fs.existsSync(file)) throw new Error(`S&P 500 table ${file} not found; expected ${SP500_FILE} from npm package ${SP500_PACKAGE} (run \`npm install\`)`);
  const table = readCsv(file, SP500_COLUMNS);
  const n = table.rows.length;
  if (n < 2) throw new Error(`${file} has ${n} data row(s); expected at least 2 trading days`);
  const dates: string[] = [];
  const cols = SP500_COLUMNS.slice(1).map(() => new Float64Array(n));
  const [open, high, low, close, adjClose, volume] = cols;
  for (let i = 0; i < n; i++) {
    const where = `${file} line ${table.lines[i]}`;
    const fields = table.rows[i];
    const date = fields[0].trim();
    if (!isCalendarDate(date)) throw new Error(`${where}: date "${fields[0]}"; expected an ISO date YYYY-MM-DD`);
    if (i > 0 && date <= dates[i - 1]) {
      throw new Error(`${where}: date ${date} is not after the previous row's ${dates[i - 1]}; expected strictly increasing dates`);
    }
    dates.push(date);
    for (let j = 1; j < SP500_COLUMNS.length; j++) {
      const text = fields[j].trim();
      const v = Number(text);
      const isVolume = j === SP500_COLUMNS.length - 1;
      if (text === "" || !Number.isFinite(v) || (isVolume ? v < 0 : v <= 0)) {
        throw new Error(`${where}, column ${j + 1} (${SP500_COLUMNS[j]}) is "${fields[j]}"; expected ${isVolume ? "a finite number ≥ 0" : "a positive finite price"}`);
      }
      cols[j - 1][i] = v;
    }
    if (low[i] > Math.min(open[i], close[i]) || high[i] < Math.max(open[i], close[i])) {
      throw new Error(`${where}: low ${low[i]} / high ${high[i]} do not bracket open ${open[i]} and close ${close[i]}; expected low ≤ open, close ≤ high`);
    }
  }
  return {
    dates, open, high, low, close, adjClose, volume, file,
    source: `S&P 500 daily prices ${dates[0]} … ${dates[n - 1]} (npm ${SP500_PACKAGE}, ${SP500_FILE}; source named in its metadata: Yahoo Finance)`,
  };
}
