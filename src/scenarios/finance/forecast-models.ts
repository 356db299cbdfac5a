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
 * With `engine: "auto"` (the default) a GRU → Dense forecaster trains on the native fused step
 * (engine/native/gru-train.ts, one addon call per mini-batch; issue #14) when the addon loads,
 * with the same shuffles, losses, validation and choice of epoch; otherwise the tfjs loop.
 */
import * as tf from "@tensorflow/tfjs";
import { shuffledIndices } from "../../core/random";
import type { TrainHistory, TrainLogEntry, TrainProgress } from "../../training/train";
import type { WindowSet } from "./windows";
import { requireAbove, requirePositiveInteger } from "../../core/validate";
import { nativeGruTrainerFor, type NativeGruTrainer } from "../../engine/native/gru-train";

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
  /** "auto" (default): the native fused GRU step when it supports the model, else tfjs; "tfjs": always the tfjs loop. */
  engine?: "auto" | "tfjs";
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

/** One engine's side of {@link trainForecaster}: a step on the given windows, the validation MAE, and keeping the best weights. */
interface ForecastEngine {
  /** One Adam step on the training windows `batchIdx`; returns the batch's mean MAE before it. */
  step(batchIdx: Int32Array): number;
  /** Mean absolute error on the validation set with the current weights. */
  validationMae(): number;
  /** Remembers the current weights as the best so far. */
  keepBest(): void;
  /** Leaves the best weights (or the last ones when none were kept) in the model and frees what the engine holds. */
  finish(): void;
}

type ForecastSets = { trainSet: { X: tf.Tensor3D; y: tf.Tensor2D }; validationSet: { X: tf.Tensor3D; y: tf.Tensor2D } };

/** The tfjs loop: a tidied optimizer.minimize per batch, validation by predictForecaster. */
function tfjsForecastEngine(net: tf.LayersModel, { trainSet, validationSet }: ForecastSets, lr: number): ForecastEngine {
  const optimizer = tf.train.adam(lr);
  const varList = net.trainableWeights.map((w) => w.read() as tf.Variable);
  let best: tf.Tensor[] | null = null;
  return {
    step: (batchIdx) => {
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
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
    validationMae: () => meanAbsoluteError(net, validationSet.X, validationSet.y),
    keepBest: () => {
      if (best) tf.dispose(best);
      best = net.getWeights().map((w) => w.clone());
    },
    finish: () => {
      if (best) net.setWeights(best);
      if (best) tf.dispose(best);
      best = null;
      optimizer.dispose();
    },
  };
}

/** The native loop: windows gathered on the host into one batch buffer, one fused addon step each, validation by the native predict. */
function nativeForecastEngine(trainer: NativeGruTrainer, { trainSet, validationSet }: ForecastSets, batchSize: number, lr: number): ForecastEngine {
  const S = trainer.sampleSize; // L·F floats per window
  const floats = (t: tf.Tensor): Float32Array => {
    const d = t.dataSync(); // read only here
    return d instanceof Float32Array ? d : Float32Array.from(d);
  };
  const X = floats(trainSet.X); // [n, L, F]
  const y = floats(trainSet.y); // [n, 1]
  const valX = floats(validationSet.X); // [nv, L, F]
  const valY = validationSet.y.dataSync(); // [nv, 1]
  const xBatch = new Float32Array(batchSize * S); // [batch, L, F]
  const yBatch = new Float32Array(batchSize); // [batch, 1]
  let best: Float32Array[] | null = null;
  return {
    step: (batchIdx) => {
      for (let k = 0; k < batchIdx.length; k++) {
        const i = batchIdx[k];
        xBatch.set(X.subarray(i * S, (i + 1) * S), k * S);
        yBatch[k] = y[i];
      }
      return trainer.step(xBatch, yBatch, 0, batchIdx.length, lr);
    },
    validationMae: () => {
      // As meanAbsoluteError: float32 predictions, the mean of |pred − y| in doubles. In chunks of the
      // training batch, whose buffers the native net already has (a larger batch would grow them: ≈50 ms
      // of fresh pages per call here, more than a few epochs' steps).
      const nv = valY.length;
      let s = 0;
      for (let start = 0; start < nv; start += batchSize) {
        const pred = trainer.predict(valX, start, Math.min(batchSize, nv - start)); // [size, 1]
        for (let k = 0; k < pred.length; k++) s += Math.abs(pred[k] - valY[start + k]);
      }
      return s / nv;
    },
    keepBest: () => {
      best = trainer.weights();
    },
    finish: () => {
      trainer.syncToModel(best ?? trainer.weights());
      trainer.dispose();
    },
  };
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
  const native = opts.engine === "tfjs" ? { trainer: null, reason: "engine: tfjs requested" } : nativeGruTrainerFor(net, { loss: "mae", optimizer: "adam" });
  const sets = { trainSet, validationSet };
  const engine = native.trainer ? nativeForecastEngine(native.trainer, sets, batchSize, lr) : tfjsForecastEngine(net, sets, lr);
  const trainLoss: number[] = [];
  const validationLoss: number[] = [];
  const losses: TrainLogEntry[] = [];
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
        sum += engine.step(batchIdx) * batchIdx.length;
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
      const v = engine.validationMae();
      validationLoss.push(v);
      if (bestEpoch === 0 || v < validationLoss[bestEpoch - 1]) {
        engine.keepBest();
        bestEpoch = epoch + 1;
      }
    }
  } finally {
    engine.finish();
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    losses,
    samplesPerSec: rate(),
    seconds,
    steps,
    backend: tf.getBackend(),
    engine: native.trainer ? "native" : "tfjs",
    engineReason: native.reason,
    trainLoss,
    validationLoss,
    bestEpoch,
  };
}
