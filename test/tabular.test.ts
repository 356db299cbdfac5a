import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { columnStats, fitStandardizer, groupSplit, oneHot, pickRows, standardizedSplit, stratifiedSplit, toFrame } from "../src/data/tabular";

test("stratifiedSplit keeps class shares, is seeded, and covers every row once", () => {
  const labels = [...Array(100).fill(0), ...Array(50).fill(1)];
  const a = stratifiedSplit(labels, 0.2, 7);
  assert.equal(a.test.length, 30);
  assert.equal(a.test.filter((i) => labels[i] === 1).length, 10, "a third of the test set is class 1, as in the data");
  assert.deepEqual(
    [...a.train, ...a.test].sort((x, y) => x - y),
    labels.map((_, i) => i),
  );
  assert.deepEqual(stratifiedSplit(labels, 0.2, 7), a, "same seed, same split");
  assert.notDeepEqual(stratifiedSplit(labels, 0.2, 8).test, a.test);
  assert.throws(() => stratifiedSplit(labels, 1.5, 0), /testFraction=1.5/);
});

test("standardisation uses the training statistics only, and leaves no tensor behind", () => {
  const train = [
    [1, 10],
    [3, 10],
    [5, 10],
  ];
  const before = tf.memory().numTensors;
  const s = fitStandardizer(train, ["a", "b"]);
  assert.equal(tf.memory().numTensors, before, "danfo's fitted tensors are disposed");
  assert.deepEqual(s.mean, [3, 10]);
  assert.ok(Math.abs(s.std[0] - Math.sqrt(8 / 3)) < 1e-6, "population std, as scikit-learn's StandardScaler");
  const [t0] = s.transform([[3 + Math.sqrt(8 / 3), 99]]);
  assert.ok(Math.abs(t0[0] - 1) < 1e-6, "a test row is scaled with the training mean and std, not its own");
  assert.equal(t0[1], 0, "a constant training column maps to 0");
  assert.throws(() => s.transform([[1]]), /row 0 has 1 values; expected 2/);
  assert.throws(() => fitStandardizer([[1, 2]], ["a", "b"]), /1 training rows; expected at least 2/);
});

test("toFrame and pickRows check their inputs", () => {
  assert.deepEqual(toFrame([[1, 2]], ["a", "b"]).columns, ["a", "b"]);
  assert.throws(() => toFrame([[1, 2]], ["a"]), /rows have 2 values but 1 column names/);
  assert.deepEqual(pickRows(["x", "y", "z"], [2, 0]), ["z", "x"]);
  assert.throws(() => pickRows(["x"], [1]), /index 1 outside 0..0/);
});

test("groupSplit keeps every group on one side, is seeded, and checks its inputs", () => {
  const groups = Array.from({ length: 200 }, (_, i) => `school-${i % 20}`);
  const a = groupSplit(groups, 0.25, 7);
  assert.deepEqual(groupSplit(groups, 0.25, 7), a);
  assert.notDeepEqual(groupSplit(groups, 0.25, 8).test, a.test);
  assert.equal(a.train.length + a.test.length, 200);
  const testGroups = new Set(a.test.map((i) => groups[i]));
  assert.equal(testGroups.size, 5, "a quarter of the 20 groups");
  for (const i of a.train) assert.ok(!testGroups.has(groups[i]), `${groups[i]} is on both sides`);
  assert.throws(() => groupSplit(["a", "a"], 0.5, 1), /1 distinct group/);
  assert.throws(() => groupSplit(groups, 1, 1), /testFraction=1/);
});

test("oneHot encodes with fixed levels and names the column of an unknown value", () => {
  assert.deepEqual(oneHot(["b", "a", "b"], ["a", "b", "c"], "grade"), [
    [0, 1, 0],
    [1, 0, 0],
    [0, 1, 0],
  ]);
  assert.throws(() => oneHot(["a", "z"], ["a", "b"], "grade"), /grade row 1 is "z"; expected one of a, b/);
});

