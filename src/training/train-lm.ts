/**
 * The training loop for a language model (article §2.1 end-to-end learning, §8 scale).
 *
 * Why not `trainClassifier` (src/train.ts)? It trains a tf.LayersModel that maps X to one row of
 * logits [n, numClasses] per sample. A language model predicts the next token at every position
 * of a sequence — logits [batch, T, V] from one forward pass, T losses per sample — and the
 * Transformer here (src/transformer.ts) is not a LayersModel (tied embedding/output matrix).
 * Flattening each sequence into T classification samples would cost T forward passes per poem.
 * So this loop keeps trainClassifier's conventions instead: seeded per-epoch shuffles
 * (`shuffledIndices(n, seed + epoch)`), one `tf.tidy` per step, the running loss kept on the
 * device and read only to log, and the same progress/log callbacks and history fields, so
 * `trainingView` and `lossCurveFigure` (src/training-view.ts) display it unchanged. The
 * optimiser is Adam with a learning-rate schedule: linear warm-up, then cosine decay.
 *
 * Like trainClassifier, it runs on the native fused step (src/engine/native/transformer-train.ts:
 * forward, loss, backward and Adam in one addon call) when the addon loads, and on tfjs otherwise
 * or with `engine: "tfjs"`; the history says which and why. The native step keeps the weights
 * and Adam's moments in the addon and writes the weights back into the model when training ends.
 */
import * as tf from "@tensorflow/tfjs";
import { shuffledIndices } from "../core/random";
import { RunningLoss } from "./train";
import { learningRateAt, ScheduledAdam } from "./lr-schedule";
import type { TrainHistory, TrainLogEntry, TrainProgress } from "./train";
import type { Transformer } from "../models/transformer";
import { nativeTransformerTrainerFor, type NativeTransformerTrainer } from "../engine/native/transformer-train";
import { loadNative, useNativeThreadsFor } from "../engine/native/addon";
import { requireAbove, requirePositiveInteger } from "../core/validate";

/** Fixed-length token sequences stored row-major: sequence i is tokens[i·length, (i+1)·length). */
export interface TokenSequences {
  tokens: Int32Array;
  /** Number of sequences n. */
  count: number;
  /** Tokens per sequence; the model sees length − 1 inputs and predicts length − 1 targets. */
  length: number;
}

/** Pack equal-length token rows into {@link TokenSequences}; throws naming the first row of another length. */
export function toSequences(rows: readonly (readonly number[])[]): TokenSequences {
  if (rows.length === 0) throw new Error("toSequences: no rows");
  const length = rows[0].length;
  if (length < 2) throw new Error(`toSequences: sequences need at least 2 tokens; row 0 has ${length}`);
  const tokens = new Int32Array(rows.length * length);
  rows.forEach((r, i) => {
    if (r.length !== length) throw new Error(`toSequences: row ${i} has ${r.length} tokens; expected ${length} like row 0`);
    tokens.set(r, i * length);
  });
  return { tokens, count: rows.length, length };
}

/**
 * Poems of different lengths as fixed-length windows, the way GPTs are trained: the rows are laid
 * end to end in one stream and cut into windows of `length` tokens that overlap by one, so every
 * token after the first is a target exactly once (a window's targets start where the previous
 * window's end). The tail shorter than a window is dropped (at most length − 2 targets). Keep
 * training and validation rows apart before packing (split by poem).
 */
export function packSequences(rows: readonly (readonly number[])[], length: number): TokenSequences {
  requirePositiveInteger("packSequences", "length", length);
  if (length < 2) throw new Error(`packSequences: length must be at least 2 (one input, one target); got ${length}`);
  const total = rows.reduce((n, r) => n + r.length, 0);
  const count = Math.floor((total - 1) / (length - 1));
  if (count < 1) throw new Error(`packSequences: ${total} tokens make no window of ${length}`);
  const stream = new Int32Array(total);
  let o = 0;
  for (const r of rows) {
    stream.set(r, o);
    o += r.length;
  }
  const tokens = new Int32Array(count * length);
  for (let i = 0; i < count; i++) tokens.set(stream.subarray(i * (length - 1), i * (length - 1) + length), i * length);
  return { tokens, count, length };
}

