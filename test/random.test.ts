import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32, shuffledIndices } from "../src/core/random";

test("mulberry32 is deterministic per seed and in [0, 1)", () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const xs = Array.from({ length: 1000 }, () => a());
  const ys = Array.from({ length: 1000 }, () => b());
  const zs = Array.from({ length: 1000 }, () => c());
  assert.deepEqual(xs, ys);
  assert.notDeepEqual(xs, zs);
  for (const x of xs) assert.ok(x >= 0 && x < 1, `value ${x} outside [0, 1)`);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean} far from 0.5`);
});

test("shuffledIndices is a deterministic permutation", () => {
  const p = shuffledIndices(1000, 7);
  assert.deepEqual(p, shuffledIndices(1000, 7));
  assert.notDeepEqual(p, shuffledIndices(1000, 8));
  const sorted = Array.from(p).sort((x, y) => x - y);
  assert.deepEqual(
    sorted,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  let fixedPoints = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === i) fixedPoints++;
  assert.ok(fixedPoints < 10, `too many fixed points (${fixedPoints}) for a shuffle`);
});

test("shuffledIndices handles edge sizes and rejects bad n", () => {
  assert.deepEqual(shuffledIndices(0, 1), new Int32Array(0));
  assert.deepEqual(shuffledIndices(1, 1), Int32Array.from([0]));
  assert.throws(() => shuffledIndices(-1, 1), /non-negative integer/);
  assert.throws(() => shuffledIndices(2.5, 1), /non-negative integer/);
});

test("shuffledIndices is roughly uniform over positions", () => {
  // Each of 4 values should land in position 0 about 1/4 of the time.
  const counts = [0, 0, 0, 0];
  for (let seed = 0; seed < 4000; seed++) counts[shuffledIndices(4, seed)[0]]++;
  for (const c of counts) assert.ok(Math.abs(c - 1000) < 150, `position counts ${counts} not uniform`);
});
