import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { selectImageData } from "../src/data/select";

const emptyRoot = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "select-"));

test("dataset=cifar10 without a local copy: a clear error saying how to get it", () => {
  assert.throws(
    () => selectImageData({ dataset: "cifar10", trainSize: 10, testSize: 10, dataRoot: emptyRoot() }),
    /dataset="cifar10" but no complete CIFAR-10 copy is in .*cifar-10-batches-bin: run `npm run data:cifar10` on a machine with internet/,
  );
});

test("bad parameters are named", () => {
  assert.throws(() => selectImageData({ dataset: "mnist", trainSize: 1, testSize: 1 }), /dataset="mnist": expected one of auto, cifar10, fashion-mnist/);
  assert.throws(() => selectImageData({ dataset: "auto", trainSize: -1, testSize: 1 }), /trainSize=-1: expected a whole number ≥ 0/);
  assert.throws(() => selectImageData({ dataset: "auto", trainSize: 1, testSize: 0.5 }), /testSize=0.5/);
});

test(
  "auto without CIFAR-10 uses Fashion-MNIST padded to 32×32 and says why",
  { skip: !fs.existsSync("/usr/share/datasets/fashion-mnist") && "Debian's dataset-fashion-mnist is not installed (npm run setup installs it)" },
  async () => {
    await tf.setBackend("cpu");
    const d = selectImageData({ dataset: "auto", trainSize: 20, testSize: 10, dataRoot: emptyRoot() });
    assert.equal(d.name, "fashion-mnist");
    assert.match(d.reason, /CIFAR-10, the article's data set, is not on disk .* Fashion-MNIST/);
    assert.deepEqual(d.trainSet.X.shape, [20, 32, 32, 1]);
    assert.deepEqual(d.testSet.X.shape, [10, 32, 32, 1]);
    assert.deepEqual(d.inputShape, [32, 32, 1]);
    tf.dispose([d.trainSet.X, d.trainSet.y, d.testSet.X, d.testSet.y]);
  },
);
