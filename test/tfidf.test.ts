/** TF-IDF (article §6): sklearn's smooth idf and L2 rows, fitted on training documents only. */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { fitTfidf, tfidfMatrix, tfidfRows } from "../src/text/tfidf";
import { assertArraysClose } from "./helpers/numeric";

// Three training documents; tokens: [free, money, free], [money, now], [hello, now, now].
// Document frequencies: money 2, now 2, free 1, hello 1 → vocabulary order money, now, free, hello
// (most documents first, ties alphabetical).
const DOCS = ["free money free", "money now", "hello now now"];
// idf = ln((1 + n) / (1 + df)) + 1 with n = 3 (scikit-learn's smooth_idf=True):
//   money, now: ln(4/3) + 1 = 1.2876820724517808;  free, hello: ln(4/2) + 1 = 1.6931471805599454
const IDF = [1.2876820724517808, 1.2876820724517808, 1.6931471805599454, 1.6931471805599454];
// Rows = count · idf / L2 norm, computed by hand with Python's math module:
//   doc 0: [1·1.28768, 0, 2·1.69315, 0] / 3.62287 = [0.35543246785041743, 0, 0.9347019636214327, 0]
//   doc 1: [1.28768, 1.28768, 0, 0] / 1.82106     = [0.7071067811865476, 0.7071067811865476, 0, 0]
//   doc 2: [0, 2·1.28768, 0, 1.69315] / 3.08208   = [0, 0.8355915419449176, 0, 0.5493512310263033]
const ROWS = [
  [0.35543246785041743, 0, 0.9347019636214327, 0],
  [0.7071067811865476, 0.7071067811865476, 0, 0],
  [0, 0.8355915419449176, 0, 0.5493512310263033],
];
const TOL = 1e-6; // float32 storage of the rows

test("vocabulary, document frequencies and smooth idf match the hand computation", () => {
  const m = fitTfidf(DOCS, { maxFeatures: 10, minDocFreq: 1 });
  assert.deepEqual(m.vocabulary, ["money", "now", "free", "hello"]);
  assert.deepEqual(Array.from(m.documentFrequency), [2, 2, 1, 1]);
  assert.equal(m.numDocs, 3);
  assertArraysClose(Array.from(m.idf), IDF, "values", 1e-12);
});

test("rows are count × idf, L2-normalised", () => {
  const m = fitTfidf(DOCS, { maxFeatures: 10, minDocFreq: 1 });
  const rows = tfidfRows(m, DOCS);
  assertArraysClose(Array.from(rows), ROWS.flat(), "values", TOL);
  const x = tfidfMatrix(m, DOCS);
  assert.deepEqual(x.shape, [3, 4]);
  assertArraysClose(Array.from(x.dataSync()), ROWS.flat(), "values", TOL);
  tf.dispose(x);
});

test("sublinear tf uses 1 + ln(count)", () => {
  // doc 2 with sublinear tf: now → (1 + ln 2) · 1.28768 = 2.18027, hello → 1.69315; / 2.76050 (Python by hand)
  const m = fitTfidf(DOCS, { maxFeatures: 10, minDocFreq: 1, sublinearTf: true });
  assertArraysClose(Array.from(tfidfRows(m, [DOCS[2]])), [0, 0.7898069290660905, 0, 0.6133555370249717], "values", TOL);
});

test("idf comes from the training documents only; unseen words give a zero row", () => {
  const m = fitTfidf(DOCS, { maxFeatures: 10, minDocFreq: 1 });
  // A test document full of "free" does not change the fitted idf, and scales like doc 0's "free" alone.
  assertArraysClose(Array.from(tfidfRows(m, ["free free free free"])), [0, 0, 1, 0], "values", TOL);
  assertArraysClose(Array.from(m.idf), IDF, "values", 1e-12);
  assert.deepEqual(Array.from(tfidfRows(m, ["completely unseen words", ""])), new Array(8).fill(0));
});

test("maxFeatures and minDocFreq restrict the vocabulary", () => {
  assert.deepEqual(fitTfidf(DOCS, { maxFeatures: 2, minDocFreq: 1 }).vocabulary, ["money", "now"]);
  assert.deepEqual(fitTfidf(DOCS, { maxFeatures: 10 }).vocabulary, ["money", "now"]); // default minDocFreq 2
  // idf of a word depends on n, the number of training documents, not on the vocabulary size.
  assertArraysClose(Array.from(fitTfidf(DOCS, { maxFeatures: 2, minDocFreq: 1 }).idf), IDF.slice(0, 2), "values", 1e-12);
});

test("bad parameters are errors naming the parameter", () => {
  assert.throws(() => fitTfidf([], { maxFeatures: 5 }), /trainDocs is empty/);
  assert.throws(() => fitTfidf(DOCS, { maxFeatures: 0 }), /fitTfidf: maxFeatures must be a positive integer; got 0/);
  assert.throws(() => fitTfidf(DOCS, { maxFeatures: 2.5 }), /maxFeatures must be [^;]+; got 2\.5/);
  assert.throws(() => fitTfidf(DOCS, { maxFeatures: 5, minDocFreq: 0 }), /minDocFreq must be [^;]+; got 0/);
  assert.throws(() => fitTfidf(DOCS, { maxFeatures: 5, minDocFreq: 4 }), /no token occurs in 4 or more of the 3 training documents/);
});
