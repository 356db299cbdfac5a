import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchTensors, evaluateLanguageModel, packSequences, toSequences, trainLanguageModel } from "../src/training/train-lm";
import { learningRateAt } from "../src/training/lr-schedule";
import { evaluateNgram, fitBigram, fitKneserNeyTrigram, fitUnigram } from "../src/text/ngram";
import { Transformer } from "../src/models/transformer";
import type { TrainProgress } from "../src/training/train";
import { mulberry32 } from "../src/core/random";

before(async () => {
  await tf.setBackend("cpu");
});

/** 40 sequences of a counting pattern: token t+1 follows t (mod 8, offset 2), so a model can learn it. */
function countingData(n = 40, L = 7) {
  return toSequences(Array.from({ length: n }, (_, i) => Array.from({ length: L }, (_, t) => 2 + ((i + t) % 8))));
}
const cfg = { vocabSize: 10, contextLength: 6, dModel: 16, numHeads: 2, numLayers: 1, seed: 2 };

test("toSequences and batchTensors: inputs are tokens 0..L−2, targets 1..L−1", () => {
  const data = toSequences([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const { inputs, targets } = batchTensors(data, [1, 0]);
  assert.deepEqual(inputs.arraySync(), [
    [4, 5],
    [1, 2],
  ]);
  assert.deepEqual(targets.arraySync(), [
    [5, 6],
    [2, 3],
  ]);
  tf.dispose([inputs, targets]);
  assert.throws(
    () =>
      toSequences([
        [1, 2, 3],
        [4, 5],
      ]),
    /row 1 has 2 tokens; expected 3/,
  );
});

test("learning-rate schedule: linear warm-up to lr, cosine down to lr·minLrFraction (values by hand)", () => {
  const o = { lr: 1, numSteps: 110, warmupSteps: 10, minLrFraction: 0.1 };
  assert.ok(Math.abs(learningRateAt(0, o) - 0.1) < 1e-12);
  assert.ok(Math.abs(learningRateAt(9, o) - 1) < 1e-12);
  assert.ok(Math.abs(learningRateAt(10, o) - 1) < 1e-12);
  assert.ok(Math.abs(learningRateAt(60, o) - 0.55) < 1e-12); // halfway: 0.1 + 0.9·0.5
  assert.ok(Math.abs(learningRateAt(110, o) - 0.1) < 1e-12);
});

test("training lowers the loss, reports progress like trainClassifier, and is deterministic per seed", async () => {
  const data = countingData();
  const run = async () => {
    const m = new Transformer(cfg);
    const progress: TrainProgress[] = [];
    const before = evaluateLanguageModel(m, data).meanLoss;
    const h = await trainLanguageModel(m, data, {
      numSteps: 40,
      batchSize: 8,
      lr: 0.01,
      seed: 3,
      logEvery: 5,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 0,
      evalSet: data,
      evalEvery: 20,
    });
    const after = evaluateLanguageModel(m, data).meanLoss;
    m.dispose();
    return { h, before, after, progress };
  };
  const a = await run();
  assert.ok(a.after < a.before - 1, `loss ${a.before} → ${a.after}`);
  assert.equal(a.h.steps, 40);
  assert.equal(a.h.batchesPerEpoch, 5);
  assert.equal(a.h.losses.length, 8);
  assert.deepEqual(
    a.h.losses.slice(0, 2).map((l) => [l.epoch, l.batch]),
    [
      [1, 5],
      [2, 5],
    ],
  );
  assert.equal(a.h.tokensSeen, 40 * 8 * 6);
  assert.deepEqual(
    a.h.validation.map((v) => v.step),
    [20, 40],
  );
  assert.equal(a.progress[a.progress.length - 1].fraction, 1);
  assert.equal(a.h.learningRates.length, 40);
  const b = await run();
  assert.deepEqual(
    b.h.losses.map((l) => l.meanLoss),
    a.h.losses.map((l) => l.meanLoss),
  );
});

test("memory stays flat: the tensor count after 3 and after 12 training steps is the same", async () => {
  const data = countingData();
  const m = new Transformer(cfg);
  try {
    const baseline = tf.memory().numTensors;
    await trainLanguageModel(m, data, { numSteps: 3, batchSize: 8, lr: 0.01, seed: 1 });
    const after3 = tf.memory().numTensors;
    await trainLanguageModel(m, data, { numSteps: 12, batchSize: 8, lr: 0.01, seed: 1, logEvery: 2, evalSet: data, evalEvery: 4 });
    const after12 = tf.memory().numTensors;
    assert.equal(after3, baseline, "nothing kept after a run (optimiser state disposed)");
    assert.equal(after12, after3);
  } finally {
    m.dispose();
  }
});

test("bad options are one clear error", async () => {
  const data = countingData();
  const m = new Transformer(cfg);
  try {
    await assert.rejects(trainLanguageModel(m, data, { numSteps: 0, batchSize: 8, lr: 0.01, seed: 1 }), /numSteps must be a positive integer/);
    await assert.rejects(trainLanguageModel(m, data, { numSteps: 1, batchSize: 80, lr: 0.01, seed: 1 }), /fewer than one batch of 80/);
    await assert.rejects(trainLanguageModel(m, countingData(40, 9), { numSteps: 1, batchSize: 8, lr: 0.01, seed: 1 }), /need contextLength ≥ 8/);
  } finally {
    m.dispose();
  }
});

test("n-gram baselines: probabilities sum to 1; a bigram learns the counting pattern; uniform gives perplexity V", () => {
  const data = countingData();
  const uni = fitUnigram(data, 10);
  const sum = Array.from({ length: 10 }, (_, b) => uni.prob(0, 0, b)).reduce((s, p) => s + p, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
  const bi = fitBigram(data, 10, { lambda: 0.9 });
  for (const a of [0, 3]) {
    const s = Array.from({ length: 10 }, (_, b) => bi.prob(0, a, b)).reduce((x, p) => x + p, 0);
    assert.ok(Math.abs(s - 1) < 1e-12, `context ${a}: ${s}`);
  }
  assert.ok(evaluateNgram(bi, data).perplexity < evaluateNgram(uni, data).perplexity / 3);
  // A unigram fitted on nothing but smoothing (α huge) is uniform: perplexity = V.
  const flat = fitUnigram(data, 10, 1e12);
  assert.ok(Math.abs(evaluateNgram(flat, data).perplexity - 10) < 1e-6);
});

test("Kneser–Ney trigram: a hand-computed probability, distributions summing to 1, and it learns what a bigram cannot", () => {
  // One sequence 0 1 2 0 1 3: every trigram seen once (D₃ = 1), continuation counts {2, 1, 1, 1} (D₂ = 0.6),
  // every token continues one context (P₁ = 1/4): P(3 | 0 1) = 0 + 1·2/2 · [(1 − 0.6)/2 + 0.6·2/2 · 1/4] = 0.35.
  const tiny = toSequences([[0, 1, 2, 0, 1, 3]]);
  const kn = fitKneserNeyTrigram(tiny, 4);
  assert.ok(Math.abs(kn.prob(0, 1, 3) - 0.35) < 1e-12, String(kn.prob(0, 1, 3)));
  for (const [u, v] of [
    [0, 1],
    [3, 3],
    [2, 2],
    [1, 2],
  ]) {
    const s = [0, 1, 2, 3].reduce((acc, w) => acc + kn.prob(u, v, w), 0);
    assert.ok(Math.abs(s - 1) < 1e-12, `context ${u} ${v}: ${s}`);
  }
  // x(t+1) = x(t−1) + x(t) mod 5 from random starts: the next token needs two tokens of context.
  const rng = mulberry32(3);
  const rows = Array.from({ length: 200 }, () => {
    const r = [Math.floor(rng() * 5), Math.floor(rng() * 5)];
    while (r.length < 12) r.push((r[r.length - 2] + r[r.length - 1]) % 5);
    return r;
  });
  const train = toSequences(rows.slice(0, 150));
  const val = toSequences(rows.slice(150));
  const tri = evaluateNgram(fitKneserNeyTrigram(train, 5), val).perplexity;
  const bi = evaluateNgram(fitBigram(train, 5, { lambda: 0.9 }), val).perplexity;
  assert.ok(tri < 1.5 && bi > 3, `trigram ${tri}, bigram ${bi}`);
});

test("packSequences: rows end to end, windows overlapping by one so every token after the first is a target once", () => {
  const rows = [
    [1, 2, 3],
    [4, 5],
    [6, 7, 8, 9],
  ]; // stream 1…9
  const packed = packSequences(rows, 4); // windows [1 2 3 4] [4 5 6 7]; [7 8 9] is too short
  assert.deepEqual({ count: packed.count, length: packed.length }, { count: 2, length: 4 });
  assert.deepEqual(Array.from(packed.tokens), [1, 2, 3, 4, 4, 5, 6, 7]);
  const exact = packSequences([[1, 2, 3, 4, 5, 6, 7]], 4); // 7 tokens: 6 targets = 2 windows of 3
  assert.deepEqual(Array.from(exact.tokens), [1, 2, 3, 4, 4, 5, 6, 7]);
  assert.throws(() => packSequences([[1, 2]], 4), /2 tokens make no window of 4/);
  assert.throws(() => packSequences(rows, 1), /length must be at least 2/);
});
