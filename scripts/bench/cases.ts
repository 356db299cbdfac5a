/**
 * The bench's cases: every model the runbook trains, ours through the library's own training
 * entry points (trainClassifier, trainLanguageModel, trainForecaster — so whatever engine the
 * library picks is what is measured), and the PyTorch twin as a spec for bench/torch_worker.py.
 * Data are seeded random values of each case's shapes; only throughput is measured.
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../../src/core/random";
import { buildLeNet, buildMlp } from "../../src/models/model";
import { buildCifarResNet, countTrainableParameters } from "../../src/models/resnet";
import { Transformer, type TransformerConfig } from "../../src/models/transformer";
import { trainClassifier, type TrainHistory, type TrainOptions } from "../../src/training/train";
import { trainLanguageModel, type TokenSequences } from "../../src/training/train-lm";
import { buildGruForecaster, trainForecaster } from "../../src/scenarios/finance/forecast-models";
import type { CaseName } from "./options";

/** What bench/torch_worker.py builds and trains: the model's sizes, the data's, the optimiser. */
export interface TorchSpec {
  model: "lenet" | "resnet" | "gpt" | "mlp" | "gru";
  /** Training samples (sequences, windows) the loop shuffles through. */
  n: number;
  batch: number;
  /** true: an epoch ends with a smaller batch (trainClassifier, trainForecaster); false: full batches only (trainLanguageModel). */
  partialBatches: boolean;
  /** Untimed optimiser steps first (default 3). */
  warmup?: number;
  /** Validation samples scored (MAE) at every epoch's end, keeping the best weights, as trainForecaster does. */
  validation?: number;
  /** Read every step's loss on the host, as trainForecaster does. */
  readLoss?: boolean;
  optimizer: { kind: "sgd"; lr: number; momentum: number } | { kind: "adam"; lr: number; beta2?: number; eps: number };
  [size: string]: unknown;
}

/** One timed run of ours. */
export interface OursRun {
  /** Throughput in the case's unit. */
  rate: number;
  /** The step the library ran ("native" or "tfjs") and why. */
  engine: string;
  engineReason: string;
}

export interface BenchCase {
  name: CaseName;
  /** One line: the model, optimiser, batch and data, for the table's heading. */
  title: string;
  unit: "samples/s" | "tokens/s";
  /** Units per sample: 1, or the predicted tokens per sequence for the language model. */
  perSample: number;
  /** Samples (sequences, windows) per optimiser step. */
  batch: number;
  /** The step count nearest to `steps` that the case can run: within its bounds, whole epochs where its loop needs them. */
  fit(steps: number): number;
  /** What bench/torch_worker.py trains for a run of `steps` (a fitted count): the same data size as ours. */
  torchSpec(steps: number): TorchSpec;
  /** Trainable parameters of our model (PyTorch's parameters() counts the same). */
  params(): number;
  /** A fresh model, a short warm-up, then `steps` (a fitted count) timed optimiser steps. */
  run(steps: number): Promise<OursRun>;
  dispose(): void;
}

/**
 * The §8 notebook's full profile as on main (#15: all Tang regular verse, form tags, packed windows):
 * its vocabulary (characters seen ≥ 2× in the training poems + special tokens + 4 form tags),
 * context 72 (windows of 73 tokens) and 22,116 training windows. Random tokens of that vocabulary
 * stand in for the poems: the cost of a step does not depend on which tokens they are.
 */
const TANG_VOCAB = 5720;
const TANG_CONTEXT = 72;
const TANG_TRAIN_WINDOWS = 22116;

const engineOf = (h: Pick<TrainHistory, "engine" | "engineReason">, fallback: string): Pick<OursRun, "engine" | "engineReason"> => ({
  engine: h.engine ?? "tfjs",
  engineReason: h.engineReason ?? fallback,
});

/** Seeded uniform [0, 1) (or standard-normal-ish for `centred`) values. */
function randomValues(size: number, seed: number, centred = false): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = centred ? (rng() + rng() + rng() - 1.5) * 2 : rng();
  return out;
}

