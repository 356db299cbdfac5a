/**
 * Tables for the tabular notebooks (§3.2's five steps, §6, §9.2): danfo.js DataFrames, a
 * seeded stratified train/test split, and standardisation whose statistics come from the
 * training split only (fitting on all rows would leak the test set into training).
 */
import * as tf from "@tensorflow/tfjs";
import * as dfd from "danfojs-node";
import { mulberry32, shuffleInPlace } from "../core/random";

/** A danfo.js DataFrame from rows of numbers and column names. */
export function toFrame(rows: number[][], columns: readonly string[]): dfd.DataFrame {
  if (rows.length > 0 && rows[0].length !== columns.length) {
    throw new Error(`toFrame: rows have ${rows[0].length} values but ${columns.length} column names were given`);
  }
  return new dfd.DataFrame(rows, { columns: [...columns] });
}

/**
 * Indices of a seeded, stratified split: each class keeps its share in both parts
 * (like scikit-learn's `train_test_split(..., stratify=y)`).
 */
export function stratifiedSplit(labels: ArrayLike<number>, testFraction: number, seed: number): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`stratifiedSplit: testFraction=${testFraction}; expected a number between 0 and 1`);
  const rng = mulberry32(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffleInPlace(byClass.get(cls) as number[], rng);
    const nTest = Math.round(idx.length * testFraction);
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest));
  }
  return { train: train.sort((a, b) => a - b), test: test.sort((a, b) => a - b) };
}

/** Rows of `rows` at `indices`. */
export function pickRows<T>(rows: readonly T[], indices: readonly number[]): T[] {
  return indices.map((i) => {
    if (i < 0 || i >= rows.length) throw new Error(`pickRows: index ${i} outside 0..${rows.length - 1}`);
    return rows[i];
  });
}

export interface Standardizer {
  /** Per-column mean and standard deviation (population, ddof 0) of the training rows. */
  mean: number[];
  std: number[];
  /** (x − mean) / std with the training statistics; constant columns map to 0. */
  transform(rows: number[][]): number[][];
}

/** Fits standardisation on the training rows only, with danfo.js's StandardScaler (article §3.2 step 1). */
export function fitStandardizer(trainRows: number[][], columns: readonly string[]): Standardizer {
  if (trainRows.length < 2) throw new Error(`fitStandardizer: ${trainRows.length} training rows; expected at least 2`);
  // danfo keeps the fitted statistics as tensors: read them into plain arrays inside a tidy so
  // none of its tensors outlive the fit.
  const [mean, std] = tf.tidy(() => {
    const scaler = new dfd.StandardScaler();
    scaler.fit(toFrame(trainRows, columns));
    const state = scaler as unknown as { $mean: { arraySync(): number[] }; $std: { arraySync(): number[] } };
    return [state.$mean.arraySync(), state.$std.arraySync()];
  });
  return {
    mean,
    std,
    transform(rows) {
      return rows.map((r, i) => {
        if (r.length !== mean.length) throw new Error(`standardize: row ${i} has ${r.length} values; expected ${mean.length}`);
        return r.map((v, j) => (std[j] > 0 ? (v - mean[j]) / std[j] : 0));
      });
    },
  };
}

/**
 * Per-column mean and population standard deviation (ddof 0) of `rows`, in float64: what
 * standardisation should leave as 0 and 1 on the training rows (article §3.2 step 1).
 */
export function columnStats(rows: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  if (rows.length === 0) throw new Error("columnStats: rows is empty; expected at least one row");
  const width = rows[0].length;
  rows.forEach((r, i) => {
    if (r.length !== width) throw new Error(`columnStats: row ${i} has ${r.length} values; expected ${width} like row 0`);
  });
  const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j] - m) ** 2, 0) / rows.length));
  return { mean, std };
}

/** The three parts of a table, as row indices, standardised features and labels. */
export interface SplitParts<T> {
  train: T;
  /** Empty when no validation part was asked for. */
  val: T;
  test: T;
}

