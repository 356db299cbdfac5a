import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { generate, sampleToken, samplingDistribution } from "../src/models/sampling";
import { mulberry32 } from "../src/core/random";
import { Transformer } from "../src/models/transformer";

before(async () => {
  await tf.setBackend("cpu");
});

const logits = [2.0, 0.5, 1.0, -1.0, 3.0, 0.0];

test("the sampling distribution is softmax(logits / T) (reference: computed here with Math.exp)", () => {
  for (const T of [0.5, 1, 2]) {
    const e = logits.map((z) => Math.exp(z / T));
    const s = e.reduce((a, b) => a + b, 0);
    const p = samplingDistribution(logits, { temperature: T });
    e.forEach((v, i) => assert.ok(Math.abs(p[i] - v / s) < 1e-12, `T=${T} token ${i}`));
  }
  // temperature 0 is greedy
  assert.deepEqual(Array.from(samplingDistribution(logits, { temperature: 0 })), [0, 0, 0, 0, 1, 0]);
  assert.throws(() => samplingDistribution(logits, { temperature: -1 }), /temperature must be/);
  assert.throws(() => samplingDistribution(logits, { topK: 0 }), /topK must be a positive integer/);
});

test("top-k never samples outside the k most likely tokens (5,000 draws)", () => {
  const rng = mulberry32(7);
  const top3 = new Set([4, 0, 2]); // logits 3.0, 2.0, 1.0
  const seen = new Set<number>();
  for (let i = 0; i < 5000; i++) {
    const t = sampleToken(logits, rng, { topK: 3, temperature: 2 });
    assert.ok(top3.has(t), `sampled ${t}, outside the top 3`);
    seen.add(t);
  }
  assert.equal(seen.size, 3, "each of the top 3 is reachable");
});

test("sampled frequencies match the distribution (20,000 draws, tolerance 0.015 absolute)", () => {
  const rng = mulberry32(11);
  const p = samplingDistribution(logits, {});
  const counts = new Array(logits.length).fill(0);
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleToken(logits, rng)]++;
  counts.forEach((c, i) => assert.ok(Math.abs(c / n - p[i]) < 0.015, `token ${i}: ${c / n} vs ${p[i]}`));
});

test("suppressed tokens are never drawn; the same seed gives the same draws", () => {
  const draw = (seed: number): number[] => {
    const rng = mulberry32(seed);
    return Array.from({ length: 50 }, () => sampleToken(logits, rng, { suppress: [4] }));
  };
  assert.ok(!draw(1).includes(4));
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
});

test("generate: deterministic per seed, stops at the stop token, respects maxNewTokens", () => {
  const model = new Transformer({ vocabSize: 12, contextLength: 8, dModel: 8, numHeads: 2, numLayers: 1, seed: 3 });
  try {
    const a = generate(model, [2], { seed: 5, maxNewTokens: 10 });
    const b = generate(model, [2], { seed: 5, maxNewTokens: 10 });
    assert.deepEqual(a, b);
    assert.equal(a.length, 11, "prompt + 10 tokens (context slides past 8)");
    const c = generate(model, [2], { seed: 6, maxNewTokens: 10 });
    assert.notDeepEqual(a, c);
    const stop = a[3];
    const s = generate(model, [2], { seed: 5, maxNewTokens: 10, stopToken: stop });
    assert.equal(s[s.length - 1], stop);
    assert.ok(s.length <= 4);
    assert.throws(() => generate(model, [], { seed: 1, maxNewTokens: 1 }), /at least one token/);
  } finally {
    model.dispose();
  }
});
