/**
 * Argument validators shared by every layer: one wording for every bad argument,
 * `<fn>: <name> must be <expectation>; got <value>`, e.g.
 * `evaluateClassifier: batchSize must be a positive integer; got 0`.
 * Each one returns nothing and throws an Error when the value is not acceptable.
 */

/** How a bad value is shown in a message: strings quoted (so "" and " " are visible), arrays bracketed. */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(", ")}]`;
  return String(value);
}

/** Throws `<fn>: <name> must be <expectation>; got <value>`. */
export function failArgument(fn: string, name: string, expectation: string, value: unknown): never {
  throw new Error(`${fn}: ${name} must be ${expectation}; got ${showValue(value)}`);
}

/** Any integer (…, −1, 0, 1, …), e.g. a seed. */
export function requireInteger(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value)) failArgument(fn, name, "an integer", value);
}

/** An integer ≥ 1 (sizes, counts, batch sizes). */
export function requirePositiveInteger(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) failArgument(fn, name, "a positive integer", value);
}

/** An integer ≥ 0 (paddings, limits, step counts that may be zero). */
export function requireNonNegativeInteger(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) failArgument(fn, name, "a non-negative integer", value);
}

/** An integer ≥ lo, for lower bounds other than 0 and 1 (e.g. a grid of n ≥ 2 points). */
export function requireIntegerAtLeast(fn: string, name: string, value: number, lo: number): void {
  if (!Number.isInteger(value) || value < lo) failArgument(fn, name, `an integer ≥ ${lo}`, value);
}

/** An integer in lo..hi, both ends included (class indices, counts bounded by a total). */
export function requireIntegerInRange(fn: string, name: string, value: number, lo: number, hi: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi) failArgument(fn, name, `an integer in ${lo}..${hi}`, value);
}

/** A finite number (not NaN, not ±Infinity). */
export function requireFinite(fn: string, name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) failArgument(fn, name, "a finite number", value);
}

/** A number > lo (NaN fails), e.g. a learning rate > 0. */
export function requireAbove(fn: string, name: string, value: number, lo: number): void {
  if (!(value > lo)) failArgument(fn, name, `> ${lo}`, value);
}

/** A number ≥ lo (NaN fails). */
export function requireAtLeast(fn: string, name: string, value: number, lo: number): void {
  if (!(value >= lo)) failArgument(fn, name, `≥ ${lo}`, value);
}

/** Which ends of an interval belong to it: "[]" both, "()" neither, "[)" and "(]" one. */
export type IntervalEnds = "[]" | "()" | "[)" | "(]";

/** A number in the interval lo..hi with the given ends (NaN fails), e.g. a probability in [0, 1]. */
export function requireInRange(fn: string, name: string, value: number, lo: number, hi: number, ends: IntervalEnds = "[]"): void {
  const aboveLo = ends[0] === "[" ? value >= lo : value > lo;
  const belowHi = ends[1] === "]" ? value <= hi : value < hi;
  if (!(aboveLo && belowHi)) failArgument(fn, name, `in ${ends[0]}${lo}, ${hi}${ends[1]}`, value);
}

/** One of a fixed set of values (modes, names, small integer choices); narrows the type. */
export function requireOneOf<T extends string | number>(fn: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) {
    const choices = allowed.map(showValue);
    const expectation = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `one of ${choices.join(", ")}`;
    failArgument(fn, name, expectation, value);
  }
}

/**
 * A shape of positive integers with one entry per named dimension, e.g.
 * `requireShape("buildLeNet", "inputShape", [32, 32, 3], ["height", "width", "channels"])`.
 */
export function requireShape(fn: string, name: string, shape: readonly number[], dimensionNames: readonly string[]): void {
  if (shape.length !== dimensionNames.length || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    failArgument(fn, name, `[${dimensionNames.join(", ")}] of positive integers`, shape);
  }
}

/** A non-empty string. */
export function requireNonEmptyString(fn: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value === "") failArgument(fn, name, "a non-empty string", value);
}

/** A finite number > 0 (learning rates, scales). */
export function requirePositive(fn: string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) failArgument(fn, name, "a finite number > 0", value);
}

/** A finite number ≥ 0 (costs, slopes, temperatures). */
export function requireNonNegative(fn: string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) failArgument(fn, name, "a finite number ≥ 0", value);
}
