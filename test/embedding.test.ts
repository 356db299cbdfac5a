/** The one embedding lookup (src/models/embedding.ts): its gradient against tf's autodiff of tf.gather, padding, saved models. */
import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { WordEmbedding, embeddingLookup } from "../src/models/embedding";
import { loadModel, saveModel } from "../src/models/model-io";
import { buildConvTextClassifier } from "../src/text/text-models";
import { maxAbsDiff } from "./helpers/numeric";

const TOLERANCE = 1e-5;

before(async () => {
  // The reference is tf.gather's own gradient, which needs UnsortedSegmentSum: the cpu backend has it.
  await tf.setBackend("cpu");
});

/** Gradient of Σ(lookup(table) ⊙ c) with respect to the table, for a lookup function. */
function tableGradient(lookup: (t: tf.Tensor2D) => tf.Tensor2D, table: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor2D {
  return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(lookup(t as tf.Tensor2D), c)))(table) as tf.Tensor2D;
}

test("embeddingLookup: values and gradient equal tf.gather's (repeated ids, every row once or more or never)", () => {
  const table = tf.randomNormal([7, 5], 0, 1, "float32", 1) as tf.Tensor2D; // [V 7, d 5]
  const ids = tf.tensor1d([3, 0, 3, 6, 1, 3, 0, 2], "int32"); // rows 4 and 5 never looked up
  const c = tf.randomNormal([8, 5], 0, 1, "float32", 2) as tf.Tensor2D; // [rows, d]
  const ours = embeddingLookup(table, ids);
  const reference = tf.gather(table, ids);
  assert.equal(maxAbsDiff(ours.dataSync(), reference.dataSync()), 0, "values");
  const gOurs = tableGradient((t) => embeddingLookup(t, ids), table, c);
  const gRef = tableGradient((t) => tf.gather(t, ids) as tf.Tensor2D, table, c);
  const err = maxAbsDiff(gOurs.dataSync(), gRef.dataSync());
  assert.ok(err <= TOLERANCE, `max |Δgrad| ${err} > ${TOLERANCE}`);
  assert.deepEqual(Array.from(gOurs.slice([4, 0], [2, 5]).dataSync()), new Array(10).fill(0), "rows never looked up get no gradient");
  tf.dispose([table, ids, c, ours, reference, gOurs, gRef]);
});

test("embeddingLookup with a padding id: zero vectors, and the gradient of gather × mask with the padding row untouched", () => {
  const table = tf.randomNormal([6, 4], 0, 1, "float32", 3) as tf.Tensor2D;
  const ids = tf.tensor1d([2, 0, 5, 0, 2], "int32");
  const c = tf.randomNormal([5, 4], 0, 1, "float32", 4) as tf.Tensor2D;
  const masked = (t: tf.Tensor2D): tf.Tensor2D => tf.mul(tf.gather(t, ids), tf.expandDims(tf.cast(tf.notEqual(ids, 0), "float32"), 1)) as tf.Tensor2D;
  const out = embeddingLookup(table, ids, 0);
  assert.ok(
    Array.from(out.slice([1, 0], [1, 4]).dataSync()).every((v) => v === 0),
    "padding id → zero vector",
  );
  const gOurs = tableGradient((t) => embeddingLookup(t, ids, 0), table, c);
  const gRef = tableGradient(masked, table, c);
  const err = maxAbsDiff(gOurs.dataSync(), gRef.dataSync());
  assert.ok(err <= TOLERANCE, `max |Δgrad| ${err} > ${TOLERANCE}`);
  assert.deepEqual(Array.from(gOurs.slice([0, 0], [1, 4]).dataSync()), [0, 0, 0, 0], "padding row never updated");
  tf.dispose([table, ids, c, out, gOurs, gRef]);
});

test("a saved text classifier loads with the same predictions, also from a model.json saved before paddingId existed", async () => {
  const net = buildConvTextClassifier({ vocabSize: 20, sequenceLength: 6, embeddingDim: 3, filters: 2, kernelSize: 2, seed: 5 });
  const X = tf.tensor2d(
    [
      [3, 4, 5, 0, 0, 0],
      [19, 1, 2, 7, 8, 0],
    ],
    [2, 6],
    "int32",
  );
  const expected = Array.from((net.predict(X) as tf.Tensor).dataSync());
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "embedding-test-")), "textcnn");
  await saveModel(net, dir);
  const modelJson = path.join(dir, "model.json");
  const saved = fs.readFileSync(modelJson, "utf8");
  assert.match(saved, /"class_name":"RunbookWordEmbedding"/, "the registered class name saved models carry");
  const check = async (what: string): Promise<void> => {
    const loaded = await loadModel(dir);
    const got = Array.from((loaded.predict(X) as tf.Tensor).dataSync());
    assert.ok(maxAbsDiff(got, expected) === 0, `${what}: predictions differ`);
    loaded.dispose();
  };
  await check("saved now");
  // An older save: the layer config without paddingId (the layer then uses padding id 0, as before).
  fs.writeFileSync(modelJson, saved.replace(/,"paddingId":0/, ""));
  assert.doesNotMatch(fs.readFileSync(modelJson, "utf8"), /paddingId/);
  await check("saved without paddingId");
  net.dispose();
  X.dispose();
});

test("WordEmbedding rejects a bad paddingId and keeps null (no padding)", () => {
  assert.throws(() => new WordEmbedding({ inputDim: 5, outputDim: 2, seed: 1, paddingId: 1.5 }), /WordEmbedding: paddingId must be an integer; got 1\.5/);
  const layer = new WordEmbedding({ inputDim: 5, outputDim: 2, seed: 1, paddingId: null });
  const out = layer.apply(tf.tensor2d([[0, 1]], [1, 2], "int32")) as tf.Tensor;
  assert.ok(
    Array.from(out.dataSync())
      .slice(0, 2)
      .some((v) => v !== 0),
    "id 0 is an ordinary row without padding",
  );
  assert.equal(layer.getConfig().paddingId, null);
});
