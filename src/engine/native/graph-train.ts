/**
 * The native fused training step for functional LayersModels (issue #14): one addon call per
 * mini-batch runs forward, softmax cross-entropy, backward and the optimiser update (SGD, momentum,
 * Adam, AdamW with tfjs' formulas, native/src/optim.h) of a DAG of Conv2D, BatchNormalization,
 * Activation('relu'), Add, ZeroPadding2D, ResNetShortcutA (src/models/resnet.ts), GlobalAveragePooling2D,
 * MaxPooling2D, Flatten, Dense and Dropout layers — the CIFAR ResNets, MLPs, LeNet with Adam. The
 * DAG is read from `net.layers` and their inbound nodes. Weights and BatchNorm moving statistics are
 * copied from the model's variables at the start and written back by {@link NativeGraphTrainer.syncToModel}.
 * Anything else is reported as unsupported and trainClassifier keeps the general tfjs path.
 */
import * as tf from "@tensorflow/tfjs";
import type { NativeAddon } from "./addon";
import { activation, convGeometry, noRegularizers, pair, type LayerConfig } from "./layer-config";

/** One node of the graph as the addon takes it (native/src/graphnet.h); `inputs` are earlier node indices, −1 the network input. */
export interface GraphNodeSpec {
  kind: "conv" | "batchNorm" | "relu" | "add" | "zeroPad" | "shortcutA" | "globalAvgPool" | "maxPool" | "flatten" | "dense" | "dropout";
  inputs: number[];
  relu?: boolean;
  bias?: boolean;
  /** Conv filters, Dense units, ShortcutA output channels. */
  cout?: number;
  kh?: number;
  kw?: number;
  sh?: number;
  sw?: number;
  padTop?: number;
  padBottom?: number;
  padLeft?: number;
  padRight?: number;
  /** BatchNorm: tfjs momentum (the share of the old moving average kept) and epsilon. */
  momentum?: number;
  epsilon?: number;
  /** Dropout rate. */
  rate?: number;
}

/** The optimisers the native steps run (native/src/optim.h). */
export type NativeOptimizer = "sgd" | "adam" | "adamw";

/** What a native trainer needs to know besides the model: the optimiser, AdamW's decay, the dropout seed. */
export interface NativeTrainingOptions {
  optimizer?: NativeOptimizer;
  /** AdamW's decoupled weight decay λ (w −= lr·λ·w each step). */
  weightDecay?: number;
  /** Seeds the dropout masks (a fresh mask every step). */
  seed?: number;
}

type GraphNetHandle = { readonly __graphNet: unique symbol };

/** The addon's graph functions (native/src/graph_binding.cc). */
type GraphAddon = NativeAddon & {
  createGraphNet(
    inputShape: [number, number, number],
    nodes: GraphNodeSpec[],
    optimizer: { kind: NativeOptimizer; weightDecay?: number },
    seed: number,
  ): GraphNetHandle;
  graphTrainStep(
    net: GraphNetHandle,
    x: Float32Array,
    xOffset: number,
    labels: Int32Array,
    labelOffset: number,
    batch: number,
    lr: number,
    momentum: number,
    update: boolean,
  ): number;
  graphPredict(net: GraphNetHandle, x: Float32Array, xOffset: number, batch: number): Float32Array;
  graphGetArray(net: GraphNetHandle, which: "param" | "grad" | "state", index: number): Float32Array;
  graphSetArray(net: GraphNetHandle, which: "param" | "state", index: number, values: Float32Array): void;
  graphNumArrays(net: GraphNetHandle, which: "param" | "state"): number;
  graphImplInfo(net: GraphNetHandle, batch: number): string;
  graphRestart(net: GraphNetHandle, optimizer: { kind: NativeOptimizer; weightDecay?: number }, seed: number): void;
};

/** A model the graph step can train — its nodes and its variables in the addon's order — or why not. */
export type GraphPlan =
  | { ok: true; inputShape: [number, number, number]; nodes: GraphNodeSpec[]; params: tf.LayerVariable[]; states: tf.LayerVariable[] }
  | { ok: false; reason: string };

/** A tensor of the graph: the node that makes it (−1: the input) and its per-sample shape [h, w, c] (flat: [1, 1, f]). */
interface GraphTensor {
  node: number;
  shape: [number, number, number];
  flat: boolean;
}

