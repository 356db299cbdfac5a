import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fitStandardizer, groupSplit, oneHot, pickRows, stratifiedSplit, toFrame } from "../src/data/tabular";

test("stratifiedSplit keeps class shares, is seeded, and covers every row once", () => {
  const labels = [...Array(100).fill(0), ...Array(50).fill(1)];
  const a = stratifiedSplit(labels, 0.2, 7);
  assert.equal(a.test.length, 30);
  assert.equal(a.test.filter((i) => labels[i] === 1).length, 10, "a third of the test set is class 1, as in the data");
  assert.deepEqual([...a.train, ...a.test].sort((x, y) => x - y), labels.map((_, i) => i));
  assert.deepEqual(stratifiedSplit(labels, 0.2, 7), a, "same seed, same split");
  assert.notDeepEqual(stratifiedSplit(labels, 0.2, 8).test, a.test);
  assert.throws(() => stratifiedSplit(labels, 1.5, 0), /testFraction=1.5/);
});

test("standardisation uses the training statistics only, and leaves no tensor behind", () => {
  const train = [[1, 10], [3, 10], [5, 10]];
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
  assert.deepEqual(oneHot(["b", "a", "b"], ["a", "b", "c"], "grade"), [[0, 1, 0], [1, 0, 0], [0, 1, 0]]);
  assert.throws(() => oneHot(["a", "z"], ["a", "b"], "grade"), /grade row 1 is "z"; expected one of a, b/);
});
