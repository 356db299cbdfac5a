import { test } from "node:test";
import assert from "node:assert/strict";
import { loadTangVerse } from "../src/data/tang-poetry";
import { parseVerseForms, prepareTangLanguageModelData } from "../src/text/tang-lm-data";
import { BOS, EOS } from "../src/text/tokenizer";

// The quatrains alone (3,725 poems) keep the test short; the notebook's full profile uses all four forms.
const options = { forms: parseVerseForms("5x4"), seed: 42, valFraction: 0.1, minCount: 5, contextLength: 24 };

test("prepareTangLanguageModelData: a split by poem, windows of contextLength + 1 from each split", () => {
  const data = prepareTangLanguageModelData(options);
  const all = loadTangVerse({ forms: ["5x4"] }).poems;
  assert.equal(data.valPoems.length, Math.round(all.length * 0.1));
  assert.equal(data.trainPoems.length + data.valPoems.length, all.length);
  const trainIds = new Set(data.trainPoems.map((p) => p.id));
  assert.ok(
    data.valPoems.every((p) => !trainIds.has(p.id)),
    "no poem in both splits",
  );
  for (const set of [data.trainSet, data.valSet]) {
    assert.equal(set.length, 25);
    assert.equal(set.tokens.length, set.count * 25);
    assert.ok(set.tokens.every((t) => t >= 0 && t < data.tokenizer.size));
  }
  // A quatrain is 1 + 1 + 4·(5 + 1) = 26 tokens: the windows (overlapping by one) cover the stream of each split.
  assert.equal(data.trainSet.count, Math.floor((data.trainPoems.length * 26 - 1) / 24));
  assert.equal(data.valSet.count, Math.floor((data.valPoems.length * 26 - 1) / 24));
  // The stream starts with the first training poem: <bos> <5x4> …, its 26th token <eos>.
  assert.equal(data.trainSet.tokens[0], BOS);
  assert.equal(data.trainSet.tokens[1], data.tokenizer.tagId("<5x4>"));
  assert.equal(data.trainSet.tokens[25], data.tokenizer.encode(data.trainPoems[0].lines[3]).at(-1));
  assert.equal(data.trainSet.tokens[25 + 1], EOS); // window 1 starts at stream token 24
  assert.deepEqual(data.tokenizer.tags, ["<5x4>"]);
});

test("prepareTangLanguageModelData: the same settings give the same data; another seed another split", () => {
  const a = prepareTangLanguageModelData(options);
  const b = prepareTangLanguageModelData({ ...options, poems: loadTangVerse({ forms: ["5x4"] }).poems });
  assert.deepEqual(b.trainSet.tokens, a.trainSet.tokens);
  assert.deepEqual(b.valSet.tokens, a.valSet.tokens);
  assert.deepEqual(b.tokenizer.vocab, a.tokenizer.vocab);
  const c = prepareTangLanguageModelData({ ...options, seed: 7 });
  assert.notDeepEqual(
    c.valPoems.map((p) => p.id),
    a.valPoems.map((p) => p.id),
  );
});

test("prepareTangLanguageModelData and parseVerseForms reject bad settings by name", () => {
  assert.deepEqual(parseVerseForms("all"), ["5x4", "7x4", "5x8", "7x8"]);
  assert.deepEqual(parseVerseForms("7x4, 5x8"), ["7x4", "5x8"]);
  assert.throws(() => parseVerseForms("5x4,6x4"), /form "6x4"/);
  assert.throws(() => prepareTangLanguageModelData({ ...options, valFraction: 1 }), /valFraction must be below 1/);
  assert.throws(() => prepareTangLanguageModelData({ ...options, valFraction: 0 }), /valFraction/);
  assert.throws(() => prepareTangLanguageModelData({ ...options, contextLength: 0 }), /contextLength/);
  assert.throws(() => prepareTangLanguageModelData({ ...options, forms: [] }), /forms is empty/);
});
