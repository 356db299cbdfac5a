/**
 * A small recurrent forecaster for next-day volatility (article §6, with the RNN of §4.1.3): a
 * GRU reads a window of daily features and a dense layer maps its last state to one number.
 *
 * Training is a short loop here rather than `trainClassifier` (src/train.ts), which is the loop for
 * classifiers: it one-hot encodes integer labels and minimises softmax cross-entropy. A forecaster
 * has a real-valued target and needs a regression loss (mean absolute error: its minimiser is the
 * conditional median, the best forecast under the MAE the notebook reports) and the choice of the
 * epoch by the validation loss. Like trainClassifier it shuffles with `shuffledIndices(n, seed +
 * epoch)`, runs each step in `tf.tidy`, and reports progress through the same callback types, so
 * `trainingView` shows it. Not `net.fit`: its shuffle uses Math.random, which is not seeded.
 */
import * as tf from "@tensorflow/tfjs";
import { shuffledIndices } from "../../core/random";
import type { TrainHistory, TrainLogEntry, TrainProgress } from "../../training/train";
import type { WindowSet } from "./windows";
import { requireAbove, requirePositiveInteger } from "../../core/validate";

/** Options of {@link buildGruForecaster}. */
export interface GruForecasterOptions {
  /** Days per input window (L). */
  windowLength: number;
  /** Features per day (F). */
  numFeatures: number;
  /** GRU state size. */
  units: number;
  /** Seeds the initial weights. */
  seed: number;
}

/** GRU(units) → dense(1): input [batch, L, F], output [batch, 1] (article §4.1.3, §6). */
export function buildGruForecaster(opts: GruForecasterOptions): tf.Sequential {
  const { windowLength, numFeatures, units, seed } = opts;
  for (const [k, v] of Object.entries({ windowLength, numFeatures, units })) {
    requirePositiveInteger("buildGruForecaster", k, v);
  }
  const net = tf.sequential({ name: "gru_forecaster" });
  net.add(
    tf.layers.gru({
      units,
      inputShape: [windowLength, numFeatures], // [batch, L, F] → [batch, units] (last state)
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
      biasInitializer: "zeros",
    }),
  );
  net.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }) })); // [batch, 1]
  return net;
}

/** Windows as tensors: X [n, L, F], y [n, 1]. The caller disposes them. */
export function windowTensors(set: WindowSet): { X: tf.Tensor3D; y: tf.Tensor2D } {
  return {
    X: tf.tensor3d(set.X, [set.n, set.length, set.numFeatures]),
    y: tf.tensor2d(set.y, [set.n, 1]),
  };
}

/** Options of {@link trainForecaster}. */
export interface ForecastTrainOptions {
  numEpochs: number;
  batchSize: number;
  /** Adam learning rate. */
  lr: number;
  /** Shuffle seed: epoch e (0-based) uses shuffledIndices(n, seed + e). */
  seed: number;
  onProgress?: (p: TrainProgress) => void;
  /** Called once per epoch with the mean training loss. */
  onLog?: (entry: TrainLogEntry) => void;
  /** Minimum milliseconds between onProgress calls (default 250). */
  progressIntervalMs?: number;
}

/** What {@link trainForecaster} returns: the shared history plus per-epoch losses. */
export interface ForecastHistory extends TrainHistory {
  /** Mean training MAE per epoch (over the epoch's mini-batches). */
  trainLoss: number[];
  /** Validation MAE after each epoch. */
  validationLoss: number[];
  /** 1-based epoch whose weights the model keeps (lowest validation MAE). */
  bestEpoch: number;
}

/** Mean absolute error of `net` on a set, in batches (article §6). */
export function meanAbsoluteError(net: tf.LayersModel, X: tf.Tensor3D, y: tf.Tensor2D, batchSize = 1024): number {
  const pred = predictForecaster(net, X, batchSize);
  const target = y.dataSync();
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += Math.abs(pred[i] - target[i]);
  return s / pred.length;
}

/** Predictions [n] for inputs [n, L, F], computed in batches inside tf.tidy (article §6). */
export function predictForecaster(net: tf.LayersModel, X: tf.Tensor3D, batchSize = 1024): Float32Array {
  const n = X.shape[0];
  const out = new Float32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const values = tf.tidy(() => (net.predict(X.slice([start, 0, 0], [size, -1, -1])) as tf.Tensor).dataSync()); // [size, 1]
    out.set(values, start);
  }
  return out;
}

