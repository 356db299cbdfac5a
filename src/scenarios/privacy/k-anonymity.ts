/**
 * k-anonymity over danfo.js DataFrames (article §9.4, desensitisation of tables). A table is
 * k-anonymous on its quasi-identifiers (attributes that are not secret alone but identify people
 * in combination, e.g. sender domain + time zone + hour) when every combination that occurs is
 * shared by at least k rows (Sweeney 2002). Generalisation coarsens quasi-identifiers along a
 * hierarchy (full domain → registrable domain → top-level domain → "*"); the Datafly heuristic
 * generalises the attribute with the most distinct values until few enough rows violate k, then
 * suppresses those rows. k-anonymity bounds re-identification by linkage, not attribute
 * disclosure (a class whose rows all share a sensitive value still discloses it).
 */
import * as dfd from "danfojs-node";
import { requireInRange, requireIntegerAtLeast, requirePositiveInteger } from "../../core/validate";

export type Cell = string | number;
/** Maps a raw value to its generalised value at one level of a hierarchy. */
export type Generalizer = (value: Cell) => Cell;
/** A generalisation hierarchy per column: levels[0] is usually the identity, the last "*". */
export type Hierarchies = Record<string, readonly Generalizer[]>;

/** One equivalence class: a combination of quasi-identifier values and how many rows share it. */
export interface EquivalenceClass {
  values: Cell[];
  size: number;
}

/** What {@link kAnonymity} reports. */
export interface KAnonymityReport {
  /** The k the table satisfies: the size of its smallest equivalence class (0 for an empty table). */
  k: number;
  rows: number;
  classes: number;
  /** Rows in classes smaller than `target`. */
  rowsBelowTarget: number;
  target: number;
  /** Rows in classes of size 1: unique, hence re-identifiable by linkage. */
  uniqueRows: number;
}

function columnValues(df: dfd.DataFrame, col: string): Cell[] {
  if (!df.columns.includes(col)) throw new Error(`k-anonymity: column "${col}" is not in the table; columns are ${df.columns.join(", ")}`);
  return df.column(col).values as Cell[];
}

function rowKeys(df: dfd.DataFrame, qis: readonly string[]): string[] {
  if (qis.length === 0) throw new Error("k-anonymity: quasiIdentifiers is empty; expected at least one column");
  const cols = qis.map((c) => columnValues(df, c));
  const n = df.shape[0];
  return Array.from({ length: n }, (_, i) => JSON.stringify(cols.map((c) => c[i])));
}

/** The equivalence classes of `df` on the quasi-identifiers, largest first (article §9.4). */
export function equivalenceClasses(df: dfd.DataFrame, quasiIdentifiers: readonly string[]): EquivalenceClass[] {
  const sizes = new Map<string, number>();
  for (const k of rowKeys(df, quasiIdentifiers)) sizes.set(k, (sizes.get(k) ?? 0) + 1);
  return [...sizes.entries()].map(([k, size]) => ({ values: JSON.parse(k) as Cell[], size })).sort((a, b) => b.size - a.size);
}

/** The table's k on the quasi-identifiers and how many rows fall short of `target` (article §9.4). */
export function kAnonymity(df: dfd.DataFrame, quasiIdentifiers: readonly string[], target = 2): KAnonymityReport {
  requirePositiveInteger("kAnonymity", "target", target);
  const classes = equivalenceClasses(df, quasiIdentifiers);
  return {
    k: classes.length ? Math.min(...classes.map((c) => c.size)) : 0,
    rows: df.shape[0],
    classes: classes.length,
    rowsBelowTarget: classes.filter((c) => c.size < target).reduce((s, c) => s + c.size, 0),
    target,
    uniqueRows: classes.filter((c) => c.size === 1).length,
  };
}

/** A copy of `df` with the given columns mapped through their generalisers. */
export function generalize(df: dfd.DataFrame, generalizers: Record<string, Generalizer>): dfd.DataFrame {
  const data: Record<string, Cell[]> = {};
  for (const col of df.columns) {
    const values = columnValues(df, col);
    const g = generalizers[col];
    data[col] = g ? values.map((v) => g(v)) : [...values];
  }
  for (const col of Object.keys(generalizers)) columnValues(df, col); // names a missing column
  return new dfd.DataFrame(data);
}