const SUPPORTED =
  "native graph step: Conv2D, BatchNormalization, Activation relu/linear, Add, ZeroPadding2D, ResNetShortcutA, GlobalAveragePooling2D, MaxPooling2D, Flatten, Dense, Dropout";

/** The layer's weights named by their last path part (kernel, bias, gamma, …), checked against `names`. */
function weightsNamed(layer: tf.layers.Layer, list: tf.LayerVariable[], names: string[]): tf.LayerVariable[] {
  const got = list.map((v) => v.name.split("/").pop() ?? v.name);
  if (got.length !== names.length || got.some((n, i) => !n.startsWith(names[i]))) {
    throw new Error(`${layer.getClassName()} ${layer.name} weights [${got.join(", ")}] (expected [${names.join(", ")}])`);
  }
  return list;
}

/** Describes `net` for the graph step, or says which layer or option it does not support. */
export function planGraphTraining(net: tf.LayersModel): GraphPlan {
  if (net.inputs.length !== 1 || net.outputs.length !== 1) return { ok: false, reason: "the model has several inputs or outputs" };
  const inShape = net.inputs[0].shape.slice(1);
  if (inShape.some((d) => d == null)) return { ok: false, reason: "the input shape is not fully known" };
  let input: GraphTensor;
  if (inShape.length === 3) input = { node: -1, shape: inShape as [number, number, number], flat: false };
  else if (inShape.length === 1) input = { node: -1, shape: [1, 1, inShape[0] as number], flat: true };
  else return { ok: false, reason: `input rank ${inShape.length + 1} (native step: images [n, h, w, c] or features [n, f])` };
  const nodes: GraphNodeSpec[] = [];
  const params: tf.LayerVariable[] = [];
  const states: tf.LayerVariable[] = [];
  const tensors = new Map<string, GraphTensor>(); // layer name → its output
  try {
    for (const layer of net.layers) {
      const cls = layer.getClassName();
      if (cls === "InputLayer") {
        tensors.set(layer.name, input);
        continue;
      }
      const cfg = layer.getConfig() as LayerConfig;
      if (!layer.trainable && layer.weights.length > 0) throw new Error(`frozen layer ${layer.name}`);
      if ((cfg.dataFormat ?? "channelsLast") !== "channelsLast") throw new Error(`${cls} dataFormat ${String(cfg.dataFormat)}`);
      if (layer.inboundNodes.length !== 1) throw new Error(`shared layer ${layer.name} (called ${layer.inboundNodes.length} times)`);
      const inbound = layer.inboundNodes[0];
      const ins = inbound.inboundLayers.map((l, k) => {
        if (inbound.tensorIndices[k] !== 0) throw new Error(`${cls} ${layer.name} takes a second output of ${l.name}`);
        const t = l.getClassName() === "InputLayer" ? input : tensors.get(l.name);
        if (!t) throw new Error(`${cls} ${layer.name}: its input ${l.name} comes later in net.layers`);
        return t;
      });
      if (ins.length !== (cls === "Add" ? 2 : 1)) throw new Error(`${cls} with ${ins.length} inputs`);
      const x = ins[0];
      const [h, w, c] = x.shape;
      const image = (what: string): void => {
        if (x.flat) throw new Error(`${what} on a flat tensor`);
      };
      const push = (spec: Omit<GraphNodeSpec, "inputs">, shape: [number, number, number], flat = x.flat): void => {
        nodes.push({ ...spec, inputs: ins.map((t) => t.node) });
        tensors.set(layer.name, { node: nodes.length - 1, shape, flat });
      };
      if (cls === "Conv2D") {
        image(cls);
        noRegularizers(cfg, cls);
        const bias = cfg.useBias !== false;
        const { oh, ow, ...geometry } = convGeometry(cfg, h, w);
        const cout = cfg.filters as number;
        push({ kind: "conv", cout, bias, relu: activation(cfg, cls), ...geometry }, [oh, ow, cout]);
        params.push(...weightsNamed(layer, layer.trainableWeights, bias ? ["kernel", "bias"] : ["kernel"]));
      } else if (cls === "BatchNormalization") {
        const axis = cfg.axis as number;
        if (axis !== -1 && axis !== (x.flat ? 1 : 3)) throw new Error(`BatchNormalization axis ${axis} (native: the channels)`);
        if (cfg.center === false || cfg.scale === false) throw new Error("BatchNormalization without center or scale");
        for (const key of ["betaRegularizer", "gammaRegularizer", "betaConstraint", "gammaConstraint"])
          if (cfg[key] != null) throw new Error(`BatchNormalization ${key}`);
        push({ kind: "batchNorm", momentum: cfg.momentum as number, epsilon: cfg.epsilon as number }, x.shape);
        params.push(...weightsNamed(layer, layer.trainableWeights, ["gamma", "beta"]));
        states.push(...weightsNamed(layer, layer.nonTrainableWeights, ["moving_mean", "moving_variance"]));
      } else if (cls === "Activation") {
        if (activation(cfg, cls)) push({ kind: "relu" }, x.shape);
        else tensors.set(layer.name, x); // linear: the same tensor
      } else if (cls === "Add") {
        if (ins[1].shape.some((d, k) => d !== x.shape[k])) throw new Error(`Add of [${x.shape}] and [${ins[1].shape}]`);
        push({ kind: "add" }, x.shape);
      } else if (cls === "ZeroPadding2D") {
        image(cls);
        const p = cfg.padding as unknown;
        const [[padTop, padBottom], [padLeft, padRight]] =
          Array.isArray(p) && Array.isArray(p[0]) ? [pair(p[0], "padding"), pair(p[1], "padding")] : [pair(p, "padding"), pair(p, "padding")];
        push({ kind: "zeroPad", padTop, padBottom, padLeft, padRight }, [h + padTop + padBottom, w + padLeft + padRight, c]);
      } else if (cls === "ResNetShortcutA") {
        image(cls);
        const stride = cfg.stride as number;
        const cout = cfg.outChannels as number;
        push({ kind: "shortcutA", cout, sh: stride, sw: stride }, [Math.ceil(h / stride), Math.ceil(w / stride), cout]);
      } else if (cls === "GlobalAveragePooling2D") {
        image(cls);
        if (cfg.keepDims === true) throw new Error("GlobalAveragePooling2D keepDims");
        push({ kind: "globalAvgPool" }, [1, 1, c], true);
      } else if (cls === "MaxPooling2D") {
        image(cls);
        if (cfg.padding !== "valid") throw new Error(`MaxPooling2D padding '${String(cfg.padding)}'`);
        const [kh, kw] = pair(cfg.poolSize, "poolSize");
        const [sh, sw] = pair(cfg.strides ?? cfg.poolSize, "strides");
        push({ kind: "maxPool", kh, kw, sh, sw }, [Math.floor((h - kh) / sh) + 1, Math.floor((w - kw) / sw) + 1, c]);
      } else if (cls === "Flatten") {
        push({ kind: "flatten" }, [1, 1, h * w * c], true);
      } else if (cls === "Dense") {
        if (!x.flat) throw new Error("Dense on a rank-4 tensor (add Flatten)");
        noRegularizers(cfg, cls);
        const bias = cfg.useBias !== false;
        const cout = cfg.units as number;
        push({ kind: "dense", cout, bias, relu: activation(cfg, cls) }, [1, 1, cout]);
        params.push(...weightsNamed(layer, layer.trainableWeights, bias ? ["kernel", "bias"] : ["kernel"]));
      } else if (cls === "Dropout") {
        if (cfg.noiseShape != null) throw new Error("Dropout noiseShape");
        push({ kind: "dropout", rate: cfg.rate as number }, x.shape);
      } else {
        throw new Error(`layer ${cls}`);
      }
    }
  } catch (e) {
    return { ok: false, reason: `unsupported ${(e as Error).message} (${SUPPORTED})` };
  }
  const out = tensors.get(net.outputs[0].sourceLayer.name);
  if (!out || nodes.length === 0 || out.node !== nodes.length - 1) return { ok: false, reason: "the model's output is not its last layer" };
  const last = nodes[nodes.length - 1];
  if (last.kind !== "dense" || last.relu) return { ok: false, reason: "the last layer must be a linear Dense layer (logits)" };
  if (params.length !== net.trainableWeights.length || params.length + states.length !== net.weights.length) {
    return { ok: false, reason: "unexpected weights (a layer with weights the graph step does not know)" };
  }
  return { ok: true, inputShape: input.shape, nodes, params, states };
}

