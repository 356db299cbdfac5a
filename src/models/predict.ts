/**
 * Class probabilities from a classifier that outputs logits, in batches inside `tf.tidy` so a
 * large test set does not hold every intermediate tensor at once (article §9.2: ROC curves and
 * thresholds need scores, not only the argmax labels).
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger } from "../core/validate";

/** softmax(net(X)) as rows of probabilities: [n][numClasses]. */
export function predictProbabilities(net: tf.LayersModel, X: tf.Tensor, batchSize = 256): number[][] {
  requirePositiveInteger("predictProbabilities", "batchSize", batchSize);
  const n = X.shape[0];
  const rows: number[][] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const probs = tf.tidy(() => {
      const logits = net.apply(tf.slice(X, start, size), { training: false }) as tf.Tensor; // [size, k]
      if (logits.rank !== 2) throw new Error(`predictProbabilities: the model outputs shape [${logits.shape.join(", ")}]; expected [batch, numClasses] logits`);
      return tf.softmax(logits).arraySync() as number[][];
    });
    rows.push(...probs);
  }
  return rows;
}

/** The probability of class `positive` for each row of X: [n] (e.g. the score of a binary classifier). */
export function predictClassScores(net: tf.LayersModel, X: tf.Tensor, positive: number, batchSize = 256): Float64Array {
  const probs = predictProbabilities(net, X, batchSize);
  if (probs.length > 0 && !(positive >= 0 && positive < probs[0].length)) {
    throw new Error(`predictClassScores: positive class ${positive}; expected 0..${probs[0].length - 1}`);
  }
  return Float64Array.from(probs, (p) => p[positive]);
}
