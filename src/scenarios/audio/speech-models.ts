/**
 * Models for the spoken-digit scenario (article §6, speech): a nearest-class-centroid baseline a
 * skeptic tries first on a time-averaged log-mel vector (the other baseline, logistic regression,
 * is `buildMlp` with no hidden layer, in model.ts), and a small CNN over the whole log-mel spectrogram.
 *
 *   CNN input [batch, frames, mels, 1], e.g. [batch, 64, 40, 1]
 *   3 × (conv 3×3 same + ReLU, max-pool 2×2)   → [batch, 8, 5, filters[2]]
 *   flatten → dropout → dense numClasses (logits, no softmax)
 *
 * All initialisers are seeded (He-normal kernels for ReLU layers, Glorot for the logits).
 */
import * as tf from "@tensorflow/tfjs";
import { requireInRange, requireShape } from "../../core/validate";

/** Options for {@link buildSpeechCnn}. */
export interface SpeechCnnOptions {
  /** [frames, mels, 1]: time on the first axis, mel bands on the second. */
  inputShape: [number, number, number];
  numClasses?: number;
  /** Base seed: layer i's kernel uses seed + i. */
  seed: number;
  /** Filters of the three conv blocks (default [8, 16, 32]). */
  filters?: [number, number, number];
  /** Dropout rate before the logits (default 0.3). */
  dropout?: number;
}

/** A small log-mel CNN: three conv 3×3 + ReLU + max-pool blocks, dropout, dense logits (article §6). */
export function buildSpeechCnn(options: SpeechCnnOptions): tf.LayersModel {
  const { inputShape, numClasses = 10, seed, filters = [8, 16, 32], dropout = 0.3 } = options;
  const [frames, mels] = inputShape;
  requireShape("buildSpeechCnn", "inputShape", inputShape, ["frames", "mels", "channels"]);
  if (frames < 8 || mels < 8)
    throw new Error(`buildSpeechCnn: inputShape [${inputShape.join(", ")}] is too small; need at least 8 frames and 8 mels for three 2×2 pools`);
  requireInRange("buildSpeechCnn", "dropout", dropout, 0, 1, "[)");
  const net = tf.sequential();
  filters.forEach((f, i) => {
    // [batch, h, w, c] → [batch, h, w, f] → [batch, ⌊h/2⌋, ⌊w/2⌋, f]
    net.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape } : {}),
        filters: f,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
        biasInitializer: "zeros",
      }),
    );
    net.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  net.add(tf.layers.flatten()); // [batch, ⌊frames/8⌋ · ⌊mels/8⌋ · filters[2]]
  if (dropout > 0) net.add(tf.layers.dropout({ rate: dropout, seed: seed + 100 }));
  net.add(tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 3 }), biasInitializer: "zeros" })); // [batch, numClasses]
  return net;
}

/** Class centroids: centroids[c] is the mean of the training vectors of class c. */
export interface NearestCentroid {
  centroids: Float64Array[];
}

/** Fits a nearest-centroid classifier: the mean vector of each class (article §6 baseline). */
export function fitNearestCentroid(X: readonly ArrayLike<number>[], y: ArrayLike<number>, numClasses: number): NearestCentroid {
  if (X.length === 0 || X.length !== y.length)
    throw new Error(`fitNearestCentroid: X has ${X.length} rows and y ${y.length} labels; expected the same positive number`);
  const d = X[0].length;
  const sums = Array.from({ length: numClasses }, () => new Float64Array(d));
  const counts = new Array<number>(numClasses).fill(0);
  X.forEach((row, i) => {
    const c = y[i];
    if (!(Number.isInteger(c) && c >= 0 && c < numClasses)) throw new Error(`fitNearestCentroid: y[${i}] is ${c}; expected a class in 0..${numClasses - 1}`);
    if (row.length !== d) throw new Error(`fitNearestCentroid: row ${i} has ${row.length} values; expected ${d}`);
    for (let j = 0; j < d; j++) sums[c][j] += row[j];
    counts[c]++;
  });
  counts.forEach((n, c) => {
    if (n === 0) throw new Error(`fitNearestCentroid: class ${c} has no training rows`);
  });
  return { centroids: sums.map((s, c) => s.map((v) => v / counts[c])) };
}

/** The class of the nearest centroid (Euclidean) for each row (article §6 baseline). */
export function predictNearestCentroid(model: NearestCentroid, X: readonly ArrayLike<number>[]): Int32Array {
  const out = new Int32Array(X.length);
  X.forEach((row, i) => {
    let best = -1;
    let bestD = Infinity;
    model.centroids.forEach((c, k) => {
      let dist = 0;
      for (let j = 0; j < c.length; j++) dist += (row[j] - c[j]) ** 2;
      if (dist < bestD) {
        bestD = dist;
        best = k;
      }
    });
    out[i] = best;
  });
  return out;
}
