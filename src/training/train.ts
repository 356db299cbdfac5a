/**
 * The runbook's one training loop and one evaluation loop for classifiers (article §5.2).
 *
 * Mirrors the tutorial: shuffled mini-batches each epoch, cross-entropy on logits, SGD with
 * momentum, and the mean loss logged every `logEvery` mini-batches (the tutorial's 2000).
 * Library code prints nothing: logs and progress go to callbacks and the returned history.
 */
import * as tf from "@tensorflow/tfjs";
import { shuffledIndices } from "../core/random";
import { nativePredictorFor, nativeTrainerFor } from "../engine/native/seq-train";
import { loadNative, useNativeThreadsFor } from "../engine/native/addon";
import { multiplyAddsPerSample } from "../models/flops";
import { NativeBatches } from "../engine/native/batches";
import { hostView } from "../engine/host-view";
import { requireAbove, requirePositiveInteger } from "../core/validate";
import { applyAugmentation, augmentHostBatch, drawAugmentation, type PadMode } from "./augment";
import { learningRateAt, ScheduledAdam, type LrSchedule } from "./lr-schedule";

/** A labelled dataset: images (or features) X and integer class labels y. */
export interface LabelledSet {
  /** Inputs, first dimension is the sample: e.g. [n, 32, 32, 3]. */
  X: tf.Tensor;
  /** Integer class labels in [0, numClasses): [n]. */
  y: tf.Tensor1D;
}

/** Options for {@link trainClassifier}; names follow the runbook (numEpochs, batchSize, lr). */
export interface TrainOptions {
  /** Passes over the training set (2 in the tutorial). */
  numEpochs: number;
  /** Mini-batch size (4 in the tutorial); the last batch of an epoch may be smaller. */
  batchSize: number;
  /** Learning rate (0.001 in the tutorial); with lrSchedule 'cosine', the peak rate. */
  lr: number;
  /**
   * 'constant' (default, the tutorial's) or 'cosine': linear warm-up over `warmupSteps`, then cosine
   * decay to lr · minLrFraction at the last step ({@link learningRateAt}), on both engines.
   */
  lrSchedule?: LrSchedule;
  /** Cosine schedule only: warm-up steps (default 10% of all steps). */
  warmupSteps?: number;
  /** Cosine schedule only: the final rate as a fraction of lr (default 0.1). */
  minLrFraction?: number;
  /** SGD momentum μ (0.9 in the tutorial); default 0 = plain SGD, like torch.optim.SGD. Ignored by Adam. */
  momentum?: number;
  /** 'sgd' (default; with momentum if momentum > 0) or 'adam' (default betas 0.9/0.999, eps 1e-7). */
  optimizer?: "sgd" | "adam";
  /** Shuffle seed: epoch e (0-based) uses shuffledIndices(n, seed + e). */
  seed: number;
  /** Log the mean loss every N mini-batches within an epoch (tutorial: 2000); default once per epoch. */
  logEvery?: number;
  /** Live progress, called at most ~4 times per second and once at the end. */
  onProgress?: (p: TrainProgress) => void;
  /** Called for every loss log entry (every `logEvery` mini-batches). */
  onLog?: (entry: TrainLogEntry) => void;
  /**
   * Called after every epoch (1-based) with the model holding that epoch's weights, e.g. to measure
   * test accuracy per epoch within one run (one optimiser state throughout). Its time is not
   * counted in the history's seconds and samples/s.
   */
  onEpochEnd?: (epoch: number) => void | Promise<void>;
  /** Minimum milliseconds between onProgress calls (default 250). */
  progressIntervalMs?: number;
  /**
   * Augment every mini-batch of images ([n, H, W, C]) with a random crop of the padded image and a
   * random horizontal flip (article §3.3, {@link augmentImages}), drawn afresh per step from the seed,
   * so every epoch sees new variants while the optimiser state carries on (the same draws and
   * result on the native step, which augments its host batch, and on the tfjs step: applyAugmentation).
   */
  augment?: { padding?: number; flipProbability?: number; mode?: PadMode; value?: number };
  /**
   * 'auto' (default): the native fused step when the addon is built and the model/optimiser are
   * supported (see src/native/seq-train.ts), else the tfjs step; 'tfjs' forces the tfjs step.
   */
  engine?: "auto" | "tfjs";
}

