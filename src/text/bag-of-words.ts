/**
 * Bag-of-words features for text classifiers (article §6 NLP, §9.4's spam filter): lower-case
 * word tokens, a vocabulary of the most frequent tokens (by document frequency, fitted on the
 * training split only) and binary presence vectors as a tensor.
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger } from "../core/validate";

/** Lower-case tokens of letters and digits, 2–24 characters ("[EMAIL]" → "email"). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]{2,24}/g) ?? [];
}

/** The `size` tokens present in the most documents (ties broken alphabetically), each in ≥ minDocFreq documents (article §6). */
export function buildVocabulary(docs: readonly string[], size: number, minDocFreq = 2): string[] {
  requirePositiveInteger("buildVocabulary", "size", size);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(tokenize(d))) df.set(t, (df.get(t) ?? 0) + 1);
  return [...df.entries()]
    .filter(([, n]) => n >= minDocFreq)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, size)
    .map(([t]) => t);
}

/** Binary bag-of-words matrix: [docs.length, vocabulary.length], 1 where the token occurs (article §6). */
export function bagOfWords(docs: readonly string[], vocabulary: readonly string[]): tf.Tensor2D {
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  const v = vocabulary.length;
  const data = new Float32Array(docs.length * v);
  docs.forEach((d, r) => {
    for (const t of tokenize(d)) {
      const j = index.get(t);
      if (j !== undefined) data[r * v + j] = 1;
    }
  });
  return tf.tensor2d(data, [docs.length, v]); // [docs, vocabulary]
}
