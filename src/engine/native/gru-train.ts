/**
 * The native fused training step for the §6.3 GRU forecaster (issue #14): one addon call per
 * mini-batch runs the GRU over time, the Dense layer, the regression loss (MAE or MSE), BPTT and
 * the optimiser update (native/src/gru_net.cc). The model is tiny, so on tfjs a step is ≈600 kernel
 * dispatches and little arithmetic; here it is one call. It takes exactly a Sequential of
 * [GRU (last state, tfjs defaults), Dense (linear)]; anything else gets a reason and the tfjs loop.
 * Weights are copied from the model at the start and written back by {@link NativeGruTrainer.syncToModel}.
 */
import * as tf from "@tensorflow/tfjs";
import { loadNative, nativeStepReason, type NativeAddon } from "./addon";
import type { LayerConfig } from "./layer-config";

/** Sizes and loss of the network as the addon takes it. */
interface NativeGruSpec {
  /** T: time steps per window. */
  steps: number;
  /** F: features per step. */
  features: number;
  /** U: GRU units. */
  units: number;
  /** K: Dense units. */
  outputs: number;
  loss: "mae" | "mse";
}

/** The optimiser as the addon takes it (native/src/optim.h; the learning rate is passed per step). */
interface NativeGruOptimizer {
  kind: "sgd" | "adam";
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** Options of {@link nativeGruTrainerFor}. */
export interface NativeGruOptions {
  /** tf.losses.absoluteDifference ("mae", default) or tf.losses.meanSquaredError ("mse"), both means over batch·K. */
  loss?: "mae" | "mse";
  /** tf.train.adam (default; β₁ 0.9, β₂ 0.999, ε 1e-7 as tfjs' float32 backends) or tf.train.sgd / momentum. */
  optimizer?: "adam" | "sgd";
  /** SGD's heavy-ball momentum (tf.train.momentum); 0 is plain SGD. */
  momentum?: number;
}

/** An opaque handle to a native GRU network. */
type NativeGruHandle = { readonly __nativeGru: unique symbol };

/** What gruRun computes: the loss only, also the gradients, or also the optimiser step. */
const RUN_MODE = { loss: 0, gradients: 1, step: 2 } as const;

/** The addon's GRU functions (native/src/gru_binding.cc). */
type GruAddon = NativeAddon & {
  createGru(spec: NativeGruSpec, optimizer: NativeGruOptimizer): NativeGruHandle;
  gruGetArray(net: NativeGruHandle, which: "param" | "grad", index: number): Float32Array;
  gruSetParam(net: NativeGruHandle, index: number, values: Float32Array): void;
  /** Mean loss of x[xOffset…] ([batch, T, F]) against y[yOffset…] ([batch, K]). */
  gruRun(net: NativeGruHandle, x: Float32Array, xOffset: number, y: Float32Array, yOffset: number, batch: number, mode: number, lr: number): number;
  /** Dense outputs [batch, K]. */
  gruPredict(net: NativeGruHandle, x: Float32Array, xOffset: number, batch: number): Float32Array;
  gruDispose(net: NativeGruHandle): void;
};

/** The GRU settings the native cell implements (tfjs 4.22 GRU defaults); any other value is refused by name. */
const GRU_DEFAULTS: Record<string, unknown> = {
  activation: "tanh",
  recurrentActivation: "hardSigmoid",
  useBias: true,
  returnSequences: false,
  returnState: false,
  goBackwards: false,
  stateful: false,
  unroll: false,
  dropout: 0,
  recurrentDropout: 0,
};

const NO_EXTRAS = [
  "kernelRegularizer",
  "recurrentRegularizer",
  "biasRegularizer",
  "activityRegularizer",
  "kernelConstraint",
  "recurrentConstraint",
  "biasConstraint",
];

/** Describes `net` for the native step, or says which layer/setting it does not support. */
function planGru(net: tf.LayersModel, loss: "mae" | "mse"): { ok: true; spec: NativeGruSpec } | { ok: false; reason: string } {
  const unsupported = (what: string): { ok: false; reason: string } => ({
    ok: false,
    reason: `unsupported ${what} (native GRU step: Sequential [GRU (last state, tfjs defaults), Dense (linear)])`,
  });
  if (!(net instanceof tf.Sequential)) return unsupported(`model class ${net.getClassName()}`);
  const layers = net.layers.filter((l) => l.getClassName() !== "InputLayer");
  const names = layers.map((l) => l.getClassName());
  if (layers.length !== 2 || names[0] !== "GRU" || names[1] !== "Dense") return unsupported(`layers [${names.join(", ")}]`);
  const [gru, dense] = layers;
  const g = gru.getConfig() as LayerConfig;
  for (const [key, want] of Object.entries(GRU_DEFAULTS)) {
    if ((g[key] ?? want) !== want) return unsupported(`GRU ${gru.name} ${key} ${JSON.stringify(g[key])}`);
  }
  const d = dense.getConfig() as LayerConfig;
  if ((d.activation ?? "linear") !== "linear") return unsupported(`Dense ${dense.name} activation '${String(d.activation)}'`);
  if (d.useBias === false) return unsupported(`Dense ${dense.name} without bias`);
  for (const key of NO_EXTRAS) {
    if (g[key] != null) return unsupported(`GRU ${gru.name} ${key}`);
    if (d[key] != null) return unsupported(`Dense ${dense.name} ${key}`);
  }
  if (!gru.trainable || !dense.trainable || net.weights.length !== 5 || net.trainableWeights.length !== 5) {
    return unsupported("weights (expected 5 trainable: GRU kernel, recurrent kernel, bias; Dense kernel, bias)");
  }
  const inShape = net.inputs[0].shape; // [batch, T, F]
  if (inShape.length !== 3 || inShape[1] == null || inShape[2] == null)
    return unsupported(`input shape [${inShape.join(", ")}] (needs [batch, T, F] with T and F known)`);
  return {
    ok: true,
    spec: { steps: inShape[1], features: inShape[2], units: g.units as number, outputs: d.units as number, loss },
  };
}

/** A GRU forecaster's weights in the native addon, trained one fused step per call. */
export class NativeGruTrainer {
  private readonly handle: NativeGruHandle;
  private readonly variables: tf.LayerVariable[];
  /** Floats per input window (T·F). */
  readonly sampleSize: number;
  /** Floats per target (K). */
  readonly outputSize: number;

