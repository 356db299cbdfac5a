/**
 * The network of the PyTorch "Training a classifier" tutorial (article §5.2), as a tfjs LayersModel.
 *
 *   input [batch, 32, 32, C]
 *   conv1 6@5×5 valid + ReLU    → [batch, 28, 28, 6]
 *   pool  2×2 max               → [batch, 14, 14, 6]
 *   conv2 16@5×5 valid + ReLU   → [batch, 10, 10, 16]
 *   pool  2×2 max               → [batch, 5, 5, 16]
 *   flatten                     → [batch, 400]
 *   fc1 120 + ReLU              → [batch, 120]
 *   fc2 84 + ReLU               → [batch, 84]
 *   fc3 10 (logits, no softmax) → [batch, 10]
 *
 * Layout note: tfjs is channels-last, so flatten orders features (h, w, c) where PyTorch's
 * `torch.flatten` on NCHW orders them (c, h, w). Trained from scratch this is immaterial; it
 * only matters when copying PyTorch weights into fc1.
 */
import * as tf from "@tensorflow/tfjs";
import { requirePositiveInteger, requireShape } from "../core/validate";

/** Options for {@link buildLeNet}. */
export interface LeNetOptions {
  /** Input image shape, channels last: [32, 32, 3] for CIFAR-10, [32, 32, 1] for greyscale. */
  inputShape: [number, number, number];
  /** Number of output logits (10 in the tutorial). */
  numClasses?: number;
  /** Base seed: the i-th parameterised layer's kernel uses seed + 2i, its bias seed + 2i + 1. */
  seed: number;
}

/** PyTorch's default init bound for conv/linear layers: U(−1/√fan_in, +1/√fan_in) for weight and bias. */
export function pytorchInitBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}

/** A seeded initializer drawing from U(±1/√fan_in): PyTorch's default for a conv or linear layer's weight and bias. */
export function pytorchUniformInit(fanIn: number, seed: number): ReturnType<typeof tf.initializers.randomUniform> {
  const bound = pytorchInitBound(fanIn);
  return tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed });
}

/** The tutorial's CNN (conv 6@5×5, pool, conv 16@5×5, pool, 120, 84, 10 logits) with PyTorch-style init (article §5.2). */
export function buildLeNet(options: LeNetOptions): tf.LayersModel {
  const { inputShape, numClasses = 10, seed } = options;
  const [h, w, c] = inputShape;
  requireShape("buildLeNet", "inputShape", inputShape, ["height", "width", "channels"]);
  // Spatial size after conv5 (valid) → pool2 → conv5 → pool2.
  const h2 = Math.floor((Math.floor((h - 4) / 2) - 4) / 2);
  const w2 = Math.floor((Math.floor((w - 4) / 2) - 4) / 2);
  if (h2 < 1 || w2 < 1) {
    throw new Error(`buildLeNet: inputShape [${inputShape.join(", ")}] is too small; need at least 16×16`);
  }
  const flatFeatures = h2 * w2 * 16; // 400 for 32×32 inputs

  const net = tf.sequential();
  // [batch, 32, 32, C] → [batch, 28, 28, 6]
  net.add(
    tf.layers.conv2d({
      inputShape,
      filters: 6,
      kernelSize: 5,
      padding: "valid",
      activation: "relu",
      kernelInitializer: pytorchUniformInit(5 * 5 * c, seed),
      biasInitializer: pytorchUniformInit(5 * 5 * c, seed + 1),
    }),
  );
  // [batch, 28, 28, 6] → [batch, 14, 14, 6]
  net.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  // [batch, 14, 14, 6] → [batch, 10, 10, 16]
  net.add(
    tf.layers.conv2d({
      filters: 16,
      kernelSize: 5,
      padding: "valid",
      activation: "relu",
      kernelInitializer: pytorchUniformInit(5 * 5 * 6, seed + 2),
      biasInitializer: pytorchUniformInit(5 * 5 * 6, seed + 3),
    }),
  );
  // [batch, 10, 10, 16] → [batch, 5, 5, 16]
  net.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  // [batch, 5, 5, 16] → [batch, 400]
  net.add(tf.layers.flatten());
  // [batch, 400] → [batch, 120]
  net.add(
    tf.layers.dense({
      units: 120,
      activation: "relu",
      kernelInitializer: pytorchUniformInit(flatFeatures, seed + 4),
      biasInitializer: pytorchUniformInit(flatFeatures, seed + 5),
    }),
  );
  // [batch, 120] → [batch, 84]
  net.add(
    tf.layers.dense({
      units: 84,
      activation: "relu",
      kernelInitializer: pytorchUniformInit(120, seed + 6),
      biasInitializer: pytorchUniformInit(120, seed + 7),
    }),
  );
  // [batch, 84] → [batch, numClasses] (logits; the loss applies softmax)
  net.add(
    tf.layers.dense({
      units: numClasses,
      kernelInitializer: pytorchUniformInit(84, seed + 8),
      biasInitializer: pytorchUniformInit(84, seed + 9),
    }),
  );
  return net;
}