/** Live training progress for a display (progress bar, ETA, running loss). */
export interface TrainProgress {
  /** Current epoch, 1-based. */
  epoch: number;
  numEpochs: number;
  /** Mini-batches completed in the current epoch, 1-based (batchesPerEpoch at the epoch's end). */
  batch: number;
  batchesPerEpoch: number;
  /** Fraction of all training steps done, in [0, 1]. */
  fraction: number;
  /** Training throughput since the start. */
  samplesPerSec: number;
  /** Estimated seconds remaining at the current throughput. */
  etaSeconds: number;
  /** Mean loss over the mini-batches since the last log entry (or the last logged value); null before any step. */
  lastMeanLoss: number | null;
}

/** One loss record: the mean mini-batch loss over the last `logEvery` mini-batches (epoch and batch 1-based, like the tutorial's print). */
export interface LossLogEntry {
  epoch: number;
  batch: number;
  meanLoss: number;
}

/** A loss record plus the throughput over the logged interval. */
export interface TrainLogEntry extends LossLogEntry {
  samplesPerSec: number;
}

/** What {@link trainClassifier} returns. */
export interface TrainHistory {
  losses: LossLogEntry[];
  /** Mean training throughput over the whole run. */
  samplesPerSec: number;
  /** Wall-clock training time. */
  seconds: number;
  /** Optimiser steps taken (mini-batches). */
  steps: number;
  /** Learning rate of the last step (lr unless a schedule moved it). */
  finalLr?: number;
  /** tf backend the run used, e.g. "cpu" or "wasm" (for "N samples/s on <backend>"). */
  backend: string;
  /** The step that ran: "native" (fused oneDNN step) or "tfjs" (on `backend`); set by trainClassifier. */
  engine?: "native" | "tfjs";
  /** Why that step: the native kernels' version, or why they were not used. */
  engineReason?: string;
}

/** An optimiser whose learning rate a schedule can set before each step. */
type SchedulableOptimizer = tf.Optimizer & { setLearningRate(lr: number): void };

/** Build the optimiser trainClassifier uses: tf.train.momentum(lr, μ) ≡ torch.optim.SGD(lr, momentum=μ) (article §5.2). */
export function createOptimizer(opts: Pick<TrainOptions, "lr" | "momentum" | "optimizer">): SchedulableOptimizer {
  const { lr, momentum = 0, optimizer = "sgd" } = opts;
  if (optimizer === "adam") return new ScheduledAdam(lr, 0.9, 0.999); // tf.train.adam's defaults (eps: the backend's 1e-7)
  // tfjs MomentumOptimizer: acc = μ·acc + g; w -= lr·acc. PyTorch SGD (dampening 0, no
  // Nesterov): v = μ·v + g; p -= lr·v, with v = g on the first step. Identical.
  return momentum > 0 ? tf.train.momentum(lr, momentum) : tf.train.sgd(lr);
}

/** Dispose an optimiser and all its state, including the lr scalar MomentumOptimizer.dispose() forgets (tfjs 4.22). */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  // MomentumOptimizer extends SGDOptimizer but its dispose() does not call super.dispose(),
  // leaking the kept -lr scalar; SGDOptimizer.dispose() frees it (disposing twice is a no-op).
  // (Not `instanceof`: tf.Optimizer overrides Symbol.hasInstance to duck-type, so every
  // optimizer is an "instance" of every optimizer class.)
  if (optimizer.getClassName() === "Momentum") tf.SGDOptimizer.prototype.dispose.call(optimizer);
}

/** Yield to the event loop so displays (tslab, stdout) can flush while training runs. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The mean mini-batch loss since the last log, summed on the device so a step never waits for a
 * host read; read only when logged or shown. Shared by the training loops (train.ts, train-lm.ts).
 */
export class RunningLoss {
  private sum: tf.Scalar = tf.keep(tf.scalar(0));
  /** Losses already on the host (the native step returns them as numbers). */
  private hostSum = 0;
  private count = 0;
  private lastLogged: number | null = null;
  private lastLogTime = performance.now();
  private samplesAtLastLog = 0;
  /** Every logged entry, in order. */
  readonly losses: LossLogEntry[] = [];

