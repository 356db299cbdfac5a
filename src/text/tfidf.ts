/**
 * TF-IDF features for text classifiers (article §6 NLP): the runbook's word tokens (`tokenize` in
 * bag-of-words.ts), a vocabulary and inverse document frequencies fitted on the TRAINING documents
 * only, and L2-normalised TF-IDF rows. The weighting is scikit-learn's TfidfVectorizer default:
 *
 *   tf(t, d) = number of times token t occurs in document d   (sublinearTf: 1 + ln count)
 *   idf(t)   = ln((1 + n) / (1 + df(t))) + 1                  (smooth_idf=True; n training documents,
 *                                                               df(t) training documents containing t)
 *   x(t, d)  = tf(t, d) · idf(t), each row divided by its L2 norm (a row with no known token stays 0)
 *
 * The vocabulary is buildVocabulary's: the `maxFeatures` tokens found in the most training
 * documents (ties alphabetical). scikit-learn's max_features ranks by total count instead; the two
 * pick slightly different words, the formula above is the same.
 */
import * as tf from "@tensorflow/tfjs";
import { buildVocabulary, tokenize } from "./bag-of-words";
import { requirePositiveInteger } from "../core/validate";

/** Options of {@link fitTfidf}. */
export interface TfidfOptions {
  /** Keep at most this many tokens (those in the most training documents). */
  maxFeatures: number;
  /** Drop tokens found in fewer training documents (default 2). */
  minDocFreq?: number;
  /** Use 1 + ln(count) instead of the raw count (sklearn's sublinear_tf; default false). */
  sublinearTf?: boolean;
}

/** A fitted TF-IDF transform: everything in it comes from the training documents. */
export interface Tfidf {
  vocabulary: readonly string[];
  /** idf of vocabulary[j]: ln((1 + numDocs) / (1 + documentFrequency[j])) + 1. */
  idf: Float64Array;
  /** Training documents containing vocabulary[j]. */
  documentFrequency: Int32Array;
  /** Training documents the transform was fitted on (n in the formula). */
  numDocs: number;
  sublinearTf: boolean;
}

/** Fits vocabulary and idf on the training documents only (article §6). */
export function fitTfidf(trainDocs: readonly string[], opts: TfidfOptions): Tfidf {
  const { maxFeatures, minDocFreq = 2, sublinearTf = false } = opts;
  if (trainDocs.length === 0) throw new Error("fitTfidf: trainDocs is empty; expected at least one training document");
  requirePositiveInteger("fitTfidf", "maxFeatures", maxFeatures);
  requirePositiveInteger("fitTfidf", "minDocFreq", minDocFreq);
  const vocabulary = buildVocabulary(trainDocs, maxFeatures, minDocFreq);
  if (vocabulary.length === 0) {
    throw new Error(
      `fitTfidf: no token occurs in ${minDocFreq} or more of the ${trainDocs.length} training documents; expected a non-empty vocabulary (lower minDocFreq?)`,
    );
  }
  const index = new Map(vocabulary.map((t, j) => [t, j]));
  const documentFrequency = new Int32Array(vocabulary.length);
  for (const d of trainDocs) {
    for (const t of new Set(tokenize(d))) {
      const j = index.get(t);
      if (j !== undefined) documentFrequency[j]++;
    }
  }
  const n = trainDocs.length;
  const idf = Float64Array.from(documentFrequency, (df) => Math.log((1 + n) / (1 + df)) + 1);
  return { vocabulary, idf, documentFrequency, numDocs: n, sublinearTf };
}

/** TF-IDF rows on the host, row-major [docs.length, vocabulary.length], each row of unit L2 norm or all zero (article §6). */
export function tfidfRows(model: Tfidf, docs: readonly string[]): Float32Array {
  const v = model.vocabulary.length;
  if (model.idf.length !== v) throw new Error(`tfidfRows: model has ${v} words but ${model.idf.length} idf values; expected one per word`);
  const index = new Map(model.vocabulary.map((t, j) => [t, j]));
  const out = new Float32Array(docs.length * v);
  const counts = new Float64Array(v);
  docs.forEach((d, r) => {
    const touched: number[] = [];
    for (const t of tokenize(d)) {
      const j = index.get(t);
      if (j === undefined) continue;
      if (counts[j] === 0) touched.push(j);
      counts[j]++;
    }
    let norm2 = 0;
    for (const j of touched) {
      const tfv = model.sublinearTf ? 1 + Math.log(counts[j]) : counts[j];
      counts[j] = tfv * model.idf[j];
      norm2 += counts[j] * counts[j];
    }
    const norm = Math.sqrt(norm2);
    for (const j of touched) {
      out[r * v + j] = counts[j] / norm;
      counts[j] = 0;
    }
  });
  return out;
}

/** TF-IDF matrix as a tensor: [docs.length, vocabulary.length] (article §6). */
export function tfidfMatrix(model: Tfidf, docs: readonly string[]): tf.Tensor2D {
  return tf.tensor2d(tfidfRows(model, docs), [docs.length, model.vocabulary.length]); // [docs, vocabulary]
}
