import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildLeNet } from "../src/models/model";
import { trainClassifier } from "../src/training/train";
import { cloneModel, gatherExamples, indicesOfClasses, remapLabels, sampleFewShot, setTrainable, transferModel } from "../src/scenarios/transfer/transfer";

before(async () => {
  await tf.setBackend("cpu");
});

// 10 labels per class 0..4, interleaved: label of index i is i % 5.
const LABELS = Array.from({ length: 50 }, (_, i) => i % 5);

test("sampleFewShot: perClass of each class, sorted, distinct, drawn from that class", () => {
  const picked = sampleFewShot(LABELS, 3, 7);
  assert.equal(picked.length, 15);
  assert.equal(new Set(picked).size, 15, "no index twice");
  assert.deepEqual(
    picked,
    [...picked].sort((a, b) => a - b),
  );
  const counts = [0, 0, 0, 0, 0];
  for (const i of picked) counts[LABELS[i]]++;
  assert.deepEqual(counts, [3, 3, 3, 3, 3]);
});

test("sampleFewShot: restricted to `classes`, deterministic per seed, different across seeds", () => {
  const a = sampleFewShot(LABELS, 4, 11, [1, 3]);
  assert.deepEqual(a.map((i) => LABELS[i]).sort(), [1, 1, 1, 1, 3, 3, 3, 3]);
  assert.deepEqual(sampleFewShot(LABELS, 4, 11, [1, 3]), a, "same seed, same picks");
  const seeds = [12, 13, 14, 15].map((s) => sampleFewShot(LABELS, 4, s, [1, 3]).join());
  assert.ok(
    seeds.some((s) => s !== a.join()),
    "another seed picks differently",
  );
});

test("sampleFewShot: picks are nested (the 2-shot set is inside the 5-shot set of the same seed)", () => {
  for (const seed of [1, 2, 3]) {
    const small = sampleFewShot(LABELS, 2, seed);
    const large = new Set(sampleFewShot(LABELS, 5, seed));
    for (const i of small) assert.ok(large.has(i), `seed ${seed}: index ${i} of the 2-shot set is missing from the 5-shot set`);
  }
});

test("sampleFewShot: every example is drawn about equally often over many seeds (a uniform draw)", () => {
  // 2 of the 10 examples of class 0, 2000 seeds: each example is expected 2000 · 2/10 = 400 times;
  // the binomial standard deviation is √(2000 · 0.2 · 0.8) ≈ 17.9, so ±90 is 5 standard deviations.
  const hits = new Map<number, number>();
  for (let seed = 0; seed < 2000; seed++) for (const i of sampleFewShot(LABELS, 2, seed, [0])) hits.set(i, (hits.get(i) ?? 0) + 1);
  assert.equal(hits.size, 10);
  for (const [i, h] of hits) assert.ok(Math.abs(h - 400) <= 90, `index ${i} drawn ${h} times; expected 400 ± 90`);
});

test("sampleFewShot: errors on too few examples, a bad perClass, duplicate classes", () => {
  assert.throws(() => sampleFewShot(LABELS, 11, 1), /class 0 has 10 examples; expected at least perClass = 11/);
  assert.throws(() => sampleFewShot(LABELS, 1, 1, [0, 9]), /class 9 has 0 examples/);
  assert.throws(() => sampleFewShot(LABELS, 0, 1), /perClass must be a positive integer; got 0/);
  assert.throws(() => sampleFewShot(LABELS, 1.5, 1), /perClass must be a positive integer/);
  assert.throws(() => sampleFewShot(LABELS, 1, 1, [2, 2]), /duplicates/);
});

test("remapLabels and indicesOfClasses: 5–9 → 0–4, and an unknown label is an error", () => {
  assert.deepEqual(Array.from(remapLabels([5, 9, 7, 6, 8], [5, 6, 7, 8, 9])), [0, 4, 2, 1, 3]);
  assert.deepEqual(Array.from(remapLabels([3, 1], [3, 1])), [0, 1], "order of `classes` decides the new ids");
  assert.throws(() => remapLabels([5, 4], [5, 6, 7, 8, 9]), /label 4 at index 1 is not in classes \[5, 6, 7, 8, 9\]/);
  assert.throws(() => remapLabels([1], [1, 1]), /lists 1 twice/);
  assert.deepEqual(indicesOfClasses([0, 5, 2, 9, 5], [5, 9]), [1, 3, 4]);
});

test("gatherExamples: rows at the indices, labels renumbered; bad input is an error", () => {
  const X = tf.tensor2d([
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 3],
  ]); // [4, 2]: row i is [i, i]
  const labels = [7, 5, 9, 5];
  const set = gatherExamples(X, labels, [2, 0, 3], [5, 7, 9]);
  assert.deepEqual(set.X.arraySync(), [
    [2, 2],
    [0, 0],
    [3, 3],
  ]);
  assert.deepEqual(Array.from(set.y.dataSync()), [2, 1, 0]);
  assert.equal(set.y.dtype, "int32");
  assert.throws(() => gatherExamples(X, labels, [4], [5, 7, 9]), /gatherExamples: index must be an integer in 0\.\.3; got 4/);
  assert.throws(() => gatherExamples(X, labels, [0], [5, 9]), /label 7 at index 0 is not in classes/);
  assert.throws(() => gatherExamples(X, [1, 2], [0], [1, 2]), /X has 4 examples but labels has 2/);
  tf.dispose([X, set.X, set.y]);
});

/** A trained-looking base: LeNet on 16×16 greyscale images with 3 classes (small, fast on cpu). */
function smallBase(seed: number): tf.LayersModel {
  return buildLeNet({ inputShape: [16, 16, 1], numClasses: 3, seed });
}

