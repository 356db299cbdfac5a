/**
 * Transfer learning (article §2.1: "transfer learning to adapt quickly to new tasks"; §6 image
 * recognition): reuse a trained network's feature layers under a new classification head, frozen
 * or fine-tuned, and draw the few labelled examples a new task has.
 *
 * The new network owns a deep copy of the pretrained layers (saved and reloaded in memory), so
 * training it never changes the pretrained model, and several transfer models can be built from
 * one pretrained network.
 */
import * as tf from "@tensorflow/tfjs";
import { pytorchUniformInit } from "../../models/model";
import { mulberry32, shuffleInPlace } from "../../core/random";
import type { LabelledSet } from "../../training/train";
import { requireIntegerAtLeast, requireIntegerInRange, requirePositiveInteger } from "../../core/validate";

/** A tfjs layer (the type of `model.layers[i]`). */
export type Layer = tf.layers.Layer;

/**
 * Indices of `perClass` seeded random examples of each class in `classes` (default: every label
 * that occurs), sorted ascending; stratified, deterministic, and nested: with the same seed, the
 * picks for a smaller `perClass` are a subset of those for a larger one (article §2.1).
 */
export function sampleFewShot(labels: ArrayLike<number>, perClass: number, seed: number, classes?: readonly number[]): number[] {
  requirePositiveInteger("sampleFewShot", "perClass", perClass);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const wanted = classes ? [...classes] : [...byClass.keys()].sort((a, b) => a - b);
  if (wanted.length === 0) throw new Error("sampleFewShot: no classes to sample (labels is empty and no classes were given)");
  if (new Set(wanted).size !== wanted.length) throw new Error(`sampleFewShot: classes [${wanted.join(", ")}] has duplicates`);
  // One generator for all classes, consumed in the order of `wanted`: each class's permutation
  // depends on the seed and the class lists only, never on perClass, which makes the picks nested.
  const rng = mulberry32(seed);
  const picked: number[] = [];
  for (const c of wanted) {
    const idx = byClass.get(c) ?? [];
    if (idx.length < perClass) {
      throw new Error(`sampleFewShot: class ${c} has ${idx.length} examples; expected at least perClass = ${perClass}`);
    }
    picked.push(...shuffleInPlace([...idx], rng).slice(0, perClass));
  }
  return picked.sort((a, b) => a - b);
}

/** Indices of the examples whose label is one of `classes`, ascending (article §2.1). */
export function indicesOfClasses(labels: ArrayLike<number>, classes: readonly number[]): number[] {
  const keep = new Set(classes);
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (keep.has(labels[i])) out.push(i);
  return out;
}

/**
 * Labels renumbered by their position in `classes` (classes[k] → k), e.g. Fashion-MNIST's
 * 5–9 → 0–4 for a five-class head; throws on a label not in `classes` (article §2.1).
 */
export function remapLabels(labels: ArrayLike<number>, classes: readonly number[]): Int32Array {
  const to = new Map<number, number>();
  classes.forEach((c, k) => {
    if (to.has(c)) throw new Error(`remapLabels: classes [${classes.join(", ")}] lists ${c} twice`);
    to.set(c, k);
  });
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = to.get(labels[i]);
    if (k === undefined) throw new Error(`remapLabels: label ${labels[i]} at index ${i} is not in classes [${classes.join(", ")}]`);
    out[i] = k;
  }
  return out;
}

/**
 * The examples at `indices` as a training or test set for a head over `classes`: X rows gathered
 * ([k, ...X.shape.slice(1)]) and labels renumbered by remapLabels (article §2.1). The caller
 * disposes the returned tensors.
 */
export function gatherExamples(X: tf.Tensor, labels: ArrayLike<number>, indices: readonly number[], classes: readonly number[]): LabelledSet {
  if (labels.length !== X.shape[0]) throw new Error(`gatherExamples: X has ${X.shape[0]} examples but labels has ${labels.length}; expected equal counts`);
  for (const i of indices) {
    requireIntegerInRange("gatherExamples", "index", i, 0, labels.length - 1);
  }
  const y = remapLabels(
    indices.map((i) => labels[i]),
    classes,
  ); // throws on a label outside `classes`
  return tf.tidy(() => ({ X: tf.gather(X, tf.tensor1d(Array.from(indices), "int32")), y: tf.tensor1d(y, "int32") }));
}

/** A deep copy of `net` (architecture and weight values, own variables), via an in-memory save and load (article §2.1). */
export async function cloneModel(net: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await net.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (saved === null) throw new Error("cloneModel: saving the model produced no artifacts");
  return tf.loadLayersModel(tf.io.fromMemory(saved));
}