/** Inputs (tokens 0..L−2) and targets (tokens 1..L−1) of the sequences `idx`: two [batch, L−1] int32 tensors. */
export function batchTensors(data: TokenSequences, idx: ArrayLike<number>): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const L = data.length;
  const T = L - 1;
  const x = new Int32Array(idx.length * T);
  const y = new Int32Array(idx.length * T);
  for (let b = 0; b < idx.length; b++) {
    const row = data.tokens.subarray(idx[b] * L, idx[b] * L + L);
    x.set(row.subarray(0, T), b * T);
    y.set(row.subarray(1), b * T);
  }
  return { inputs: tf.tensor2d(x, [idx.length, T], "int32"), targets: tf.tensor2d(y, [idx.length, T], "int32") };
}

/** Options for {@link trainLanguageModel} (names as in train.ts: batchSize, lr, seed, logEvery). */
export interface LmTrainOptions {
  /** Optimiser steps (mini-batches) in total. */
  numSteps: number;
  /** Sequences per mini-batch; an epoch is ⌊n / batchSize⌋ full batches. */
  batchSize: number;
  /** Peak learning rate of Adam. */
  lr: number;
  /** Steps of linear warm-up from lr/warmupSteps to lr (default 10% of numSteps). */
  warmupSteps?: number;
  /** The cosine decay ends at lr · minLrFraction (default 0.1). */
  minLrFraction?: number;
  /** Adam's β₂ (default 0.99, usual for small Transformers); β₁ is 0.9. */
  beta2?: number;
  /** Shuffle seed: epoch e uses shuffledIndices(n, seed + e). */
  seed: number;
  /** Log the mean training loss every N steps (default: once per epoch). */
  logEvery?: number;
  /** Sequences to evaluate every `evalEvery` steps and at the end (validation loss curve). */
  evalSet?: TokenSequences;
  evalEvery?: number;
  /**
   * 'auto' (default): the native fused step when the addon loads (src/engine/native/transformer-train.ts),
   * else the tfjs step; 'tfjs' forces the tfjs step.
   */
  engine?: "auto" | "tfjs";
  onProgress?: (p: TrainProgress) => void;
  onLog?: (entry: TrainLogEntry) => void;
  progressIntervalMs?: number;
}

/** What {@link trainLanguageModel} returns: train.ts's history plus token counts and the schedule. */
export interface LmTrainHistory extends TrainHistory {
  batchesPerEpoch: number;
  /** Target tokens the model was trained on (numSteps · batchSize · (length − 1)): the D of C ≈ 6·N·D. */
  tokensSeen: number;
  tokensPerSec: number;
  /** Learning rate used at every step. */
  learningRates: number[];
  /** Validation loss at the evaluated steps (empty without evalSet). */
  validation: { step: number; loss: number }[];
}

/** Throws naming the first token id of `data` outside [0, vocabSize), with its sequence and position. */
function requireTokenIds(fn: string, what: string, data: TokenSequences, vocabSize: number): void {
  const { tokens, length } = data;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] < 0 || tokens[i] >= vocabSize) {
      throw new Error(
        `${fn}: ${what} has token id ${tokens[i]} in sequence ${Math.floor(i / length)} at position ${i % length}; expected ids in [0, ${vocabSize}) (the model's vocabSize)`,
      );
    }
  }
}

/** trainLanguageModel's Adam: β₁ 0.9, β₂ 0.99 unless opts.beta2 says otherwise, ε 1e-8 (what the PyTorch referee is given). */
export const LM_ADAM = { beta1: 0.9, beta2: 0.99, epsilon: 1e-8 } as const;

/** A native trainer holding `model`'s current weights with Adam(β₁, beta2, ε) of LM_ADAM, or why there is none. */
function nativeTrainerForModel(model: Transformer, beta2: number): { trainer: NativeTransformerTrainer; reason: string } | { trainer: null; reason: string } {
  const c = model.config;
  const spec = {
    vocabSize: c.vocabSize,
    contextLength: c.contextLength,
    dModel: c.dModel,
    numHeads: c.numHeads,
    numLayers: c.numLayers,
    dFF: c.dFF,
    tieWeights: c.tieWeights,
  };
  return nativeTransformerTrainerFor(
    spec,
    model.variables().map((v) => v.dataSync() as Float32Array),
    { beta1: LM_ADAM.beta1, beta2, epsilon: LM_ADAM.epsilon },
  );
}