/** Drops the rows whose equivalence class is smaller than k (suppression). */
export function suppressBelowK(df: dfd.DataFrame, quasiIdentifiers: readonly string[], k: number): { frame: dfd.DataFrame; suppressed: number } {
  const keys = rowKeys(df, quasiIdentifiers);
  const sizes = new Map<string, number>();
  for (const key of keys) sizes.set(key, (sizes.get(key) ?? 0) + 1);
  const keep = keys.map((key, i) => ((sizes.get(key) as number) >= k ? i : -1)).filter((i) => i >= 0);
  const data: Record<string, Cell[]> = {};
  for (const col of df.columns) {
    const values = columnValues(df, col);
    data[col] = keep.map((i) => values[i]);
  }
  if (keep.length === 0) throw new Error(`suppressBelowK: every row is in a class smaller than ${k}; generalise further first`);
  return { frame: new dfd.DataFrame(data), suppressed: keys.length - keep.length };
}

/** What {@link datafly} returns. */
export interface DataflyResult {
  /** The k-anonymous table (generalised, then suppressed). */
  frame: dfd.DataFrame;
  /** The hierarchy level used per quasi-identifier. */
  levels: Record<string, number>;
  suppressed: number;
  /** One entry per generalisation step: which column went up, and the rows still below k. */
  steps: { column: string; level: number; rowsBelowK: number }[];
  report: KAnonymityReport;
}

/**
 * Datafly (Sweeney 2002): while more than `maxSuppression` (a fraction of rows) are in classes
 * smaller than k, raise the level of the quasi-identifier with the most distinct values; then
 * suppress the remaining violating rows (article §9.4).
 */
export function datafly(df: dfd.DataFrame, hierarchies: Hierarchies, k: number, maxSuppression = 0.02): DataflyResult {
  requireIntegerAtLeast("datafly", "k", k, 2);
  requireInRange("datafly", "maxSuppression", maxSuppression, 0, 1, "[)");
  const qis = Object.keys(hierarchies);
  for (const q of qis) if (hierarchies[q].length === 0) throw new Error(`datafly: the hierarchy of "${q}" has no levels`);
  for (const q of qis) columnValues(df, q); // names a missing column
  const levels: Record<string, number> = Object.fromEntries(qis.map((q) => [q, 0]));
  const apply = (): dfd.DataFrame => generalize(df, Object.fromEntries(qis.map((q) => [q, hierarchies[q][levels[q]]])));
  const steps: DataflyResult["steps"] = [];
  let current = apply();
  const budget = Math.floor(maxSuppression * df.shape[0]);
  for (;;) {
    const below = kAnonymity(current, qis, k).rowsBelowTarget;
    if (below <= budget) break;
    const candidates = qis.filter((q) => levels[q] < hierarchies[q].length - 1);
    if (candidates.length === 0) break;
    const distinct = (q: string): number => new Set(columnValues(current, q)).size;
    const column = candidates.reduce((best, q) => (distinct(q) > distinct(best) ? q : best));
    levels[column]++;
    current = apply();
    steps.push({ column, level: levels[column], rowsBelowK: kAnonymity(current, qis, k).rowsBelowTarget });
  }
  const { frame, suppressed } = suppressBelowK(current, qis, k);
  return { frame, levels, suppressed, steps, report: kAnonymity(frame, qis, k) };
}

/** The identity generaliser (level 0). */
export const keep: Generalizer = (v) => v;
/** Full suppression of a value (the top level of every hierarchy). */
export const star: Generalizer = () => "*";

const SECOND_LEVEL = new Set(["co", "com", "ac", "net", "org", "gov", "edu", "ne", "or"]);

/** A domain hierarchy: mail.cs.example.ac.uk → example.ac.uk (registrable domain) → .uk → "*". */
export function domainHierarchy(): Generalizer[] {
  const registrable = (v: Cell): Cell => {
    const labels = String(v).toLowerCase().split(".").filter(Boolean);
    if (labels.length <= 2) return labels.join(".");
    const n = labels.length;
    const take = labels[n - 1].length === 2 && SECOND_LEVEL.has(labels[n - 2]) ? 3 : 2;
    return labels.slice(-take).join(".");
  };
  const tld = (v: Cell): Cell => {
    const s = String(v);
    return s && s !== "?" ? "." + s.toLowerCase().split(".").pop() : s;
  };
  return [keep, registrable, tld, star];
}

/** A numeric hierarchy of bands: each width w maps v to "lo–hi" with lo = floor(v / w)·w; then "*". */
export function bandHierarchy(widths: readonly number[], wrap?: number): Generalizer[] {
  const band =
    (w: number): Generalizer =>
    (v) => {
      if (typeof v !== "number" || !Number.isFinite(v)) return String(v);
      const lo = Math.floor(v / w) * w;
      const hi = wrap !== undefined ? Math.min(lo + w, wrap) - 1 : lo + w - 1;
      return w === 1 ? lo : `${lo}–${hi}`;
    };
  return [keep, ...widths.map(band), star];
}