/**
 * Trains a forecaster with Adam on the mean absolute error, seeded shuffles, and keeps the weights
 * of the epoch with the lowest validation MAE (article §6). Tensors stay flat: each step is tidied,
 * the best weights are copies that are disposed when replaced.
 */
export async function trainForecaster(
  net: tf.LayersModel,
  trainSet: { X: tf.Tensor3D; y: tf.Tensor2D },
  validationSet: { X: tf.Tensor3D; y: tf.Tensor2D },
  opts: ForecastTrainOptions,
): Promise<ForecastHistory> {
  const { numEpochs, batchSize, lr, seed, onProgress, onLog, progressIntervalMs = 250 } = opts;
  for (const [k, v] of Object.entries({ numEpochs, batchSize })) {
    requirePositiveInteger("trainForecaster", k, v);
  }
  requireAbove("trainForecaster", "lr", lr, 0);
  const n = trainSet.X.shape[0];
  if (n === 0) throw new Error("trainForecaster: the training set is empty");
  if (trainSet.y.shape[0] !== n || trainSet.y.shape[1] !== 1) {
    throw new Error(`trainForecaster: y must have shape [${n}, 1] to match X [${trainSet.X.shape.join(", ")}]; got [${trainSet.y.shape.join(", ")}]`);
  }
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = numEpochs * batchesPerEpoch;
  const optimizer = tf.train.adam(lr);
  const varList = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const trainLoss: number[] = [];
  const validationLoss: number[] = [];
  const losses: TrainLogEntry[] = [];
  let best: tf.Tensor[] | null = null;
  let bestEpoch = 0;
  let steps = 0;
  let samplesSeen = 0;
  let lastProgress = -Infinity;
  const start = performance.now();
  const rate = (): number => {
    const s = (performance.now() - start) / 1000;
    return s > 0 ? samplesSeen / s : 0;
  };
  try {
    for (let epoch = 0; epoch < numEpochs; epoch++) {
      const order = shuffledIndices(n, seed + epoch);
      let sum = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        const batchIdx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const loss = tf.tidy(() => {
          const idx = tf.tensor1d(batchIdx, "int32"); // [batch]
          const xb = tf.gather(trainSet.X, idx); // [batch, L, F]
          const yb = tf.gather(trainSet.y, idx); // [batch, 1]
          return optimizer.minimize(
            () => tf.losses.absoluteDifference(yb, net.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar,
            true,
            varList,
          ) as tf.Scalar;
        });
        sum += loss.dataSync()[0] * batchIdx.length;
        loss.dispose();
        steps++;
        samplesSeen += batchIdx.length;
        const now = performance.now();
        if (onProgress && (steps === totalSteps || now - lastProgress >= progressIntervalMs)) {
          lastProgress = now;
          const sps = rate();
          onProgress({
            epoch: epoch + 1,
            numEpochs,
            batch: b + 1,
            batchesPerEpoch,
            fraction: steps / totalSteps,
            samplesPerSec: sps,
            etaSeconds: sps > 0 ? (numEpochs * n - samplesSeen) / sps : Infinity,
            lastMeanLoss: trainLoss.length ? trainLoss[trainLoss.length - 1] : null,
          });
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      trainLoss.push(sum / n);
      const entry = { epoch: epoch + 1, batch: batchesPerEpoch, meanLoss: sum / n, samplesPerSec: rate() };
      losses.push(entry);
      onLog?.(entry);
      const v = meanAbsoluteError(net, validationSet.X, validationSet.y);
      validationLoss.push(v);
      if (best === null || v < validationLoss[bestEpoch - 1]) {
        if (best) tf.dispose(best);
        best = net.getWeights().map((w) => w.clone());
        bestEpoch = epoch + 1;
      }
    }
    if (best) net.setWeights(best);
  } finally {
    if (best) tf.dispose(best);
    optimizer.dispose();
  }
  const seconds = (performance.now() - start) / 1000;
  return { losses, samplesPerSec: rate(), seconds, steps, backend: tf.getBackend(), trainLoss, validationLoss, bestEpoch };
}
