/**
 * The native fused training step for sequential conv nets (article §5.2, issue #9): one addon call
 * per mini-batch runs forward, softmax cross-entropy, backward and the SGD(+momentum) update of a
 * Sequential model made of Conv2D (valid/same, ReLU or linear), MaxPooling2D (valid), Flatten and
 * Dense (ReLU or linear) layers ending in linear logits. At batch 4 the tfjs engine's ≈180 kernel
 * dispatches per step cost more than the arithmetic; this removes them. Weights are copied from
 * the model's variables at the start and written back with {@link NativeSeqTrainer.syncToModel}.
 * Other functional models and optimisers go to the graph step (graph-train.ts); anything neither
 * supports is reported as unsupported and trainClassifier keeps the general tfjs path.
 */
import * as tf from "@tensorflow/tfjs";
import { loadNative, nativeStepReason, type NativeAddon, type NativeLayerSpec, type NativeNetHandle } from "./addon";
import { NativeGraphTrainer, planGraphTraining, type NativeOptimizer, type NativeTrainingOptions } from "./graph-train";
import { activation, convGeometry, noRegularizers, pair, type LayerConfig } from "./layer-config";

/** A model the native step can train, or why not. */
export type NativePlan = { ok: true; inputShape: [number, number, number]; layers: NativeLayerSpec[] } | { ok: false; reason: string };

function noExtras(cfg: LayerConfig, layer: string): void {
  noRegularizers(cfg, layer);
  if (cfg.useBias === false) throw new Error(`${layer} without bias`);
}

/** Describes `net` for the native step, or says which layer/option it does not support. */
export function planNativeTraining(net: tf.LayersModel, opts: { optimizer?: NativeOptimizer }): NativePlan {
  if ((opts.optimizer ?? "sgd") !== "sgd") return { ok: false, reason: `optimizer '${opts.optimizer}' (native step: SGD with or without momentum)` };
  if (net.inputs.length !== 1 || net.outputs.length !== 1) return { ok: false, reason: "the model has several inputs or outputs" };
  const inShape = net.inputs[0].shape.slice(1);
  if (inShape.some((d) => d == null)) return { ok: false, reason: "the input shape is not fully known" };
  let shape: [number, number, number];
  if (inShape.length === 3) shape = inShape as [number, number, number];
  else if (inShape.length === 1) shape = [1, 1, inShape[0] as number];
  else return { ok: false, reason: `input rank ${inShape.length + 1} (native step: images [n, h, w, c] or features [n, f])` };
  if (net.weights.length !== net.trainableWeights.length) return { ok: false, reason: "the model has non-trainable weights" };
  const layers: NativeLayerSpec[] = [];
  let [h, w] = shape;
  let flat = inShape.length === 1;
  let paramLayers = 0;
  let previous: tf.layers.Layer | null = null;
  try {
    for (const layer of net.layers) {
      const cls = layer.getClassName();
      const cfg = layer.getConfig() as LayerConfig;
      if (cls === "InputLayer") continue;
      if (!layer.trainable && layer.weights.length > 0) throw new Error(`frozen layer ${layer.name}`);
      // A chain: each layer called once, on the layer before it (functional models go to the graph step).
      const inbound = layer.inboundNodes.length === 1 ? layer.inboundNodes[0].inboundLayers : [];
      if (inbound.length !== 1 || (previous !== null && inbound[0] !== previous)) throw new Error(`layer ${layer.name} outside a chain`);
      previous = layer;
      if ((cfg.dataFormat ?? "channelsLast") !== "channelsLast") throw new Error(`${cls} dataFormat ${String(cfg.dataFormat)}`);
      if (cls === "Conv2D") {
        if (flat) throw new Error("Conv2D after Flatten");
        noExtras(cfg, cls);
        const { oh, ow, ...geometry } = convGeometry(cfg, h, w);
        layers.push({ kind: "conv", cout: cfg.filters as number, relu: activation(cfg, cls), ...geometry });
        h = oh;
        w = ow;
        paramLayers++;
      } else if (cls === "MaxPooling2D") {
        if (flat) throw new Error("MaxPooling2D after Flatten");
        if (cfg.padding !== "valid") throw new Error(`MaxPooling2D padding '${String(cfg.padding)}'`);
        const [kh, kw] = pair(cfg.poolSize, "poolSize");
        const [sh, sw] = pair(cfg.strides ?? cfg.poolSize, "strides");
        layers.push({ kind: "pool", kh, kw, sh, sw });
        h = Math.floor((h - kh) / sh) + 1;
        w = Math.floor((w - kw) / sw) + 1;
      } else if (cls === "Flatten") {
        layers.push({ kind: "flatten" });
        flat = true;
      } else if (cls === "Dense") {
        if (!flat) throw new Error("Dense on a rank-4 tensor (add Flatten)");
        noExtras(cfg, cls);
        layers.push({ kind: "dense", cout: cfg.units as number, relu: activation(cfg, cls) });
        paramLayers++;
      } else {
        throw new Error(`layer ${cls}`);
      }
    }
  } catch (e) {
    return { ok: false, reason: `unsupported ${(e as Error).message} (native step: Conv2D, MaxPooling2D, Flatten, Dense)` };
  }
  if (layers.length === 0 || layers[layers.length - 1].kind !== "dense" || layers[layers.length - 1].relu) {
    return { ok: false, reason: "the last layer must be a linear Dense layer (logits)" };
  }
  if (paramLayers * 2 !== net.trainableWeights.length) return { ok: false, reason: "unexpected weights (every Conv2D/Dense needs kernel and bias)" };
  return { ok: true, inputShape: shape, layers };
}