const randomLabels = (n: number, classes: number, seed: number): Int32Array => {
  const rng = mulberry32(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rng() * classes));
};

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, Math.round(v)));

/** Steps in [min, max] epochs of `perEpoch` steps, whole epochs, nearest to `steps`. */
const wholeEpochs = (steps: number, perEpoch: number, minEpochs: number, maxEpochs: number): number => clamp(steps / perEpoch, minEpochs, maxEpochs) * perEpoch;

interface ClassifierCase {
  name: CaseName;
  title: string;
  inputShape: number[];
  classes: number;
  batch: number;
  /**
   * Either `rows`: the data set of the notebook's size, trained in whole epochs (1 to maxEpochs);
   * or `capacity`: random samples allocated, a run of s steps trains on the first s · batch of them
   * in one epoch (more epochs over all of them beyond); steps in [minSteps, maxSteps].
   */
  size: { rows: number; maxEpochs: number } | { capacity: number; minSteps: number; maxSteps: number };
  warmupSteps: number;
  build: () => tf.LayersModel;
  options: Omit<TrainOptions, "numEpochs" | "batchSize" | "seed">;
  torch: Pick<TorchSpec, "model" | "optimizer"> & Record<string, unknown>;
  centred?: boolean;
}

/** A case trained by trainClassifier on random samples. */
function classifierCase(c: ClassifierCase): BenchCase {
  const n = "rows" in c.size ? c.size.rows : c.size.capacity;
  let data: { X: tf.Tensor; y: tf.Tensor1D } | null = null;
  const allData = (): { X: tf.Tensor; y: tf.Tensor1D } => {
    const sampleSize = c.inputShape.reduce((p, d) => p * d, 1);
    data ??= {
      X: tf.tensor(randomValues(n * sampleSize, 0, c.centred), [n, ...c.inputShape]), // [n, ...inputShape]
      y: tf.tensor1d(randomLabels(n, c.classes, 1), "int32"), // [n]
    };
    return data;
  };
  /** Samples a run of `steps` (fitted) trains on, and its epochs. */
  const plan = (steps: number): { rows: number; epochs: number } => {
    const rows = Math.min(n, steps * c.batch);
    return { rows, epochs: steps / Math.ceil(rows / c.batch) };
  };
  const fit = (steps: number): number => {
    if ("rows" in c.size) return wholeEpochs(steps, Math.ceil(n / c.batch), 1, c.size.maxEpochs);
    const s = clamp(steps, c.size.minSteps, c.size.maxSteps);
    const perEpoch = Math.ceil(n / c.batch);
    return s * c.batch <= n ? s : wholeEpochs(s, perEpoch, 1, Infinity);
  };
  return {
    name: c.name,
    title: c.title,
    unit: "samples/s",
    perSample: 1,
    batch: c.batch,
    fit,
    torchSpec: (steps) => ({ ...c.torch, n: plan(steps).rows, batch: c.batch, partialBatches: true, warmup: c.warmupSteps }),
    params: () => {
      const net = c.build();
      const count = countTrainableParameters(net);
      net.dispose();
      return count;
    },
    run: async (steps) => {
      const { rows, epochs } = plan(steps);
      const { X, y } = allData();
      const net = c.build();
      const opts = { ...c.options, batchSize: c.batch, seed: 2 };
      const warm = tf.tidy(() => ({ X: tf.slice(X, 0, c.batch * c.warmupSteps), y: tf.slice(y, 0, c.batch * c.warmupSteps) }));
      await trainClassifier(net, warm, { ...opts, numEpochs: 1 });
      const sub = rows === n ? null : tf.tidy(() => ({ X: tf.slice(X, 0, rows), y: tf.slice(y, 0, rows) }));
      const h = await trainClassifier(net, sub ?? { X, y }, { ...opts, numEpochs: epochs });
      tf.dispose([warm.X, warm.y, ...(sub ? [sub.X, sub.y] : [])]);
      net.dispose();
      return { rate: h.samplesPerSec, ...engineOf(h, "trainClassifier") };
    },
    dispose: () => {
      if (data) tf.dispose([data.X, data.y]);
      data = null;
    },
  };
}