  constructor(
    private readonly addon: GruAddon,
    net: tf.LayersModel,
    spec: NativeGruSpec,
    optimizer: NativeGruOptimizer,
  ) {
    this.handle = addon.createGru(spec, optimizer);
    this.sampleSize = spec.steps * spec.features;
    this.outputSize = spec.outputs;
    this.variables = net.trainableWeights;
    this.variables.forEach((v, i) => addon.gruSetParam(this.handle, i, v.read().dataSync() as Float32Array));
  }

  /** One optimiser step at `lr` on `batch` windows of x ([n, T, F]) and y ([n, K]) from window `start`; returns the mean loss before it. */
  step(x: Float32Array, y: Float32Array, start: number, batch: number, lr: number): number {
    return this.addon.gruRun(this.handle, x, start * this.sampleSize, y, start * this.outputSize, batch, RUN_MODE.step, lr);
  }

  /** Loss and every weight's gradient (model.trainableWeights order) for the first `batch` windows, without updating (parity tests). */
  gradients(x: Float32Array, y: Float32Array, batch: number): { loss: number; grads: Float32Array[] } {
    const loss = this.addon.gruRun(this.handle, x, 0, y, 0, batch, RUN_MODE.gradients, 0);
    return { loss, grads: this.variables.map((_, i) => this.addon.gruGetArray(this.handle, "grad", i)) };
  }

  /** Outputs [batch, K] for `batch` windows of x from window `start`, with the native weights. */
  predict(x: Float32Array, start: number, batch: number): Float32Array {
    return this.addon.gruPredict(this.handle, x, start * this.sampleSize, batch);
  }

  /** Copies of the native weights (model.trainableWeights order). */
  weights(): Float32Array[] {
    return this.variables.map((_, i) => this.addon.gruGetArray(this.handle, "param", i));
  }

  /** Writes the native weights (or `weights`, e.g. an earlier {@link weights} copy) into the model's variables. */
  syncToModel(weights: readonly Float32Array[] = this.weights()): void {
    this.variables.forEach((v, i) => {
      const t = tf.tensor(weights[i], v.shape as number[], "float32");
      v.write(t);
      t.dispose();
    });
  }

  /** Frees the native network now; the trainer is unusable afterwards. */
  dispose(): void {
    this.addon.gruDispose(this.handle);
  }
}

/**
 * A native trainer for a GRU → Dense forecaster when the addon is loaded and the model is exactly
 * what the native step implements; else null and the reason (the caller keeps the tfjs loop).
 */
export function nativeGruTrainerFor(
  net: tf.LayersModel,
  opts: NativeGruOptions = {},
): { trainer: NativeGruTrainer; reason: string } | { trainer: null; reason: string } {
  const status = loadNative();
  if (!status.ok) return { trainer: null, reason: `native kernels ${status.reason}` };
  const addon = status.addon as GruAddon;
  if (typeof addon.createGru !== "function") return { trainer: null, reason: "the native addon predates the GRU step (rebuild it: scripts/build-native.sh)" };
  const plan = planGru(net, opts.loss ?? "mae");
  if (!plan.ok) return { trainer: null, reason: plan.reason };
  const optimizer: NativeGruOptimizer = {
    kind: opts.optimizer ?? "adam",
    momentum: opts.momentum ?? 0,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-7, // tf.train.adam's default: the float32 backends' epsilon
    weightDecay: 0,
  };
  return { trainer: new NativeGruTrainer(addon, net, plan.spec, optimizer), reason: `native fused GRU step (${nativeStepReason(addon, "gru")})` };
}
