import { test } from "node:test";
import assert from "node:assert/strict";
import { BOS, CharTokenizer, EOL, EOS, SPECIAL_TOKENS, UNK } from "../src/text/tokenizer";

// Reference: counts by hand for "春春春花花月" + "花月夜": 花 3, 春 3, 月 2, 夜 1.
const texts = ["春春春花花月", "花月夜"];

test("fit: special tokens first, then characters by count (ties by code point), minCount drops rare ones", () => {
  const tok = CharTokenizer.fit(texts);
  // 春 U+6625 < 花 U+82B1, both seen 3 times.
  assert.deepEqual(tok.vocab, [...SPECIAL_TOKENS, "春", "花", "月", "夜"]);
  assert.equal(tok.size, 9);
  const tok2 = CharTokenizer.fit(texts, { minCount: 2 });
  assert.deepEqual(tok2.vocab.slice(SPECIAL_TOKENS.length), ["春", "花", "月"]);
  assert.throws(() => CharTokenizer.fit(texts, { minCount: 0 }), /minCount must be a positive integer/);
});

test("unknown characters map to <unk> and decode to the <unk> name", () => {
  const tok = CharTokenizer.fit(texts, { minCount: 2 });
  assert.deepEqual(tok.encode("春夜山"), [5, UNK, UNK]);
  assert.equal(tok.decode(tok.encode("春夜")), "春<unk>");
  assert.equal(tok.decode(tok.encode("春夜"), { skipSpecial: true }), "春");
  assert.throws(() => tok.decode([99]), /id 99 at position 0 is outside \[0, 8\)/);
});

test("encodePoem: a quatrain of 4 × 5 characters is 25 tokens <bos> … <eol> … <eos>", () => {
  const lines = ["春眠不覺曉", "處處聞啼鳥", "夜來風雨聲", "花落知多少"];
  const tok = CharTokenizer.fit(lines);
  const ids = tok.encodePoem(lines);
  assert.equal(ids.length, 25);
  assert.equal(ids[0], BOS);
  assert.deepEqual([ids[6], ids[12], ids[18]], [EOL, EOL, EOL]);
  assert.equal(ids[24], EOS);
  assert.deepEqual(tok.decodePoem(ids), { lines, ended: true });
});

test("decodePoem: stops at the first <eos>, reports unfinished poems, renders <unk> as □", () => {
  const tok = CharTokenizer.fit(["春花"]);
  const c = tok.id("春");
  const h = tok.id("花");
  assert.deepEqual(tok.decodePoem([BOS, c, EOL, h, EOS, c, c]), { lines: ["春", "花"], ended: true });
  assert.deepEqual(tok.decodePoem([BOS, c, UNK, EOL, h]), { lines: ["春□", "花"], ended: false });
});

test("toJSON/fromJSON round-trips; malformed vocabularies are rejected", () => {
  const tok = CharTokenizer.fit(texts);
  const back = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
  assert.deepEqual(back.vocab, tok.vocab);
  assert.deepEqual(back.encode("花月春"), tok.encode("花月春"));
  assert.throws(() => new CharTokenizer(["春", ...SPECIAL_TOKENS]), /vocab\[0\] must be the special token <pad>/);
  assert.throws(() => new CharTokenizer([...SPECIAL_TOKENS, "春", "春"]), /twice/);
  assert.throws(() => new CharTokenizer([...SPECIAL_TOKENS, "春花"]), /single character/);
  assert.throws(() => CharTokenizer.fromJSON({ kind: "x" } as never), /expected \{kind: "char-tokenizer"/);
});

test("characters outside the BMP stay one token", () => {
  const tok = CharTokenizer.fit(["𠀋春"]);
  assert.equal(tok.encode("𠀋春").length, 2);
  assert.equal(tok.decode(tok.encode("𠀋")), "𠀋");
});

test("tags: a poem labelled with its form encodes as <bos> <7x4> …, decodes with the tag, and unknown tags are named", () => {
  const lines = ["朝辭白帝彩雲間", "千里江陵一日還"];
  const tok = CharTokenizer.fit(lines, { tags: ["<5x4>", "<7x4>"] });
  assert.deepEqual(tok.tags, ["<5x4>", "<7x4>"]);
  assert.equal(tok.tagId("<7x4>"), SPECIAL_TOKENS.length + 1);
  const ids = tok.encodePoem(lines, { tag: "<7x4>" });
  assert.deepEqual(ids.slice(0, 2), [BOS, tok.tagId("<7x4>")]);
  assert.equal(ids.length, 2 + 2 * 8);
  assert.deepEqual(tok.decodePoem(ids), { lines, ended: true, tag: "<7x4>" });
  assert.equal(tok.decode(ids, { skipSpecial: true }), lines.join(""));
  assert.throws(() => tok.encodePoem(lines, { tag: "<5x8>" }), /no tag "<5x8>"; the tokenizer has <5x4>, <7x4>/);
  assert.throws(() => CharTokenizer.fit(lines, { tags: ["5x4"] }), /tag "5x4" must look like <name>/);
  const back = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
  assert.deepEqual(back.tags, tok.tags);
  assert.throws(() => new CharTokenizer([...SPECIAL_TOKENS, "春", "<5x4>"]), /right after the special tokens/);
});