  /** Runs one optimiser step (`stepLoss` returns its mean loss) and adds that loss to the sum. */
  step(stepLoss: () => tf.Scalar): void {
    const newSum = tf.tidy(() => tf.add(this.sum, stepLoss()) as tf.Scalar);
    this.sum.dispose();
    this.sum = newSum;
    this.count++;
  }

  /** Adds one step's mean loss computed on the host. */
  add(loss: number): void {
    this.hostSum += loss;
    this.count++;
  }

  private total(): number {
    return this.sum.dataSync()[0] + this.hostSum;
  }

  /** Mean loss since the last log, or the last logged value; null before any step. */
  current(): number | null {
    return this.count > 0 ? this.total() / this.count : this.lastLogged;
  }

  /** Records a log entry (1-based epoch and batch) with the throughput since the last one, and restarts the sum. */
  log(epoch: number, batch: number, samplesSeen: number): TrainLogEntry {
    const now = performance.now();
    const meanLoss = this.total() / this.count;
    const dt = (now - this.lastLogTime) / 1000;
    const entry: TrainLogEntry = { epoch, batch, meanLoss, samplesPerSec: dt > 0 ? (samplesSeen - this.samplesAtLastLog) / dt : 0 };
    this.losses.push({ epoch, batch, meanLoss });
    this.lastLogged = meanLoss;
    this.restart();
    this.lastLogTime = now;
    this.samplesAtLastLog = samplesSeen;
    return entry;
  }

  /** Leaves `ms` of non-training time (an onEpochEnd callback) out of the next entry's samples/s. */
  exclude(ms: number): void {
    this.lastLogTime += ms;
  }

  /** Drops the unlogged sum (the tutorial's loop does not carry it across epochs). */
  restart(): void {
    this.sum.dispose();
    this.sum = tf.keep(tf.scalar(0));
    this.hostSum = 0;
    this.count = 0;
  }

  dispose(): void {
    this.sum.dispose();
  }
}

