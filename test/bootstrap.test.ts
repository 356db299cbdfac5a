/** Paired bootstrap of a metric difference (article §6, §9.2). */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { pairedBootstrap } from "../src/evaluation/bootstrap";

const accuracy = (y: Int32Array, p: Int32Array): number => y.reduce((s, v, i) => s + (v === p[i] ? 1 : 0), 0) / y.length;

test("identical predictions: difference 0 in every resample", () => {
  const y = [0, 1, 1, 0, 1];
  const p = [0, 1, 0, 0, 0];
  const r = pairedBootstrap(y, p, p, accuracy, { seed: 1, numResamples: 200 });
  assert.deepEqual([r.difference, r.lower, r.upper, r.shareAWins, r.numResamples], [0, 0, 0, 0, 200]);
});

test("A always right, B always wrong: accuracy difference exactly 1 in every resample", () => {
  const y = [0, 1, 1, 0];
  const r = pairedBootstrap(
    y,
    y,
    y.map((v) => 1 - v),
    accuracy,
    { seed: 2, numResamples: 100 },
  );
  assert.deepEqual([r.difference, r.lower, r.upper, r.shareAWins], [1, 1, 1, 1]);
});

test("seeded: the same seed gives the same interval; the interval width matches the normal approximation", () => {
  // 400 items: A right on 360, B right on 330; they disagree on 50 items (A right on 40 of them, B on 10).
  const n = 400;
  const y = new Array<number>(n).fill(1);
  const a = y.map((_, i) => (i < 40 ? 0 : 1)); // wrong on items 0..39
  const b = y.map((_, i) => (i >= 30 && i < 40 ? 0 : i >= 40 && i < 110 ? 0 : 1)); // wrong on 30..109 (80 items, 10 shared with A)
  const r1 = pairedBootstrap(y, a, b, accuracy, { seed: 7, numResamples: 2000 });
  const r2 = pairedBootstrap(y, a, b, accuracy, { seed: 7, numResamples: 2000 });
  assert.deepEqual(r1, r2);
  assert.equal(r1.difference, 360 / 400 - 320 / 400);
  // d_i = correct_A − correct_B ∈ {−1, 0, 1}: +1 on 70 items, −1 on 30: mean 0.1, var = 100/400 − 0.1² = 0.24;
  // SE = √(0.24 / 400) = 0.024495; a 95% normal interval is ±1.96·SE = ±0.04801.
  const halfWidth = (r1.upper - r1.lower) / 2;
  assert.ok(Math.abs(halfWidth - 0.04801) <= 0.006, `half width ${halfWidth}, normal approximation 0.048`);
  assert.ok(r1.lower <= r1.difference && r1.difference <= r1.upper);
  assert.ok(r1.shareAWins > 0.99);
});

test("bad parameters are errors naming the parameter", () => {
  assert.throws(() => pairedBootstrap([], [], [], accuracy, { seed: 1 }), /yTrue is empty/);
  assert.throws(() => pairedBootstrap([1, 0], [1], [1, 0], accuracy, { seed: 1 }), /predA 1, predB 2; expected equal lengths/);
  assert.throws(() => pairedBootstrap([1], [1], [1], accuracy, { seed: 1, numResamples: 0 }), /numResamples must be a positive integer; got 0/);
  assert.throws(() => pairedBootstrap([1], [1], [1], accuracy, { seed: 1, confidence: 1 }), /confidence must be [^;]+; got 1/);
});