const lenet = (batch: 4 | 64): ClassifierCase => ({
  name: batch === 4 ? "lenet-b4" : "lenet-b64",
  title: `§5 LeNet on CIFAR-shaped [32, 32, 3] data, SGD lr 0.001 momentum 0.9, batch ${batch}`,
  inputShape: [32, 32, 3],
  classes: 10,
  batch,
  size: batch === 4 ? { capacity: 4096, minSteps: 50, maxSteps: 4096 } : { capacity: 4096, minSteps: 8, maxSteps: 512 },
  warmupSteps: 10,
  build: () => buildLeNet({ inputShape: [32, 32, 3], numClasses: 10, seed: 1 }),
  options: { lr: 0.001, momentum: 0.9 },
  torch: { model: "lenet", inputShape: [32, 32, 3], classes: 10, optimizer: { kind: "sgd", lr: 0.001, momentum: 0.9 } },
});

const resnet20: ClassifierCase = {
  name: "resnet20-b128",
  title: "§3.3 ResNet-20 (BN, option-A shortcuts, GAP) on [32, 32, 1] data, Adam lr 1e-3, batch 128",
  inputShape: [32, 32, 1],
  classes: 10,
  batch: 128,
  size: { capacity: 2048, minSteps: 2, maxSteps: 64 },
  warmupSteps: 1,
  build: () => buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 1], shortcut: "A", seed: 3 }),
  options: { lr: 1e-3, optimizer: "adam" },
  // tf.train.adam's epsilon is 1e-7 (PyTorch's default 1e-8).
  torch: { model: "resnet", depth: 20, inputShape: [32, 32, 1], classes: 10, optimizer: { kind: "adam", lr: 1e-3, eps: 1e-7 } },
};

/** §6.4's MLP (the notebook's hiddenUnits 32, lr 0.003, batch 32) on its 341 training rows (60% of 569). */
const mlpAdam: ClassifierCase = {
  name: "mlp-adam",
  title: "§6.4 MLP 30 → 32 → 2 (buildMlp), Adam lr 0.003, batch 32, epochs of 341 rows",
  inputShape: [30],
  classes: 2,
  batch: 32,
  size: { rows: 341, maxEpochs: 400 },
  warmupSteps: 5,
  build: () => buildMlp({ inputSize: 30, hidden: [32], numClasses: 2, seed: 42 }),
  options: { lr: 0.003, optimizer: "adam" },
  torch: { model: "mlp", inputs: 30, hidden: [32], classes: 2, optimizer: { kind: "adam", lr: 0.003, eps: 1e-7 } },
  centred: true,
};

/** §8's GPT (d 256 × 4 layers × 8 heads, batch 64, lr 0.002) on random Tang-vocabulary windows, trained by trainLanguageModel. */
function gptCase(): BenchCase {
  const config: TransformerConfig = { vocabSize: TANG_VOCAB, contextLength: TANG_CONTEXT, dModel: 256, numHeads: 8, numLayers: 4, seed: 42 };
  const batch = 64;
  const lr = 0.002;
  const L = TANG_CONTEXT + 1;
  let data: TokenSequences | null = null;
  return {
    name: "gpt-d256-b64",
    title: `§8 GPT (pre-LN, tied embedding, GELU tanh) d 256 × 4 layers × 8 heads, V ${TANG_VOCAB}, context ${TANG_CONTEXT}, Adam β₂ 0.99, batch ${batch}`,
    unit: "tokens/s",
    perSample: TANG_CONTEXT,
    batch,
    fit: (steps) => clamp(steps, 2, 64),
    torchSpec: () => ({
      model: "gpt",
      vocab: TANG_VOCAB,
      context: TANG_CONTEXT,
      dModel: 256,
      layers: 4,
      heads: 8,
      n: TANG_TRAIN_WINDOWS,
      batch,
      partialBatches: false,
      warmup: 1,
      optimizer: { kind: "adam", lr, beta2: 0.99, eps: 1e-8 },
    }),
    params: () => {
      const model = new Transformer(config);
      const count = model.variables().reduce((s, v) => s + v.size, 0);
      model.dispose();
      return count;
    },
    run: async (steps) => {
      data ??= { tokens: randomLabels(TANG_TRAIN_WINDOWS * L, TANG_VOCAB, 4), count: TANG_TRAIN_WINDOWS, length: L }; // [n, 65] row-major
      const model = new Transformer(config);
      await trainLanguageModel(model, data, { numSteps: 1, batchSize: batch, lr, seed: 5 }); // warm-up
      const h = await trainLanguageModel(model, data, { numSteps: steps, batchSize: batch, lr, seed: 6 });
      model.dispose();
      return { rate: h.tokensPerSec, ...engineOf(h, "trainLanguageModel") };
    },
    dispose: () => {
      data = null;
    },
  };
}