/** Mean next-token loss over all of `data` with the native weights, batch by batch (the windows are rows of data.tokens, no copy). */
function nativeMeanLoss(trainer: NativeTransformerTrainer, data: TokenSequences, batchSize: number): number {
  const L = data.length;
  let total = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const size = Math.min(batchSize, data.count - start);
    total += trainer.loss(data.tokens.subarray(start * L, (start + size) * L), size, L) * size;
  }
  return total / data.count;
}

/**
 * Mean next-token loss (nats) and perplexity of `model` on `data`, in batches (article §9.2-style
 * evaluation). With engine 'auto' (default) the native loss pass runs when the addon loads.
 */
export function evaluateLanguageModel(
  model: Transformer,
  data: TokenSequences,
  batchSize = 128,
  engine: "auto" | "tfjs" = "auto",
): { meanLoss: number; perplexity: number; tokens: number } {
  requirePositiveInteger("evaluateLanguageModel", "batchSize", batchSize);
  if (data.length - 1 > model.config.contextLength) {
    throw new Error(
      `evaluateLanguageModel: sequences of ${data.length} tokens need contextLength ≥ ${data.length - 1}; the model has ${model.config.contextLength}`,
    );
  }
  const native = engine === "auto" ? nativeTrainerForModel(model, LM_ADAM.beta2).trainer : null;
  if (native) {
    try {
      const meanLoss = nativeMeanLoss(native, data, batchSize);
      return { meanLoss, perplexity: Math.exp(meanLoss), tokens: data.count * (data.length - 1) };
    } finally {
      native.dispose();
    }
  }
  let total = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const size = Math.min(batchSize, data.count - start);
    const idx = Array.from({ length: size }, (_, i) => start + i);
    total += tf.tidy(() => {
      const { inputs, targets } = batchTensors(data, idx);
      return model.loss(inputs, targets).dataSync()[0] * size;
    });
  }
  const meanLoss = total / data.count;
  return { meanLoss, perplexity: Math.exp(meanLoss), tokens: data.count * (data.length - 1) };
}

