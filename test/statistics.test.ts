import { test } from "node:test";
import assert from "node:assert/strict";
import { fitPowerLaw } from "../src/core/statistics";

test("fitPowerLaw recovers an exact power law and reports a worse fit for noise", () => {
  const xs = [1e3, 1e4, 1e5, 1e6];
  const law = fitPowerLaw(
    xs,
    xs.map((x) => 5 * x ** -0.076),
  );
  assert.ok(Math.abs(law.b + 0.076) < 1e-12 && Math.abs(law.a - 5) < 1e-9 && Math.abs(law.r2 - 1) < 1e-12, JSON.stringify(law));
  assert.ok(Math.abs(law.predict(1e7) - 5 * 1e7 ** -0.076) < 1e-9);
  const noisy = fitPowerLaw(xs, [3, 1, 4, 1.5]);
  assert.ok(noisy.r2 < 0.5, String(noisy.r2));
});

test("fitPowerLaw rejects what it cannot fit, naming the point", () => {
  assert.throws(() => fitPowerLaw([1, 2], [1]), /xs has 2 values, ys 1/);
  assert.throws(() => fitPowerLaw([1], [1]), /at least 2 points/);
  assert.throws(() => fitPowerLaw([1, 0], [1, 2]), /point 1 is \(0, 2\); expected positive/);
  assert.throws(() => fitPowerLaw([3, 3], [1, 2]), /every x is the same/);
});