/** A model's weights in a native network, trained one fused step per call. */
export class NativeSeqTrainer {
  private readonly handle: NativeNetHandle;
  private readonly variables: tf.LayerVariable[];
  /** Floats per input sample. */
  readonly sampleSize: number;

  constructor(
    private readonly addon: NativeAddon,
    net: tf.LayersModel,
    plan: Extract<NativePlan, { ok: true }>,
  ) {
    this.handle = addon.createNet(plan.inputShape, plan.layers);
    this.sampleSize = plan.inputShape[0] * plan.inputShape[1] * plan.inputShape[2];
    this.variables = net.trainableWeights;
    if (addon.numParams(this.handle) !== this.variables.length) {
      throw new Error(`native net has ${addon.numParams(this.handle)} parameters, the model ${this.variables.length}`);
    }
    this.variables.forEach((v, i) => addon.setArray(this.handle, "param", i, v.read().dataSync() as Float32Array));
  }

  /** One fused step on `batch` samples of x (NHWC floats) from sample `start`, labels likewise; returns the mean loss. */
  step(x: Float32Array, labels: Int32Array, start: number, batch: number, lr: number, momentum: number): number {
    return this.addon.trainStep(this.handle, x, start * this.sampleSize, labels, start, batch, lr, momentum, true);
  }

  /** Logits [batch, classes] for `batch` samples of x (NHWC floats) from sample `start`, with the native weights. */
  predict(x: Float32Array, start: number, batch: number): Float32Array {
    return this.addon.predict(this.handle, x, start * this.sampleSize, batch);
  }

  /** Gradients of the mean loss for one batch, without updating (parity tests). Order: model.trainableWeights. */
  gradients(x: Float32Array, labels: Int32Array, batch: number): { loss: number; grads: Float32Array[] } {
    const loss = this.addon.trainStep(this.handle, x, 0, labels, 0, batch, 0, 0, false);
    return { loss, grads: this.variables.map((_, i) => this.addon.getArray(this.handle, "grad", i)) };
  }

  /** Which kernels the native net uses at this batch size (e.g. "direct", "brgconv:avx512_core"). */
  implInfo(batch: number): string {
    return this.addon.implInfo(this.handle, batch);
  }

  /** Writes the native weights back into the model's variables. */
  syncToModel(): void {
    this.variables.forEach((v, i) => {
      const t = tf.tensor(this.addon.getArray(this.handle, "param", i), v.shape as number[], "float32");
      v.write(t);
      t.dispose();
    });
  }
}

/** What trainClassifier and evaluateClassifier use of a native trainer (NativeSeqTrainer, NativeGraphTrainer). */
export interface NativeTrainer {
  /** Floats per input sample. */
  readonly sampleSize: number;
  step(x: Float32Array, labels: Int32Array, start: number, batch: number, lr: number, momentum: number): number;
  predict(x: Float32Array, start: number, batch: number): Float32Array;
  gradients(x: Float32Array, labels: Int32Array, batch: number): { loss: number; grads: Float32Array[] };
  implInfo(batch: number): string;
  syncToModel(): void;
}

/**
 * A native trainer for `net` when the addon is loaded and the model/optimiser are supported, else the
 * reason: the sequential step for SGD on the nets it handles (the fastest for LeNet), else the graph step.
 */
export function nativeTrainerFor(
  net: tf.LayersModel,
  opts: NativeTrainingOptions,
): { trainer: NativeTrainer; reason: string } | { trainer: null; reason: string } {
  const status = loadNative();
  if (!status.ok) return { trainer: null, reason: `native kernels ${status.reason}` };
  const plan = planNativeTraining(net, opts);
  if (plan.ok) return { trainer: new NativeSeqTrainer(status.addon, net, plan), reason: `native fused step (${nativeStepReason(status.addon, "sequential")})` };
  const graph = planGraphTraining(net);
  if (!graph.ok) return { trainer: null, reason: graph.reason };
  const reason = `native fused graph step (${nativeStepReason(status.addon, "graph")})`;
  const key = graphTrainerKey(graph);
  const last = graphTrainers.get(net);
  if (last && last.key === key && typeof (status.addon as { graphRestart?: unknown }).graphRestart === "function") {
    last.trainer.restart(opts);
    return { trainer: last.trainer, reason };
  }
  const trainer = new NativeGraphTrainer(status.addon, net, graph, opts);
  graphTrainers.set(net, { trainer, key });
  return { trainer, reason };
}

/**
 * The graph trainer last built for each model, reused by its next training run or evaluation. Its
 * buffers are large (≈ 0.8 GB for ResNet-20 at batch 128) and touching fresh memory costs seconds
 * on this VM (≈ 190,000 page faults: a first ResNet-20 step takes 2.5 s, the next ones 0.14–0.25 s),
 * so a fresh trainer per call made every call, and every per-epoch evaluation, pay that again.
 */
const graphTrainers = new WeakMap<tf.LayersModel, { trainer: NativeGraphTrainer; key: string }>();

/** What must match to reuse a graph trainer: which weights are trainable (restart sets the optimiser). */
function graphTrainerKey(graph: Extract<ReturnType<typeof planGraphTraining>, { ok: true }>): string {
  const names = (vs: tf.LayerVariable[]): string => vs.map((v) => v.name).join(",");
  return `${names(graph.params)}|${names(graph.states)}`;
}

/**
 * The native trainer that evaluates `net` (inference only), holding the model's current weights: the
 * graph trainer of its last training run when there is one (its optimiser state untouched, so an
 * evaluation between epochs does not disturb training), else a new one as for training.
 */
export function nativePredictorFor(net: tf.LayersModel): NativeTrainer | null {
  const last = graphTrainers.get(net);
  if (last && loadNative().ok) {
    last.trainer.loadFromModel();
    return last.trainer;
  }
  return nativeTrainerFor(net, {}).trainer;
}