test("standardizedSplit: stratified train/validation/test, statistics from the training rows only", () => {
  // 150 rows, a third of class 1; column 0 depends on the row, column 1 on the class.
  const labels = Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const X = labels.map((c, i) => [i, 10 * c + (i % 7)]);
  const s = standardizedSplit(X, labels, ["row", "class"], { testFraction: 0.2, valFraction: 0.25, seed: 5 });
  // the same rows as the two stratifiedSplit calls it stands for (test with seed, validation with seed + 1)
  const outer = stratifiedSplit(labels, 0.2, 5);
  const inner = stratifiedSplit(
    outer.train.map((i) => labels[i]),
    0.25,
    6,
  );
  assert.deepEqual(s.idx.test, outer.test);
  assert.deepEqual(
    s.idx.val,
    inner.test.map((k) => outer.train[k]),
  );
  assert.deepEqual([s.idx.train.length, s.idx.val.length, s.idx.test.length], [90, 30, 30]);
  assert.equal(new Set([...s.idx.train, ...s.idx.val, ...s.idx.test]).size, 150, "disjoint and covering");
  for (const part of ["train", "val", "test"] as const) {
    assert.equal(s.y[part].filter((v) => v === 1).length * 3, s.y[part].length, `${part} keeps the class share 1/3`);
    assert.deepEqual(
      s.y[part],
      s.idx[part].map((i) => labels[i]),
    );
  }
  // standardised with the training rows' mean and population std, computed here independently
  const trainCol0 = s.idx.train.map((i) => X[i][0]);
  const mean = trainCol0.reduce((a, b) => a + b, 0) / trainCol0.length;
  const std = Math.sqrt(trainCol0.reduce((a, v) => a + (v - mean) ** 2, 0) / trainCol0.length);
  s.idx.test.forEach((row, k) => assert.ok(Math.abs(s.X.test[k][0] - (X[row][0] - mean) / std) < 1e-5, `test row ${row}`));
  s.idx.val.forEach((row, k) => assert.ok(Math.abs(s.X.val[k][0] - (X[row][0] - mean) / std) < 1e-5, `validation row ${row}`));
  assert.ok(Math.abs(s.X.train.reduce((a, r) => a + r[1], 0) / 90) < 1e-5, "training columns have mean 0");
  assert.deepEqual(standardizedSplit(X, labels, ["row", "class"], { testFraction: 0.2, valFraction: 0.25, seed: 5 }).idx, s.idx, "same seed, same split");
});

test("standardizedSplit without a validation part is stratifiedSplit plus standardisation, and checks its inputs", () => {
  const labels = [...Array(40).fill(0), ...Array(20).fill(1)];
  const X = labels.map((c, i) => [c + i / 100, 1]);
  const s = standardizedSplit(X, labels, ["a", "b"], { testFraction: 0.25, seed: 9 });
  assert.deepEqual({ train: s.idx.train, test: s.idx.test }, stratifiedSplit(labels, 0.25, 9));
  assert.deepEqual([s.idx.val, s.X.val, s.y.val], [[], [], []]);
  assert.deepEqual(s.standardizer.transform(pickRows(X, s.idx.test)), s.X.test);
  assert.throws(() => standardizedSplit(X.slice(1), labels, ["a", "b"], { testFraction: 0.25, seed: 9 }), /X has 59 rows but labels has 60/);
  assert.throws(() => standardizedSplit(X, labels, ["a", "b"], { testFraction: 0.25, valFraction: 1, seed: 9 }), /valFraction=1/);
});

test("columnStats gives each column's mean and population standard deviation", () => {
  const { mean, std } = columnStats([
    [1, 10],
    [3, 10],
    [5, 10],
  ]);
  assert.deepEqual(mean, [3, 10]);
  assert.ok(Math.abs(std[0] - Math.sqrt(8 / 3)) < 1e-12, "ddof 0: sqrt(((1−3)² + 0 + (5−3)²) / 3)");
  assert.equal(std[1], 0);
  assert.throws(() => columnStats([]), /rows is empty/);
  assert.throws(() => columnStats([[1, 2], [3]]), /row 1 has 1 values; expected 2/);
});
