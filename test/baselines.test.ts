import { test } from "node:test";
import * as assert from "node:assert/strict";
import { majorityClass } from "../src/evaluation/baselines";

test("majorityClass: the most frequent label, a tie to the smallest, bad labels are errors", () => {
  assert.equal(majorityClass([0, 1, 1, 0, 1]), 1);
  assert.equal(majorityClass(Int32Array.from([3, 3, 7, 7, 2])), 3, "3 and 7 tie: the smaller wins");
  assert.equal(majorityClass([1, 0]), 0);
  assert.throws(() => majorityClass([]), /labels is empty/);
  assert.throws(() => majorityClass([0, -1]), /label -1 at index 1/);
});