test("cloneModel: same outputs, own weights", async () => {
  const base = smallBase(1);
  const copy = await cloneModel(base);
  const x = tf.randomUniform([2, 16, 16, 1], -1, 1, "float32", 3); // [2, 16, 16, 1]
  const a = tf.tidy(() => Array.from((base.predict(x) as tf.Tensor).dataSync()));
  const b = tf.tidy(() => Array.from((copy.predict(x) as tf.Tensor).dataSync()));
  assert.deepEqual(b, a);
  const baseVars = new Set(base.weights.map((w) => w.read().id));
  assert.ok(
    copy.weights.every((w) => !baseVars.has(w.read().id)),
    "the copy shares no weight tensor with the base",
  );
  tf.dispose(x);
  base.dispose();
  copy.dispose();
});

test("transferModel: the new head has numClasses outputs; features reproduce the base's; frozen by default", async () => {
  const base = smallBase(2);
  const before = tf.memory().numTensors;
  // featureLayer 4 = the flatten layer of LeNet ([batch, 16] for 16×16 inputs): the conv features
  const t = await transferModel(base, { featureLayer: 4, numClasses: 5, hidden: [8], seed: 9 });
  assert.deepEqual(t.net.outputs[0].shape, [null, 5]);
  assert.equal(t.head.length, 2, "one hidden layer and the logits layer");
  assert.deepEqual(
    t.head.map((l) => (l.getConfig() as { units: number }).units),
    [8, 5],
  );
  assert.equal(t.features.length, 2, "the two conv layers carry the feature weights");
  // Only the head trains: 2 dense layers × (kernel, bias).
  assert.equal(t.net.trainableWeights.length, 4);
  // The copied conv layers compute what the base's do: compare the flatten outputs.
  const x = tf.randomUniform([3, 16, 16, 1], -1, 1, "float32", 4);
  const baseFeatures = tf.model({ inputs: base.inputs, outputs: base.layers[4].output as tf.SymbolicTensor });
  const copyFeatures = tf.model({ inputs: t.net.inputs, outputs: t.net.getLayer(base.layers[4].name).output as tf.SymbolicTensor });
  const fa = tf.tidy(() => Array.from((baseFeatures.predict(x) as tf.Tensor).dataSync()));
  const fb = tf.tidy(() => Array.from((copyFeatures.predict(x) as tf.Tensor).dataSync()));
  assert.deepEqual(fb, fa);
  tf.dispose(x);
  t.net.dispose();
  assert.equal(tf.memory().numTensors, before, "disposing the transfer net frees every tensor it made (including the dropped old head)");
  base.dispose();
});

test("transferModel: a layer name works as featureLayer; the output layer or a bad name is an error", async () => {
  const base = smallBase(3);
  const t = await transferModel(base, { featureLayer: base.layers[6].name, numClasses: 4, seed: 1 });
  assert.deepEqual(t.net.outputs[0].shape, [null, 4]);
  assert.equal(t.features.length, 4, "conv1, conv2, fc1, fc2");
  t.net.dispose();
  // A cut at a pooling layer ([batch, 1, 1, 16] for 16×16 inputs) gets a flatten layer first.
  const pooled = await transferModel(base, { featureLayer: 3, numClasses: 4, seed: 1 });
  assert.deepEqual(pooled.net.outputs[0].shape, [null, 4]);
  const x = tf.zeros([2, 16, 16, 1]);
  const out = pooled.net.predict(x) as tf.Tensor;
  assert.deepEqual(out.shape, [2, 4]);
  tf.dispose([x, out]);
  pooled.net.dispose();
  await assert.rejects(transferModel(base, { featureLayer: 7, numClasses: 4, seed: 1 }), /featureLayer 7 is not a layer before the output/);
  await assert.rejects(transferModel(base, { featureLayer: "nope", numClasses: 4, seed: 1 }), /featureLayer "nope"/);
  await assert.rejects(transferModel(base, { featureLayer: 4, numClasses: 1, seed: 1 }), /numClasses must be an integer ≥ 2/);
  base.dispose();
});

test("training a frozen transfer net changes the head only, and never the base; unfrozen, the features change too", async () => {
  const base = smallBase(4);
  const baseBefore = base.getWeights().map((w) => Array.from(w.dataSync()));
  const t = await transferModel(base, { featureLayer: 4, numClasses: 5, seed: 5 });
  const featBefore = t.features.map((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
  const headBefore = t.head.map((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
  const X = tf.randomUniform([10, 16, 16, 1], -1, 1, "float32", 6); // [10, 16, 16, 1]
  const y = tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], "int32"); // [10]
  await trainClassifier(t.net, { X, y }, { numEpochs: 1, batchSize: 5, lr: 0.01, optimizer: "adam", seed: 1 });
  t.features.forEach((l, i) =>
    l.getWeights().forEach((w, j) => assert.deepEqual(Array.from(w.dataSync()), featBefore[i][j], `frozen layer ${l.name} weight ${j} changed`)),
  );
  const headChanged = t.head.some((l, i) => l.getWeights().some((w, j) => Array.from(w.dataSync()).some((v, k) => v !== headBefore[i][j][k])));
  assert.ok(headChanged, "the head trained");

  setTrainable(t.features, true);
  await trainClassifier(t.net, { X, y }, { numEpochs: 1, batchSize: 5, lr: 0.01, optimizer: "adam", seed: 2 });
  const featChanged = t.features.every((l, i) => l.getWeights().some((w, j) => Array.from(w.dataSync()).some((v, k) => v !== featBefore[i][j][k])));
  assert.ok(featChanged, "unfrozen, every feature layer trained");
  base.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), baseBefore[i], `the pretrained base's weight ${i} changed`));
  tf.dispose([X, y]);
  t.net.dispose();
  base.dispose();
});
