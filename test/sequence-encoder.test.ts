/** Word ids for sequence models (article §6): vocabulary from training documents, padding, truncation, unknown words. */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { PAD_ID, UNK_ID, WordEncoder } from "../src/text/sequence-encoder";
import { tokenize } from "../src/text/bag-of-words";

// Document frequencies: free 3, now 2, win 2; the rest once. Vocabulary by frequency, ties alphabetical.
const TRAIN = ["Free money, win NOW", "free win", "free now zzz"];

test("fit builds ids 2… from the training documents; 0 is padding, 1 unknown", () => {
  const enc = WordEncoder.fit(TRAIN, 10);
  assert.deepEqual(enc.vocabulary, ["free", "now", "win"]); // minDocFreq 2 drops money, zzz
  assert.equal(enc.size, 5);
  assert.deepEqual([PAD_ID, UNK_ID], [0, 1]);
  assert.deepEqual(
    ["free", "now", "win", "money"].map((w) => enc.idOf(w)),
    [2, 3, 4, UNK_ID],
  );
  assert.deepEqual(
    [0, 1, 2, 4].map((i) => enc.tokenOf(i)),
    ["<pad>", "<unk>", "free", "win"],
  );
  assert.deepEqual(WordEncoder.fit(TRAIN, 1).vocabulary, ["free"]);
});

test("encode uses the runbook's word tokenizer and maps unknown words to UNK", () => {
  const enc = new WordEncoder(["free", "now", "win"]);
  const text = "WIN a FREE cruise -- now!";
  assert.deepEqual(tokenize(text), ["win", "free", "cruise", "now"]);
  assert.deepEqual(Array.from(enc.encode(text)), [4, 2, UNK_ID, 3]);
  assert.deepEqual(enc.decode(enc.encode(text)), ["win", "free", "<unk>", "now"]);
});

test("encodeFixed pads at the end and truncates either end", () => {
  const enc = new WordEncoder(["a1", "b2", "c3", "d4", "e5"]); // ids 2..6
  assert.deepEqual(Array.from(enc.encodeFixed("a1 b2", 5)), [2, 3, PAD_ID, PAD_ID, PAD_ID]);
  assert.deepEqual(Array.from(enc.encodeFixed("a1 b2 c3 d4 e5", 3)), [2, 3, 4]); // keeps the first tokens
  assert.deepEqual(Array.from(enc.encodeFixed("a1 b2 c3 d4 e5", 3, "start")), [4, 5, 6]); // keeps the last tokens
  assert.deepEqual(Array.from(enc.encodeFixed("a1 b2 c3", 3)), [2, 3, 4]); // exactly the length: unchanged
  assert.deepEqual(Array.from(enc.encodeFixed("", 2)), [PAD_ID, PAD_ID]);
  assert.deepEqual(enc.decode(enc.encodeFixed("a1 zz", 4)), ["a1", "<unk>"]); // decode drops padding
});

test("encodeBatch gives an int32 tensor [docs, length]", () => {
  const enc = new WordEncoder(["free", "now"]);
  const x = enc.encodeBatch(["free now free", "now", "xx"], 2);
  assert.equal(x.dtype, "int32");
  assert.deepEqual(x.shape, [3, 2]);
  assert.deepEqual(x.arraySync(), [
    [2, 3],
    [3, 0],
    [1, 0],
  ]);
  tf.dispose(x);
});

test("coverage counts unknown tokens and truncated documents", () => {
  const enc = new WordEncoder(["free", "now"]);
  // 6 tokens, 2 unknown (xx, yy); one of 2 documents has more than 3 tokens.
  const c = enc.coverage(["free xx now yy", "free now"], 3);
  assert.equal(c.unknownRate, 2 / 6);
  assert.equal(c.truncatedRate, 1 / 2);
  assert.equal(c.meanTokens, 3);
});

test("bad parameters are errors naming the parameter", () => {
  const enc = new WordEncoder(["free"]);
  assert.throws(() => enc.encodeFixed("free", 0), /length must be a positive integer; got 0/);
  assert.throws(() => enc.encodeBatch(["free"], 1.5), /length must be [^;]+; got 1\.5/);
  assert.throws(() => enc.encodeFixed("free", 2, "middle" as "end"), /truncate is "middle"/);
  assert.throws(() => enc.tokenOf(3), /id 3 outside 0..2/);
  assert.throws(() => new WordEncoder(["free", "free"]), /vocabulary\[1\] "free" repeats vocabulary\[0\]/);
  assert.throws(() => new WordEncoder([""]), /vocabulary\[0\] is ""/);
  assert.throws(() => WordEncoder.fit([], 5), /trainDocs is empty/);
  assert.throws(() => WordEncoder.fit(TRAIN, 0), /maxWords must be [^;]+; got 0/);
});
