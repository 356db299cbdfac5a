/** Bag-of-words features (article §6, §9.4): tokens, vocabulary by document frequency, binary matrix. */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { bagOfWords, buildVocabulary, tokenize } from "../src/text/bag-of-words";

test("tokenize lower-cases, splits on non-alphanumerics and drops 1-letter tokens", () => {
  assert.deepEqual(tokenize("Mail [EMAIL] now: FREE a 100% x"), ["mail", "email", "now", "free", "100"]);
});

test("vocabulary counts documents, not occurrences, and breaks ties alphabetically", () => {
  // Document frequencies counted by hand: free 3, now 2, win 2, a-z once.
  const docs = ["free free free win", "free now win", "free now zzz"];
  assert.deepEqual(buildVocabulary(docs, 3), ["free", "now", "win"]);
  assert.deepEqual(buildVocabulary(docs, 10, 3), ["free"]);
  assert.throws(() => buildVocabulary(docs, 0), /buildVocabulary: size must be a positive integer; got 0/);
});

test("bagOfWords marks presence", () => {
  const m = bagOfWords(["free win", "nothing", "win win"], ["free", "win"]);
  assert.deepEqual(m.shape, [3, 2]);
  assert.deepEqual(m.arraySync(), [
    [1, 1],
    [0, 0],
    [0, 1],
  ]);
  tf.dispose(m);
});