/** Train `net` on trainSet with shuffled mini-batches, softmax cross-entropy and SGD(+momentum)/Adam; the tutorial's loop (article §5.2). */
export async function trainClassifier(net: tf.LayersModel, trainSet: LabelledSet, opts: TrainOptions): Promise<TrainHistory> {
  const { numEpochs, batchSize, lr, seed, onProgress, onLog, progressIntervalMs = 250 } = opts;
  const { X } = trainSet;
  const n = X.shape[0];
  requirePositiveInteger("trainClassifier", "numEpochs", numEpochs);
  requirePositiveInteger("trainClassifier", "batchSize", batchSize);
  requireAbove("trainClassifier", "lr", lr, 0);
  if (trainSet.y.rank !== 1 || trainSet.y.shape[0] !== n) {
    throw new Error(`trainClassifier: y must have shape [${n}] to match X [${X.shape.join(", ")}]; got [${trainSet.y.shape.join(", ")}]`);
  }
  if (n === 0) throw new Error("trainClassifier: the training set is empty");
  const outShape = net.outputs[0].shape;
  const numClasses = outShape[outShape.length - 1];
  if (numClasses == null) throw new Error("trainClassifier: the network output has an unknown number of classes");
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const logEvery = opts.logEvery ?? batchesPerEpoch;
  requirePositiveInteger("trainClassifier", "logEvery", logEvery);
  const totalSteps = numEpochs * batchesPerEpoch;

  // oneHot needs int32 labels; cast once, not per step.
  const y: tf.Tensor1D = trainSet.y.dtype === "int32" ? trainSet.y : tf.cast(trainSet.y, "int32");
  const { momentum = 0, lrSchedule = "constant" } = opts;
  if (lrSchedule !== "constant" && lrSchedule !== "cosine")
    throw new Error(`trainClassifier: lrSchedule="${String(lrSchedule)}"; expected "constant" or "cosine"`);
  if (opts.warmupSteps !== undefined && (!Number.isInteger(opts.warmupSteps) || opts.warmupSteps < 1 || opts.warmupSteps > totalSteps)) {
    throw new Error(`trainClassifier: warmupSteps=${opts.warmupSteps}; expected a whole number in [1, ${totalSteps}] (the run's steps)`);
  }
  if (opts.minLrFraction !== undefined && !(opts.minLrFraction >= 0 && opts.minLrFraction <= 1)) {
    throw new Error(`trainClassifier: minLrFraction=${opts.minLrFraction}; expected a fraction in [0, 1]`);
  }
  const schedule = { lr, numSteps: totalSteps, warmupSteps: opts.warmupSteps, minLrFraction: opts.minLrFraction };
  const rateAt = (step: number): number => (lrSchedule === "cosine" ? learningRateAt(step, schedule) : lr);
  let learningRate = lr;
  const addon = loadNative();
  // A step's forward and backward passes: about 3× the forward multiply-adds. Large steps use every core.
  if (addon.ok) useNativeThreadsFor(addon.addon, 3 * multiplyAddsPerSample(net) * batchSize);
  const native = opts.engine === "tfjs" ? { trainer: null, reason: "engine: tfjs requested" } : nativeTrainerFor(net, opts);
  const optimizer = native.trainer ? null : createOptimizer(opts);
  const varList = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const batches = native.trainer ? new NativeBatches(native.trainer, X, y, batchSize) : null;

  const augment = opts.augment;
  if (augment && X.rank !== 4) throw new Error(`trainClassifier: augment needs images [n, height, width, channels]; X has shape [${X.shape.join(", ")}]`);
  const imageShape = X.shape.slice(1) as [number, number, number];
  const augmented = augment && native.trainer ? new Float32Array(batchSize * native.trainer.sampleSize) : null;
  /** The draws of step `step`: a seed of its own per step, so a run is reproducible and no two steps repeat. */
  const drawsFor = (n: number, step: number) =>
    drawAugmentation(n, { padding: augment?.padding, flipProbability: augment?.flipProbability, seed: seed * 1_000_003 + step });

  const running = new RunningLoss();
  let steps = 0;
  let samplesSeen = 0;
  const start = performance.now();
  let pausedMs = 0; // time in onEpochEnd, not training
  let lastProgressTime = -Infinity;

  const makeProgress = (epoch: number, batch: number, now: number): TrainProgress => {
    const seconds = (now - start - pausedMs) / 1000;
    const samplesPerSec = seconds > 0 ? samplesSeen / seconds : 0;
    const remaining = numEpochs * n - samplesSeen;
    return {
      epoch,
      numEpochs,
      batch,
      batchesPerEpoch,
      fraction: steps / totalSteps,
      samplesPerSec,
      etaSeconds: samplesPerSec > 0 ? remaining / samplesPerSec : Infinity,
      lastMeanLoss: running.current(),
    };
  };

  try {
    for (let epoch = 0; epoch < numEpochs; epoch++) {
      const order = shuffledIndices(n, seed + epoch);
      running.restart();
      for (let b = 0; b < batchesPerEpoch; b++) {
        const batchIdx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
        const rate = rateAt(steps);
        if (rate !== learningRate) optimizer?.setLearningRate(rate); // SGD re-creates its lr scalar: only on a change
        learningRate = rate;
        if (batches && native.trainer) {
          const { x, labels, start } = batches.batch(order, b);
          if (augmented) {
            const size = native.trainer.sampleSize;
            augmentHostBatch(x.subarray(start * size), augmented, [batchIdx.length, ...imageShape], drawsFor(batchIdx.length, steps), augment);
            running.add(native.trainer.step(augmented, labels, 0, batchIdx.length, learningRate, momentum));
          } else running.add(native.trainer.step(x, labels, start, batchIdx.length, learningRate, momentum));
        } else
          running.step(() => {
            const idx = tf.tensor1d(batchIdx, "int32"); // [batch]
            const gathered = tf.gather(X, idx); // [batch, ...X.shape.slice(1)], e.g. [batch, 32, 32, 3]
            const xb = augment ? applyAugmentation(gathered as tf.Tensor4D, drawsFor(batchIdx.length, steps), augment) : gathered;
            const yb = tf.oneHot(tf.gather(y, idx), numClasses); // [batch, numClasses]
            return (optimizer as tf.Optimizer).minimize(
              () => {
                const logits = net.apply(xb, { training: true }) as tf.Tensor; // [batch, numClasses]
                return tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar; // mean over the batch
              },
              true,
              varList,
            ) as tf.Scalar;
          });
        steps++;
        samplesSeen += batchIdx.length;

        if (b === batchesPerEpoch - 1) native.trainer?.syncToModel(); // the model holds the weights at every epoch's end
        if ((b + 1) % logEvery === 0) {
          const entry = running.log(epoch + 1, b + 1, samplesSeen);
          onLog?.(entry);
        }
        if (onProgress) {
          const now = performance.now();
          const last = steps === totalSteps;
          if (last || now - lastProgressTime >= progressIntervalMs) {
            lastProgressTime = now;
            onProgress(makeProgress(epoch + 1, b + 1, now));
            await yieldToEventLoop();
          }
        }
      }
      if (opts.onEpochEnd) {
        const paused = performance.now();
        await opts.onEpochEnd(epoch + 1);
        const ms = performance.now() - paused;
        pausedMs += ms;
        running.exclude(ms);
      }
    }
  } finally {
    if (native.trainer && steps % batchesPerEpoch !== 0) native.trainer.syncToModel(); // stopped mid-epoch (an error)
    running.dispose();
    if (optimizer) disposeOptimizer(optimizer);
    if (y !== trainSet.y) y.dispose();
  }

  const seconds = (performance.now() - start - pausedMs) / 1000;
  return {
    losses: running.losses,
    samplesPerSec: seconds > 0 ? samplesSeen / seconds : 0,
    seconds,
    steps,
    finalLr: learningRate,
    backend: tf.getBackend(),
    engine: native.trainer ? "native" : "tfjs",
    engineReason: native.reason,
  };
}