/** What {@link standardizedSplit} returns: which rows went where, and the rows ready for a model. */
export interface StandardizedSplit {
  seed: number;
  /** Row indices into the table. */
  idx: SplitParts<number[]>;
  /** Features standardised with the training rows' statistics: [rows][columns]. */
  X: SplitParts<number[][]>;
  /** Labels of the rows, in the order of `idx`. */
  y: SplitParts<number[]>;
  /** Fitted on the training rows only; apply it to any new row before predicting. */
  standardizer: Standardizer;
}

/**
 * A seeded, stratified train/(validation/)test split with the standardiser fitted on the training
 * rows only (article §3.2 step 1; §6.4, §9.2). `testFraction` of all rows go to the test part
 * (`stratifiedSplit(labels, testFraction, seed)`); if `valFraction` > 0, that share of the rest goes
 * to the validation part (`stratifiedSplit` again with seed + 1). Same seed, same split.
 */
export function standardizedSplit(
  X: readonly number[][],
  labels: ArrayLike<number>,
  columns: readonly string[],
  options: { testFraction: number; valFraction?: number; seed: number },
): StandardizedSplit {
  const { testFraction, valFraction = 0, seed } = options;
  if (X.length !== labels.length) throw new Error(`standardizedSplit: X has ${X.length} rows but labels has ${labels.length}; expected one label per row`);
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`standardizedSplit: valFraction=${valFraction}; expected a number in [0, 1)`);
  const y = Array.from(labels);
  const outer = stratifiedSplit(y, testFraction, seed);
  let train = outer.train;
  let val: number[] = [];
  if (valFraction > 0) {
    const rest = outer.train; // indices into the table
    const inner = stratifiedSplit(rest.map((i) => y[i]), valFraction, seed + 1);
    train = inner.train.map((k) => rest[k]);
    val = inner.test.map((k) => rest[k]);
  }
  const idx = { train, val, test: outer.test };
  const standardizer = fitStandardizer(pickRows(X, train), columns);
  const rowsOf = (part: number[]): number[][] => standardizer.transform(pickRows(X, part));
  return {
    seed,
    idx,
    X: { train: rowsOf(train), val: rowsOf(val), test: rowsOf(idx.test) },
    y: { train: pickRows(y, train), val: pickRows(y, val), test: pickRows(y, idx.test) },
    standardizer,
  };
}

/**
 * Indices of a seeded split that keeps each group (a school, a speaker) wholly on one side, so the
 * test set measures how a model does on groups it never saw. About `testFraction` of the groups
 * (not of the rows) go to the test side.
 */
export function groupSplit(groups: readonly string[], testFraction: number, seed: number): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`groupSplit: testFraction=${testFraction}; expected a number between 0 and 1`);
  const names = [...new Set(groups)].sort();
  if (names.length < 2) throw new Error(`groupSplit: ${names.length} distinct group(s); expected at least 2`);
  const nTest = Math.min(names.length - 1, Math.max(1, Math.round(names.length * testFraction)));
  const testGroups = new Set(shuffleInPlace(names, mulberry32(seed)).slice(0, nTest));
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((g, i) => (testGroups.has(g) ? test : train).push(i));
  return { train, test };
}

/**
 * One-hot columns for a categorical variable: `levels` fixes the columns (so train and test
 * encode alike); a value outside them is an error naming the column.
 */
export function oneHot(values: readonly string[], levels: readonly string[], column: string): number[][] {
  const index = new Map(levels.map((l, i) => [l, i]));
  return values.map((v, i) => {
    const j = index.get(v);
    if (j === undefined) throw new Error(`oneHot: ${column} row ${i} is "${v}"; expected one of ${levels.join(", ")}`);
    const row = new Array<number>(levels.length).fill(0);
    row[j] = 1;
    return row;
  });
}