/** A functional model's weights in a native graph network, trained one fused step per call (same interface as NativeSeqTrainer). */
export class NativeGraphTrainer {
  private readonly addon: GraphAddon;
  private readonly handle: GraphNetHandle;
  private readonly params: tf.LayerVariable[];
  private readonly states: tf.LayerVariable[];
  /** For each of model.trainableWeights: its index among the native parameters. */
  private readonly gradOrder: number[];
  /** Floats per input sample. */
  readonly sampleSize: number;

  constructor(addon: NativeAddon, net: tf.LayersModel, plan: Extract<GraphPlan, { ok: true }>, opts: NativeTrainingOptions = {}) {
    this.addon = addon as GraphAddon;
    if (typeof this.addon.createGraphNet !== "function") throw new Error("the native addon has no graph trainer (rebuild it: scripts/build-native.sh)");
    const { optimizer = "sgd", weightDecay, seed = 0 } = opts;
    this.handle = this.addon.createGraphNet(plan.inputShape, plan.nodes, { kind: optimizer, weightDecay }, seed);
    this.sampleSize = plan.inputShape[0] * plan.inputShape[1] * plan.inputShape[2];
    this.params = plan.params;
    this.states = plan.states;
    const counts = [this.addon.graphNumArrays(this.handle, "param"), this.addon.graphNumArrays(this.handle, "state")];
    if (counts[0] !== this.params.length || counts[1] !== this.states.length) {
      throw new Error(`native graph has ${counts[0]} parameters and ${counts[1]} states, the model ${this.params.length} and ${this.states.length}`);
    }
    this.gradOrder = net.trainableWeights.map((v) => this.params.indexOf(v));
    this.loadFromModel();
  }