/** Predicted and true labels for a test set, and the accuracy. */
export interface EvaluationResult {
  /** True labels: [n]. */
  yTrue: Int32Array;
  /** Predicted labels (argmax of the logits): [n]. */
  yPred: Int32Array;
  /** Fraction of yPred equal to yTrue. */
  accuracy: number;
}

/**
 * Predict testSet in batches (argmax of the logits) and score accuracy; the tutorial's test pass (article §5.2).
 * With engine 'auto' (default) a network the native step supports is run by the native kernels when X's storage
 * is on the host (cpu/wasm backends); 'tfjs' always uses net.apply.
 */
export function evaluateClassifier(net: tf.LayersModel, testSet: LabelledSet, batchSize = 256, engine: "auto" | "tfjs" = "auto"): EvaluationResult {
  const { X, y } = testSet;
  const n = X.shape[0];
  requirePositiveInteger("evaluateClassifier", "batchSize", batchSize);
  if (y.rank !== 1 || y.shape[0] !== n) {
    throw new Error(`evaluateClassifier: y must have shape [${n}] to match X [${X.shape.join(", ")}]; got [${y.shape.join(", ")}]`);
  }
  const yTrue = Int32Array.from(y.dataSync());
  const yPred = new Int32Array(n);
  const native = engine === "auto" && n > 0 ? nativePredictorFor(net) : null;
  const nativeOk = native !== null && X.size / n === native.sampleSize;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const view = nativeOk ? hostView(X) : null;
    if (view && native) {
      const logits = native.predict(view, start, size); // [size, numClasses]
      const classes = logits.length / size;
      for (let i = 0; i < size; i++) {
        let best = 0;
        for (let j = 1; j < classes; j++) if (logits[i * classes + j] > logits[i * classes + best]) best = j;
        yPred[start + i] = best; // first maximum, like tf.argMax
      }
      continue;
    }
    const pred = tf.tidy(() => {
      const xb = tf.slice(X, start, size); // [size, ...X.shape.slice(1)]
      const logits = net.apply(xb, { training: false }) as tf.Tensor; // [size, numClasses]
      return tf.argMax(logits, -1).dataSync(); // [size]
    });
    yPred.set(pred, start);
  }
  let correct = 0;
  for (let i = 0; i < n; i++) if (yPred[i] === yTrue[i]) correct++;
  return { yTrue, yPred, accuracy: n > 0 ? correct / n : 0 };
}