/** Writes the native weights into the model's variables (transformerWeightShapes order). */
function syncWeights(trainer: NativeTransformerTrainer, variables: tf.Variable[]): void {
  trainer.weights().forEach((w, i) => {
    const t = tf.tensor(w, variables[i].shape, "float32");
    variables[i].assign(t);
    t.dispose();
  });
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Train `model` on next-token prediction with Adam, warm-up + cosine schedule and seeded batches (article §2.1, §8). */
export async function trainLanguageModel(model: Transformer, data: TokenSequences, opts: LmTrainOptions): Promise<LmTrainHistory> {
  const { numSteps, batchSize, lr, seed, onProgress, onLog, progressIntervalMs = 250, evalSet } = opts;
  requirePositiveInteger("trainLanguageModel", "numSteps", numSteps);
  requirePositiveInteger("trainLanguageModel", "batchSize", batchSize);
  requireAbove("trainLanguageModel", "lr", lr, 0);
  if (data.count < batchSize) throw new Error(`trainLanguageModel: ${data.count} sequences are fewer than one batch of ${batchSize}`);
  if (data.length - 1 > model.config.contextLength) {
    throw new Error(
      `trainLanguageModel: sequences of ${data.length} tokens need contextLength ≥ ${data.length - 1}; the model has ${model.config.contextLength}`,
    );
  }
  requireTokenIds("trainLanguageModel", "data", data, model.config.vocabSize);
  if (evalSet) requireTokenIds("trainLanguageModel", "evalSet", evalSet, model.config.vocabSize);
  const batchesPerEpoch = Math.floor(data.count / batchSize);
  const numEpochs = Math.ceil(numSteps / batchesPerEpoch);
  const logEvery = opts.logEvery ?? batchesPerEpoch;
  requirePositiveInteger("trainLanguageModel", "logEvery", logEvery);
  const evalEvery = opts.evalEvery ?? batchesPerEpoch;
  requirePositiveInteger("trainLanguageModel", "evalEvery", evalEvery);
  const tokensPerBatch = batchSize * (data.length - 1);

  const addon = loadNative();
  // 6·N·D FLOPs = 3·N multiply-adds per token (forward + backward). Large steps use every core.
  if (addon.ok) useNativeThreadsFor(addon.addon, 3 * model.numParameters() * tokensPerBatch);
  const native = opts.engine === "tfjs" ? { trainer: null, reason: "engine: tfjs requested" } : nativeTrainerForModel(model, opts.beta2 ?? LM_ADAM.beta2);
  const optimizer = native.trainer ? null : new ScheduledAdam(lr, LM_ADAM.beta1, opts.beta2 ?? LM_ADAM.beta2, LM_ADAM.epsilon);
  const windows = new Int32Array(batchSize * data.length); // [batch, length]: the native step's input
  const varList = model.variables();
  const running = new RunningLoss();
  const learningRates: number[] = [];
  const validation: { step: number; loss: number }[] = [];
  let steps = 0;
  const start = performance.now();
  let lastProgressTime = -Infinity;
  let evalSeconds = 0;

  const evaluate = (): void => {
    if (!evalSet) return;
    const t0 = performance.now();
    // The native pass evaluates in training-sized batches, so it reuses the step's buffers.
    const loss = native.trainer ? nativeMeanLoss(native.trainer, evalSet, batchSize) : evaluateLanguageModel(model, evalSet, 128, "tfjs").meanLoss;
    validation.push({ step: steps, loss });
    evalSeconds += (performance.now() - t0) / 1000;
  };
  const trainSeconds = (now: number): number => (now - start) / 1000 - evalSeconds;

  try {
    let order = shuffledIndices(data.count, seed);
    for (let step = 0; step < numSteps; step++) {
      const epoch = Math.floor(step / batchesPerEpoch);
      const b = step % batchesPerEpoch;
      if (b === 0 && epoch > 0) order = shuffledIndices(data.count, seed + epoch);
      const rate = learningRateAt(step, { lr, numSteps, warmupSteps: opts.warmupSteps, minLrFraction: opts.minLrFraction });
      learningRates.push(rate);
      const idx = order.subarray(b * batchSize, (b + 1) * batchSize);
      if (native.trainer) {
        const L = data.length;
        for (let k = 0; k < batchSize; k++) windows.set(data.tokens.subarray(idx[k] * L, (idx[k] + 1) * L), k * L);
        running.add(native.trainer.step(windows, batchSize, L, rate));
      } else if (optimizer) {
        optimizer.setLearningRate(rate);
        running.step(() => {
          const { inputs, targets } = batchTensors(data, idx); // [batch, T] each
          return optimizer.minimize(() => model.loss(inputs, targets), true, varList) as tf.Scalar;
        });
      }
      steps++;

      if (steps % logEvery === 0 || steps === numSteps) {
        const entry = running.log(epoch + 1, b + 1, steps * batchSize);
        onLog?.(entry);
      }
      if (evalSet && (steps % evalEvery === 0 || steps === numSteps)) evaluate();
      if (onProgress) {
        const now = performance.now();
        if (steps === numSteps || now - lastProgressTime >= progressIntervalMs) {
          lastProgressTime = now;
          const seconds = trainSeconds(now);
          const samplesPerSec = seconds > 0 ? (steps * batchSize) / seconds : 0;
          onProgress({
            epoch: epoch + 1,
            numEpochs,
            batch: b + 1,
            batchesPerEpoch,
            fraction: steps / numSteps,
            samplesPerSec,
            etaSeconds: samplesPerSec > 0 ? ((numSteps - steps) * batchSize) / samplesPerSec : Infinity,
            lastMeanLoss: running.current(),
          });
          await yieldToEventLoop();
        }
      }
    }
  } finally {
    running.dispose();
    optimizer?.dispose();
    if (native.trainer) {
      syncWeights(native.trainer, varList); // also after an error: the model holds the weights trained so far
      native.trainer.dispose();
    }
  }
  const seconds = trainSeconds(performance.now());
  const tokensSeen = numSteps * tokensPerBatch;
  return {
    losses: running.losses,
    steps,
    seconds,
    backend: tf.getBackend(),
    batchesPerEpoch,
    samplesPerSec: seconds > 0 ? (numSteps * batchSize) / seconds : 0,
    tokensSeen,
    tokensPerSec: seconds > 0 ? tokensSeen / seconds : 0,
    learningRates,
    validation,
    engine: native.trainer ? "native" : "tfjs",
    engineReason: native.reason,
  };
}