/** Total number of parameters (trainable and not) in `model`: 62,006 for the tutorial's net (article §5.2). */
export function countParameters(model: tf.LayersModel): number {
  let total = 0;
  for (const weight of model.weights) {
    total += weight.shape.reduce<number>((p, d) => p * (d ?? 1), 1);
  }
  return total;
}

/** One row of a model summary, as plain data for a display helper to render. */
export interface ModelSummaryRow {
  /** Layer name, e.g. "conv2d_Conv2D1". */
  layer: string;
  /** Layer class, e.g. "Conv2D". */
  type: string;
  /** Output shape with the batch dimension as null, e.g. [null, 28, 28, 6]. */
  outputShape: (number | null)[];
  /** Number of parameters in the layer. */
  params: number;
}

/** Per-layer rows {layer, type, outputShape, params} of `model`, for display (returns data, prints nothing). */
export function modelSummaryRows(model: tf.LayersModel): ModelSummaryRow[] {
  return model.layers.map((layer) => {
    const shape = layer.outputShape;
    // A layer with several outputs reports Shape[]; the layers here have one.
    const outputShape = (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
    return { layer: layer.name, type: layer.getClassName(), outputShape: [...outputShape], params: layer.countParams() };
  });
}

/**
 * How {@link buildMlp} draws its initial weights:
 * - `"pytorch-uniform"` (default): PyTorch's nn.Linear, kernel and bias from U(±1/√fan_in);
 *   layer i's kernel uses seed + 2i, its bias seed + 2i + 1.
 * - `"he-normal"`: Keras-style, He-normal kernels for the ReLU layers (He et al. 2015) and
 *   Glorot-uniform for the linear output layer, zero biases; layer i's kernel uses seed + i.
 * - `"glorot-uniform"`: Keras's default, Glorot-uniform kernels, zero biases; layer i's kernel uses seed + i.
 */
export type MlpInit = "pytorch-uniform" | "he-normal" | "glorot-uniform";

/** Options for {@link buildMlp}. */
export interface MlpOptions {
  /** Number of input features. */
  inputSize: number;
  /** Shape of one input when it is not a flat vector, e.g. [28, 28, 1]: a Flatten layer comes first, and its product must equal inputSize. */
  inputShape?: readonly number[];
  /** Units of each hidden ReLU layer, e.g. [32]; [] gives logistic (softmax) regression. */
  hidden: readonly number[];
  /** Number of output logits. */
  numClasses: number;
  /** Base seed of the initializers (how each layer derives its seed: see {@link MlpInit}). */
  seed: number;
  /** Initial weights (default "pytorch-uniform"). */
  init?: MlpInit;
}

/** Kernel and bias initializers of dense layer `i` (of fan-in `fanIn`) under `init`. */
function mlpInitializers(
  init: MlpInit,
  fanIn: number,
  seed: number,
  i: number,
  isOutput: boolean,
): { kernelInitializer: ReturnType<typeof tf.initializers.zeros>; biasInitializer: ReturnType<typeof tf.initializers.zeros> } {
  if (init === "pytorch-uniform") {
    return { kernelInitializer: pytorchUniformInit(fanIn, seed + 2 * i), biasInitializer: pytorchUniformInit(fanIn, seed + 2 * i + 1) };
  }
  const kernelInitializer =
    init === "he-normal" && !isOutput ? tf.initializers.heNormal({ seed: seed + i }) : tf.initializers.glorotUniform({ seed: seed + i });
  return { kernelInitializer, biasInitializer: tf.initializers.zeros() };
}

/** A multilayer perceptron for tables (article §4.1.1): dense ReLU layers, logits out, PyTorch-style init by default. */
export function buildMlp(options: MlpOptions): tf.LayersModel {
  const { inputSize, inputShape, hidden, numClasses, seed, init = "pytorch-uniform" } = options;
  for (const [name, v] of [["inputSize", inputSize], ["numClasses", numClasses], ...hidden.map((h, i) => [`hidden[${i}]`, h] as const)] as const) {
    requirePositiveInteger("buildMlp", name, v);
  }
  if (!["pytorch-uniform", "he-normal", "glorot-uniform"].includes(init)) {
    throw new Error(`buildMlp: init is "${init}"; expected "pytorch-uniform", "he-normal" or "glorot-uniform"`);
  }
  const net = tf.sequential();
  if (inputShape !== undefined) {
    const size = inputShape.reduce((p, d) => p * d, 1);
    if (size !== inputSize) throw new Error(`buildMlp: inputShape [${inputShape.join(", ")}] has ${size} values; expected inputSize ${inputSize}`);
    // [batch, ...inputShape] → [batch, inputSize]
    net.add(tf.layers.flatten({ inputShape: [...inputShape] }));
  }
  let fanIn = inputSize;
  [...hidden, numClasses].forEach((units, i) => {
    const last = i === hidden.length;
    // [batch, fanIn] → [batch, units]
    net.add(
      tf.layers.dense({
        ...(i === 0 && inputShape === undefined ? { inputShape: [inputSize] } : {}),
        units,
        activation: last ? "linear" : "relu",
        ...mlpInitializers(init, fanIn, seed, i, last),
      }),
    );
    fanIn = units;
  });
  return net;
}
