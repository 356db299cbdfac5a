import { test } from "node:test";
import * as assert from "node:assert/strict";
import { chronologicalSplit, makeWindows, selectWindows, standardizeByTrainingPeriod } from "../src/scenarios/finance/windows";
import { mulberry32 } from "../src/core/random";

const T = 60;
const F = 3;
const L = 7;

function series(seed: number): { features: number[][]; target: number[] } {
  const rng = mulberry32(seed);
  const features = Array.from({ length: T }, () => Array.from({ length: F }, () => rng()));
  const target = Array.from({ length: T }, () => rng());
  return { features, target };
}

test("window t holds the rows of days t−L+1..t and the target of day t+1", () => {
  const { features, target } = series(1);
  const w = makeWindows(features, target, L);
  assert.equal(w.n, T - L); // ends L−1..T−2
  for (let i = 0; i < w.n; i++) {
    const t = w.endIndex[i];
    assert.equal(t, L - 1 + i);
    assert.equal(w.targetIndex[i], t + 1);
    assert.equal(w.y[i], Math.fround(target[t + 1]));
    for (let k = 0; k < L; k++) {
      for (let j = 0; j < F; j++) assert.equal(w.X[(i * L + k) * F + j], Math.fround(features[t - L + 1 + k][j]));
    }
  }
  const later = makeWindows(features, target, L, { firstDay: 10 });
  assert.equal(later.endIndex[0], 10 + L - 1);
  assert.throws(() => makeWindows(features, target.slice(1), L), /60 feature rows but 59 targets/);
  assert.throws(() => makeWindows(features.slice(0, L), target.slice(0, L), L), /too few/);
});

test("no look-ahead: perturbing day c and later changes no input of a window ending before c, nor a target before c", () => {
  const { features, target } = series(2);
  const base = makeWindows(features, target, L);
  for (const c of [L, 20, 41, T - 1]) {
    const f2 = features.map((row, d) => (d >= c ? row.map((v) => v + 100) : row));
    const t2 = target.map((v, d) => (d >= c ? v - 100 : v));
    const w = makeWindows(f2, t2, L);
    for (let i = 0; i < w.n; i++) {
      const t = w.endIndex[i];
      const xSame = w.X.subarray(i * L * F, (i + 1) * L * F).every((v, k) => v === base.X[i * L * F + k]);
      // Inputs change exactly when the window reaches day c; the target exactly when it is day ≥ c.
      assert.equal(xSame, t < c, `window ending ${t}, perturbation from day ${c}`);
      assert.equal(w.y[i] === base.y[i], t + 1 < c, `target of window ending ${t}`);
      // The target day is strictly after every input day.
      assert.ok(w.targetIndex[i] > t && t - L + 1 <= t);
    }
  }
  // Perturbing only the target of day t+1 changes only the window that predicts it.
  const t3 = [...target];
  t3[30] += 1;
  const w3 = makeWindows(features, t3, L);
  const changed = Array.from(w3.y).flatMap((v, i) => (v !== base.y[i] ? [w3.targetIndex[i]] : []));
  assert.deepEqual(changed, [30]);
});

test("chronological split by the date of the predicted day, with no overlap", () => {
  const { features, target } = series(3);
  const start = Date.UTC(2014, 11, 20);
  const dates = Array.from({ length: T }, (_, d) => new Date(start + d * 86400000).toISOString().slice(0, 10));
  const w = makeWindows(features, target, L);
  const s = chronologicalSplit(dates, w, { trainEnd: "2014-12-31", validationEnd: "2015-01-20" });
  assert.equal(s.train.length + s.validation.length + s.test.length, w.n);
  const day = (i: number): string => dates[w.targetIndex[i]];
  assert.ok(s.train.every((i) => day(i) <= "2014-12-31"));
  assert.ok(s.validation.every((i) => day(i) > "2014-12-31" && day(i) <= "2015-01-20"));
  assert.ok(s.test.every((i) => day(i) > "2015-01-20"));
  assert.equal(day(s.train[s.train.length - 1]), "2014-12-31");
  assert.equal(day(s.validation[0]), "2015-01-01");
  assert.equal(day(s.test[0]), "2015-01-21");
  const v = selectWindows(w, s.validation);
  assert.equal(v.n, s.validation.length);
  assert.equal(v.y[0], w.y[s.validation[0]]);
  assert.deepEqual(Array.from(v.X.subarray(0, L * F)), Array.from(w.X.subarray(s.validation[0] * L * F, (s.validation[0] + 1) * L * F)));
  assert.throws(() => chronologicalSplit(dates, w, { trainEnd: "2016-01-01", validationEnd: "2015-01-01" }), /must be before/);
});

test("the scaler sees the training period only", () => {
  const dates = ["2014-12-29", "2014-12-30", "2014-12-31", "2015-01-02", "2015-01-05"];
  const rows = [
    [1, 10],
    [2, 10],
    [3, 10],
    [100, -5],
    [200, 7],
  ];
  const a = standardizeByTrainingPeriod(rows, dates, "2014-12-31", ["x", "c"]);
  assert.equal(a.fitDays, 3);
  // Training rows 1, 2, 3: mean 2, population std √(2/3); the constant column maps to 0.
  assert.ok(Math.abs(a.scaler.mean[0] - 2) < 1e-6);
  assert.ok(Math.abs(a.scaler.std[0] - Math.sqrt(2 / 3)) < 1e-6);
  assert.ok(Math.abs(a.scaled[3][0] - 98 / Math.sqrt(2 / 3)) < 1e-3);
  assert.equal(a.scaled[4][1], 0);
  // Later days do not move the scaler.
  const b = standardizeByTrainingPeriod(
    rows.map((r, d) => (d >= 3 ? [r[0] * 1000, 99] : r)),
    dates,
    "2014-12-31",
    ["x", "c"],
  );
  assert.deepEqual(b.scaler.mean, a.scaler.mean);
  assert.deepEqual(b.scaler.std, a.scaler.std);
  assert.deepEqual(b.scaled.slice(0, 3), a.scaled.slice(0, 3));
  assert.throws(() => standardizeByTrainingPeriod(rows, dates, "2000-01-01", ["x", "c"]), /0 day\(s\) dated ≤ 2000-01-01/);
});
