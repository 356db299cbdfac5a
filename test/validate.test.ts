import { test } from "node:test";
import assert from "node:assert/strict";
import {
  requireAbove,
  requireAtLeast,
  requireFinite,
  requireInRange,
  requireInteger,
  requireIntegerAtLeast,
  requireIntegerInRange,
  requireNonEmptyString,
  requireNonNegative,
  requireNonNegativeInteger,
  requireOneOf,
  requirePositive,
  requirePositiveInteger,
  requireShape,
} from "../src/core/validate";

/** Asserts `fn` accepts every value in `good` and rejects every value in `bad` with `message(value)`. */
function check(validate: (v: number) => void, good: number[], bad: number[], message: (v: number) => RegExp): void {
  for (const v of good) assert.doesNotThrow(() => validate(v), `${v} should pass`);
  for (const v of bad) {
    const expected = message(v);
    assert.throws(
      () => validate(v),
      (e: Error) => expected.test(e.message) || assert.fail(`${v}: message ${JSON.stringify(e.message)} does not match ${expected}`),
    );
  }
}

const esc = (v: unknown): string => String(v).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("integer validators name the function, the parameter and the expectation", () => {
  check(
    (v) => requirePositiveInteger("evaluateClassifier", "batchSize", v),
    [1, 2, 1e6],
    [0, -1, 1.5, NaN, Infinity],
    (v) => new RegExp(`^evaluateClassifier: batchSize must be a positive integer; got ${esc(v)}$`),
  );
  check(
    (v) => requireNonNegativeInteger("f", "padding", v),
    [0, 3],
    [-1, 0.5, NaN],
    (v) => new RegExp(`^f: padding must be a non-negative integer; got ${esc(v)}$`),
  );
  check(
    (v) => requireInteger("f", "seed", v),
    [-3, 0, 7],
    [0.1, NaN, Infinity],
    (v) => new RegExp(`^f: seed must be an integer; got ${esc(v)}$`),
  );
  check(
    (v) => requireIntegerAtLeast("linspace", "n", v, 2),
    [2, 10],
    [1, 2.5, NaN],
    (v) => new RegExp(`^linspace: n must be an integer ≥ 2; got ${esc(v)}$`),
  );
  check(
    (v) => requireIntegerInRange("kupiecTest", "x", v, 0, 10),
    [0, 10],
    [-1, 11, 3.5],
    (v) => new RegExp(`^kupiecTest: x must be an integer in 0\\.\\.10; got ${esc(v)}$`),
  );
});

test("number validators reject NaN and respect the interval's ends", () => {
  check(
    (v) => requireFinite("f", "bias", v),
    [0, -1e300],
    [NaN, Infinity, -Infinity],
    (v) => new RegExp(`^f: bias must be a finite number; got ${esc(v)}$`),
  );
  check(
    (v) => requireAbove("f", "lr", v, 0),
    [1e-9, Infinity],
    [0, -1, NaN],
    (v) => new RegExp(`^f: lr must be > 0; got ${esc(v)}$`),
  );
  check(
    (v) => requireAtLeast("f", "x", v, 0),
    [0, 5],
    [-1e-9, NaN],
    (v) => new RegExp(`^f: x must be ≥ 0; got ${esc(v)}$`),
  );
  check(
    (v) => requirePositive("f", "lr", v),
    [1e-9, 3],
    [0, -1, NaN, Infinity],
    (v) => new RegExp(`^f: lr must be a finite number > 0; got ${esc(v)}$`),
  );
  check(
    (v) => requireNonNegative("f", "slope", v),
    [0, 2],
    [-0.1, NaN, Infinity],
    (v) => new RegExp(`^f: slope must be a finite number ≥ 0; got ${esc(v)}$`),
  );
  check(
    (v) => requireInRange("f", "p", v, 0, 1),
    [0, 0.5, 1],
    [-0.1, 1.1, NaN],
    (v) => new RegExp(`^f: p must be in \\[0, 1\\]; got ${esc(v)}$`),
  );
  check(
    (v) => requireInRange("f", "p", v, 0, 1, "()"),
    [0.5],
    [0, 1],
    (v) => new RegExp(`^f: p must be in \\(0, 1\\); got ${esc(v)}$`),
  );
  check(
    (v) => requireInRange("f", "p", v, 0, 1, "[)"),
    [0, 0.99],
    [1],
    () => /must be in \[0, 1\); got 1$/,
  );
  check(
    (v) => requireInRange("f", "p", v, 0, 1, "(]"),
    [1],
    [0],
    () => /must be in \(0, 1\]; got 0$/,
  );
});

test("requireOneOf lists the choices and quotes strings; requireShape and requireNonEmptyString", () => {
  const mode: unknown = "reflect";
  requireOneOf("cropAt", "mode", mode, ["constant", "reflect"] as const);
  const narrowed: "constant" | "reflect" = mode; // compiles only because requireOneOf narrows
  assert.equal(narrowed, "reflect");
  assert.throws(
    () => requireOneOf("cropAt", "mode", "wrap", ["constant", "reflect"] as const),
    /^Error: cropAt: mode must be "constant" or "reflect"; got "wrap"$/,
  );
  assert.throws(() => requireOneOf("f", "stride", 3, [1, 2, 4]), /^Error: f: stride must be one of 1, 2, 4; got 3$/);
  requireShape("buildLeNet", "inputShape", [32, 32, 3], ["height", "width", "channels"]);
  assert.throws(
    () => requireShape("buildLeNet", "inputShape", [32, 32, 0], ["height", "width", "channels"]),
    /^Error: buildLeNet: inputShape must be \[height, width, channels\] of positive integers; got \[32, 32, 0\]$/,
  );
  assert.throws(() => requireShape("f", "inputShape", [32, 32], ["height", "width", "channels"]), /got \[32, 32\]$/);
  requireNonEmptyString("f", "id", "a");
  assert.throws(() => requireNonEmptyString("f", "id", ""), /^Error: f: id must be a non-empty string; got ""$/);
  assert.throws(() => requireNonEmptyString("f", "id", 3), /got 3$/);
});