  /** Copies the model's weights and BatchNorm moving statistics into the native network. */
  loadFromModel(): void {
    this.params.forEach((v, i) => this.addon.graphSetArray(this.handle, "param", i, v.read().dataSync() as Float32Array));
    this.states.forEach((v, i) => this.addon.graphSetArray(this.handle, "state", i, v.read().dataSync() as Float32Array));
  }

  /** A new training run on the same native buffers: the model's current weights, a fresh optimiser and dropout seed. */
  restart(opts: NativeTrainingOptions = {}): void {
    const { optimizer = "sgd", weightDecay, seed = 0 } = opts;
    this.addon.graphRestart(this.handle, { kind: optimizer, weightDecay }, seed);
    this.loadFromModel();
  }

  /** One fused step on `batch` samples of x (NHWC floats) from sample `start`, labels likewise; returns the mean loss. momentum: SGD's. */
  step(x: Float32Array, labels: Int32Array, start: number, batch: number, lr: number, momentum: number): number {
    return this.addon.graphTrainStep(this.handle, x, start * this.sampleSize, labels, start, batch, lr, momentum, true);
  }

  /** Logits [batch, classes] in inference mode (BatchNorm on its moving statistics, no dropout). */
  predict(x: Float32Array, start: number, batch: number): Float32Array {
    return this.addon.graphPredict(this.handle, x, start * this.sampleSize, batch);
  }

  /** Gradients of the mean loss for one batch in training mode, without any update (parity tests). Order: model.trainableWeights. */
  gradients(x: Float32Array, labels: Int32Array, batch: number): { loss: number; grads: Float32Array[] } {
    const loss = this.addon.graphTrainStep(this.handle, x, 0, labels, 0, batch, 0, 0, false);
    return { loss, grads: this.gradOrder.map((i) => this.addon.graphGetArray(this.handle, "grad", i)) };
  }

  /** Which kernels each conv uses at this batch size (e.g. "brg:avx512_core"). */
  implInfo(batch: number): string {
    return this.addon.graphImplInfo(this.handle, batch);
  }

  /** Writes the native weights and the BatchNorm moving statistics back into the model's variables. */
  syncToModel(): void {
    const write = (vars: tf.LayerVariable[], which: "param" | "state"): void =>
      vars.forEach((v, i) => {
        const t = tf.tensor(this.addon.graphGetArray(this.handle, which, i), v.shape as number[], "float32");
        v.write(t);
        t.dispose();
      });
    write(this.params, "param");
    write(this.states, "state");
  }
}
