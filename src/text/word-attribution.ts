/**
 * Which words drive a text classifier's decisions (article §6 NLP): for logistic regression the
 * weights themselves (each word's contribution to the log-odds of the positive class), for any
 * differentiable model the gradient × input attribution, averaged over documents.
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger } from "../core/validate";

/** One word and its score (positive: pushes towards the positive class). */
export interface WordScore {
  word: string;
  score: number;
}

function checkTwoClassLogits(fn: string, net: tf.LayersModel): void {
  const shape = net.outputs[0].shape;
  if (shape.length !== 2 || shape[1] !== 2) throw new Error(`${fn}: the network outputs [${shape.join(", ")}]; expected two-class logits [batch, 2]`);
}

/**
 * Log-odds weights of a logistic regression (one Dense layer, two logits): w[:, 1] − w[:, 0], the
 * change in log(P(1) / P(0)) per unit of each feature (article §6).
 */
export function logisticLogOdds(net: tf.LayersModel): Float32Array {
  checkTwoClassLogits("logisticLogOdds", net);
  const dense = net.layers.filter((l) => l.getWeights().length > 0);
  if (dense.length !== 1 || dense[0].getClassName() !== "Dense") {
    throw new Error(`logisticLogOdds: expected a single Dense layer with weights; got ${net.layers.map((l) => l.getClassName()).join(" → ")}`);
  }
  return tf.tidy(() => {
    const kernel = dense[0].getWeights()[0]; // [V, 2]
    const [w0, w1] = tf.split(kernel, 2, 1); // [V, 1] each
    return tf.sub(w1, w0).reshape([-1]).dataSync() as Float32Array; // [V]
  });
}

/**
 * Mean over the rows of X of x ⊙ ∂(z₁ − z₀)/∂x, where z are the logits: each feature's average
 * first-order contribution to the log-odds of class 1. For logistic regression it equals
 * mean(x) ⊙ logisticLogOdds exactly (article §6).
 */
export function gradientTimesInput(net: tf.LayersModel, X: tf.Tensor2D, batchSize = 256): Float64Array {
  checkTwoClassLogits("gradientTimesInput", net);
  requirePositiveInteger("gradientTimesInput", "batchSize", batchSize);
  const [n, v] = X.shape;
  if (n === 0) throw new Error("gradientTimesInput: X has no rows; expected at least one document");
  const sum = new Float64Array(v);
  const logOdds = (x: tf.Tensor): tf.Tensor => {
    const z = net.apply(x, { training: false }) as tf.Tensor; // [batch, 2]
    const [z0, z1] = tf.split(z, 2, 1);
    return tf.sum(tf.sub(z1, z0)); // Σ over rows: each row's gradient is its own
  };
  const grad = tf.grad(logOdds);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const contrib = tf.tidy(() => {
      const xb = tf.slice(X, start, size); // [size, V]
      return tf.sum(tf.mul(grad(xb), xb), 0).dataSync(); // [V]
    });
    for (let j = 0; j < v; j++) sum[j] += contrib[j];
  }
  return sum.map((s) => s / n);
}

/** The k words with the highest and the k with the lowest scores (article §6). */
export function topWords(scores: ArrayLike<number>, vocabulary: readonly string[], k: number): { positive: WordScore[]; negative: WordScore[] } {
  if (scores.length !== vocabulary.length) throw new Error(`topWords: ${scores.length} scores for ${vocabulary.length} words; expected one score per word`);
  requirePositiveInteger("topWords", "k", k);
  const all = vocabulary.map((word, j) => ({ word, score: scores[j] }));
  const byScore = (a: WordScore, b: WordScore): number => b.score - a.score || (a.word < b.word ? -1 : 1);
  all.sort(byScore);
  return { positive: all.slice(0, k), negative: all.slice(-k).reverse() };
}