/** §6.3's GRU(16) forecaster on 20-day windows of 4 features, trained as notebook 06-3 does (trainForecaster: Adam 0.003, batch 128, MAE, validation each epoch). */
function gruCase(): BenchCase {
  const sizes = { windowLength: 20, numFeatures: 4, units: 16, seed: 42 };
  const n = 3750; // ≈ the notebook's training windows (2000 – 2014)
  const validation = 500; // ≈ its validation windows (2015 – 2016)
  const batch = 128;
  const perEpoch = Math.ceil(n / batch);
  let data: { train: { X: tf.Tensor3D; y: tf.Tensor2D }; val: { X: tf.Tensor3D; y: tf.Tensor2D } } | null = null;
  const windows = (count: number, seed: number): { X: tf.Tensor3D; y: tf.Tensor2D } => ({
    X: tf.tensor3d(randomValues(count * 20 * 4, seed, true), [count, 20, 4]), // [count, L, F]
    y: tf.tensor2d(randomValues(count, seed + 1, true), [count, 1]), // [count, 1]
  });
  return {
    name: "gru",
    title: `§6.3 GRU(16) → dense(1) forecaster on [20, 4] windows, Adam lr 0.003, MAE, batch ${batch}, epochs of ${n} windows + ${validation} validated`,
    unit: "samples/s",
    perSample: 1,
    batch,
    fit: (steps) => wholeEpochs(steps, perEpoch, 1, 12),
    torchSpec: () => ({
      model: "gru",
      window: 20,
      features: 4,
      units: 16,
      n,
      validation,
      batch,
      partialBatches: true,
      readLoss: true,
      optimizer: { kind: "adam", lr: 0.003, eps: 1e-7 },
    }),
    params: () => {
      const net = buildGruForecaster(sizes);
      const count = countTrainableParameters(net);
      net.dispose();
      return count;
    },
    run: async (steps) => {
      data ??= { train: windows(n, 10), val: windows(validation, 20) };
      const net = buildGruForecaster(sizes);
      const opts = { batchSize: batch, lr: 0.003, seed: 7 };
      const warm = tf.tidy(() => ({ X: data!.train.X.slice(0, 2 * batch), y: data!.train.y.slice(0, 2 * batch) }));
      await trainForecaster(net, warm, warm, { ...opts, numEpochs: 1 });
      tf.dispose([warm.X, warm.y]);
      const h = await trainForecaster(net, data.train, data.val, { ...opts, numEpochs: steps / perEpoch });
      net.dispose();
      return { rate: h.samplesPerSec, ...engineOf(h, "trainForecaster") };
    },
    dispose: () => {
      if (data) tf.dispose([data.train.X, data.train.y, data.val.X, data.val.y]);
      data = null;
    },
  };
}

/** A case by name (its data are allocated when it first runs). */
export function benchCase(name: CaseName): BenchCase {
  switch (name) {
    case "lenet-b4":
      return classifierCase(lenet(4));
    case "lenet-b64":
      return classifierCase(lenet(64));
    case "resnet20-b128":
      return classifierCase(resnet20);
    case "gpt-d256-b64":
      return gptCase();
    case "mlp-adam":
      return classifierCase(mlpAdam);
    case "gru":
      return gruCase();
  }
}