/** Options for {@link transferModel}. */
export interface TransferOptions {
  /**
   * The last pretrained layer kept as a feature extractor: an index into `pretrained.layers` or a
   * layer name. For the §5 LeNet, 4 (flatten, 400 convolutional features) keeps the convolutional
   * part and 6 (fc2, 84 features) everything but the output layer; a cut whose output is not flat
   * (e.g. 3, a pooling layer) gets a flatten layer in the head.
   */
  featureLayer: number | string;
  /** Outputs (logits) of the new head. */
  numClasses: number;
  /** Widths of hidden ReLU layers in the new head; default none (one dense layer of logits). */
  hidden?: readonly number[];
  /** Seed of the new head's initial weights (PyTorch-style uniform ±1/√fan-in, as src/model.ts). */
  seed: number;
  /** Freeze the copied feature layers (default true); {@link setTrainable} changes it later. */
  freeze?: boolean;
}

/** A network made of copied pretrained feature layers and a new head. */
export interface TransferNet {
  /** Input → copied feature layers → new head → [batch, numClasses] logits. */
  net: tf.LayersModel;
  /** The copied pretrained layers that carry weights (freeze or unfreeze these). */
  features: Layer[];
  /** The new, freshly initialised dense layers. */
  head: Layer[];
}

/**
 * Copies `pretrained` up to `featureLayer` and puts a new dense head with `numClasses` logits on
 * top; the copied layers start frozen unless `freeze` is false (article §2.1, transfer learning).
 */
export async function transferModel(pretrained: tf.LayersModel, opts: TransferOptions): Promise<TransferNet> {
  const { numClasses, hidden = [], seed, freeze = true } = opts;
  requireIntegerAtLeast("transferModel", "numClasses", numClasses, 2);
  hidden.forEach((h, i) => requirePositiveInteger("transferModel", `hidden[${i}]`, h));
  const names = pretrained.layers.map((l) => l.name);
  const cut = typeof opts.featureLayer === "number" ? opts.featureLayer : names.indexOf(opts.featureLayer);
  if (!Number.isInteger(cut) || cut < 0 || cut >= names.length - 1) {
    throw new Error(
      `transferModel: featureLayer ${JSON.stringify(opts.featureLayer)} is not a layer before the output; expected an index in 0..${names.length - 2} or one of ${names.slice(0, -1).join(", ")}`,
    );
  }
  const copy = await cloneModel(pretrained);
  // A loaded sequential model lists its layers like the original; a functional one adds its
  // InputLayer first, so find the cut by name.
  const cutLayer = copy.getLayer(names[cut]);
  const featureOut = cutLayer.output;
  if (Array.isArray(featureOut)) throw new Error(`transferModel: layer ${cutLayer.name} has several outputs; expected one`);
  const flatShape = featureOut.shape.slice(1);
  let x: tf.SymbolicTensor = featureOut;
  if (flatShape.length !== 1) x = tf.layers.flatten().apply(x) as tf.SymbolicTensor; // [batch, h·w·c]
  const head: Layer[] = [];
  const widths = [...hidden, numClasses];
  widths.forEach((units, i) => {
    const fanIn = x.shape[x.shape.length - 1];
    if (fanIn == null) throw new Error(`transferModel: the feature size after ${cutLayer.name} is unknown`);
    const layer = tf.layers.dense({
      units,
      activation: i < widths.length - 1 ? "relu" : "linear",
      kernelInitializer: pytorchUniformInit(fanIn, seed + 2 * i),
      biasInitializer: pytorchUniformInit(fanIn, seed + 2 * i + 1),
    });
    x = layer.apply(x) as tf.SymbolicTensor; // [batch, units]
    head.push(layer);
  });
  const net = tf.model({ inputs: copy.inputs, outputs: x });
  const keep = new Set(names.slice(0, cut + 1));
  // The copy's layers above the cut (the old head) are not part of `net`: free their weights.
  for (const l of copy.layers) if (!keep.has(l.name) && l.weights.length > 0) l.dispose();
  const features = copy.layers.filter((l) => keep.has(l.name) && l.weights.length > 0);
  setTrainable(features, !freeze);
  return { net, features, head };
}

/** Freezes (false) or unfreezes (true) layers; trainClassifier then trains only `net.trainableWeights` (article §2.1). */
export function setTrainable(layers: readonly Layer[], trainable: boolean): void {
  for (const l of layers) l.trainable = trainable;
}
