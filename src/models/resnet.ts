/**
 * Residual networks for the article's §3.3 case study ("CIFAR-10 with a ResNet50 CNN"), built with
 * the TF.js layers API as functional `tf.model`s (a residual connection is a `tf.layers.add`).
 *
 * Two configurations:
 * - ResNet-50 (He et al. 2016, ImageNet): 7×7/2 stem + 3×3/2 max-pool, four stages of bottleneck
 *   blocks [3, 4, 6, 3] with widths 64/128/256/512 (×4 expansion), a projection shortcut (1×1
 *   conv + BN) in the first block of each stage, global average pooling, a dense top.
 *   With conv biases (Keras' `keras.applications.ResNet50`, the default here) and 1,000 classes it
 *   has 25,636,712 weights, BN moving statistics included; the stride sits on the 3×3 conv of a
 *   bottleneck ("v1.5", torchvision), which does not change the count.
 * - ResNet-20 for 32×32 images (He et al. 2016, §4.2): a 3×3 conv with 16 filters, three stages of
 *   three basic blocks (two 3×3 convs) with 16/32/64 filters and feature maps 32/16/8, global
 *   average pooling, a dense top. Shortcuts are option A by default (identity; where the shape
 *   changes, subsample by 2 and zero-pad the new channels — no parameters), as in the paper;
 *   option B (1×1 projection + BN where the shape changes) is available.
 *
 * Layer names: `stem_*`, `stage<k>_block<j>_*`, `head_*`, so parameters can be tallied per stage.
 */
import * as tf from "@tensorflow/tfjs";
import { requireOneOf, requirePositiveInteger, requireShape } from "../core/validate";

type Initializer = ReturnType<typeof tf.initializers.heNormal>;
type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** BN settings shared by both networks: PyTorch's eps 1e-5 and momentum 0.1 (tfjs momentum 0.9 = keep 90% of the old average). */
const BN_EPSILON = 1e-5;

/** Hands out a fresh seed per initialiser so every weight is reproducible from one base seed. */
class SeedCounter {
  private next: number;
  constructor(seed: number) {
    this.next = seed;
  }
  he(): Initializer {
    return tf.initializers.heNormal({ seed: this.next++ });
  }
  glorot(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.next++ });
  }
}

function checkShape(fn: string, inputShape: readonly number[], minSide: number): void {
  requireShape(fn, "inputShape", inputShape, ["height", "width", "channels"]);
  if (inputShape[0] < minSide || inputShape[1] < minSide) {
    throw new Error(`${fn}: inputShape [${inputShape.join(", ")}] is too small; need at least ${minSide}×${minSide}`);
  }
}

function checkClasses(fn: string, numClasses: number): void {
  requirePositiveInteger(fn, "numClasses", numClasses);
}

interface ConvBnArgs {
  name: string;
  filters: number;
  kernelSize: number;
  strides: number;
  useBias: boolean;
  relu: boolean;
  seeds: SeedCounter;
  bnMomentum: number;
}

/**
 * conv → BN (→ ReLU). A strided conv with k > 1 pads explicitly by ⌊k/2⌋ on every side and runs
 * 'valid' (PyTorch's alignment; TF's 'same' would pad 0 before and 1 after).
 */
function convBn(x: tf.SymbolicTensor, a: ConvBnArgs): tf.SymbolicTensor {
  let h = x;
  let padding: "same" | "valid" = "same";
  if (a.strides > 1 && a.kernelSize > 1) {
    const p = Math.floor(a.kernelSize / 2);
    h = tf.layers.zeroPadding2d({ padding: p, name: `${a.name}_pad` }).apply(h) as tf.SymbolicTensor;
    padding = "valid";
  }
  h = tf.layers
    .conv2d({
      filters: a.filters,
      kernelSize: a.kernelSize,
      strides: a.strides,
      padding,
      useBias: a.useBias,
      kernelInitializer: a.seeds.he(),
      biasInitializer: "zeros",
      name: `${a.name}_conv`,
    })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ axis: -1, epsilon: BN_EPSILON, momentum: a.bnMomentum, name: `${a.name}_bn` }).apply(h) as tf.SymbolicTensor;
  if (a.relu) h = tf.layers.activation({ activation: "relu", name: `${a.name}_relu` }).apply(h) as tf.SymbolicTensor;
  return h;
}

function addRelu(a: tf.SymbolicTensor, b: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  const sum = tf.layers.add({ name: `${name}_add` }).apply([a, b]) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: "relu", name: `${name}_out` }).apply(sum) as tf.SymbolicTensor;
}

function head(x: tf.SymbolicTensor, numClasses: number, includeTop: boolean, seeds: SeedCounter): tf.SymbolicTensor {
  const pooled = tf.layers.globalAveragePooling2d({ name: "head_pool" }).apply(x) as tf.SymbolicTensor; // [batch, C]
  if (!includeTop) return pooled;
  // [batch, C] → [batch, numClasses] logits (no softmax: the loss applies it)
  return tf.layers.dense({ units: numClasses, kernelInitializer: seeds.glorot(), name: "head_dense" }).apply(pooled) as tf.SymbolicTensor;
}

/** Options for {@link buildResNet50}. */
export interface ResNet50Options {
  /** Input image shape, channels last; default [224, 224, 3] (ImageNet). At least 32×32. */
  inputShape?: [number, number, number];
  /** Output logits of the dense top; default 1000 (ImageNet). */
  numClasses?: number;
  /** With the dense top (default true); without it the output is the pooled 2048-feature vector. */
  includeTop?: boolean;
  /** Conv layers carry a bias, as in Keras' ResNet50 (default true; torchvision has none). */
  useBias?: boolean;
  /** Base seed: each initialiser takes the next integer. Default 0. */
  seed?: number;
  /** BN moving-average momentum in tfjs' convention (default 0.9 ≡ PyTorch's 0.1). */
  bnMomentum?: number;
}

/** Stage layout of ResNet-50: blocks per stage and bottleneck width (output = 4 × width) (article §3.3). */
export const RESNET50_STAGES: readonly { blocks: number; width: number }[] = Object.freeze([
  { blocks: 3, width: 64 },
  { blocks: 4, width: 128 },
  { blocks: 6, width: 256 },
  { blocks: 3, width: 512 },
]);

/** Expansion of a bottleneck block: it outputs 4× its width (article §3.3). */
export const BOTTLENECK_EXPANSION = 4;

/** Weights of Keras' ResNet50 with its 1000-class top at 224×224×3, BN moving statistics included (article §3.3). */
export const RESNET50_KERAS_PARAMS = 25_636_712;

/** Trainable parameters of torchvision's resnet50 (no conv biases; BN running statistics are buffers) (article §3.3). */
export const RESNET50_TORCHVISION_PARAMS = 25_557_032;

/** The ImageNet ResNet-50: stem, bottleneck stages [3, 4, 6, 3] × widths 64..512, GAP, dense top (article §3.3). */
export function buildResNet50(options: ResNet50Options = {}): tf.LayersModel {
  const { inputShape = [224, 224, 3], numClasses = 1000, includeTop = true, useBias = true, seed = 0, bnMomentum = 0.9 } = options;
  checkShape("buildResNet50", inputShape, 32);
  checkClasses("buildResNet50", numClasses);
  const seeds = new SeedCounter(seed);
  const cb = { useBias, seeds, bnMomentum };

  const input = tf.input({ shape: inputShape, name: "input" }); // [batch, 224, 224, 3]
  // Stem: 7×7/2 conv → BN → ReLU ([batch, 112, 112, 64]), 3×3/2 max-pool ([batch, 56, 56, 64]).
  let x = convBn(input, { ...cb, name: "stem", filters: 64, kernelSize: 7, strides: 2, relu: true });
  x = tf.layers.zeroPadding2d({ padding: 1, name: "stem_pool_pad" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "valid", name: "stem_pool" }).apply(x) as tf.SymbolicTensor;

  let channels = 64;
  RESNET50_STAGES.forEach(({ blocks, width }, s) => {
    const out = width * BOTTLENECK_EXPANSION;
    for (let b = 0; b < blocks; b++) {
      const name = `stage${s + 1}_block${b + 1}`;
      const strides = b === 0 && s > 0 ? 2 : 1; // stages 2–4 halve the feature map in their first block
      // Bottleneck: 1×1 reduce → 3×3 (stride here) → 1×1 expand to 4·width, BN after each.
      let h = convBn(x, { ...cb, name: `${name}_1`, filters: width, kernelSize: 1, strides: 1, relu: true });
      h = convBn(h, { ...cb, name: `${name}_2`, filters: width, kernelSize: 3, strides, relu: true });
      h = convBn(h, { ...cb, name: `${name}_3`, filters: out, kernelSize: 1, strides: 1, relu: false });
      // Projection shortcut (1×1 conv + BN) where the shape changes, identity otherwise.
      const shortcut = strides !== 1 || channels !== out ? convBn(x, { ...cb, name: `${name}_proj`, filters: out, kernelSize: 1, strides, relu: false }) : x;
      x = addRelu(h, shortcut, name);
      channels = out;
    }
  });
  const output = head(x, numClasses, includeTop, seeds);
  return tf.model({ inputs: input, outputs: output, name: includeTop ? "resnet50" : "resnet50_notop" });
}

/** Constructor arguments of {@link ShortcutA}. */
export interface ShortcutAArgs extends LayerArgs {
  /** Channels of the block output; the extra channels (out − in) are zeros. */
  outChannels: number;
  /** Spatial subsampling factor (1 or 2): keeps pixels (0, 0), (0, s), … like x[:, ::s, ::s]. */
  stride: number;
}

/**
 * He et al.'s option-A shortcut: identity, subsampled by `stride` and zero-padded from C to
 * `outChannels` channels (no parameters). [batch, H, W, C] → [batch, H/s, W/s, outChannels] (article §3.3).
 */
export class ShortcutA extends tf.layers.Layer {
  static readonly className = "ResNetShortcutA";
  readonly outChannels: number;
  readonly stride: number;

  constructor(args: ShortcutAArgs) {
    super(args);
    requirePositiveInteger("ShortcutA", "outChannels", args.outChannels);
    requireOneOf("ShortcutA", "stride", args.stride, [1, 2] as const);
    this.outChannels = args.outChannels;
    this.stride = args.stride;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const sub = (d: number | null): number | null => (d == null ? null : Math.ceil(d / this.stride));
    return [s[0], sub(s[1]), sub(s[2]), this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D; // [batch, H, W, C]
      const [n, h, w, c] = x.shape;
      if (c > this.outChannels) throw new Error(`ShortcutA: input has ${c} channels, more than outChannels ${this.outChannels}`);
      let y: tf.Tensor4D = x;
      if (this.stride === 2) {
        // x[:, ::2, ::2, :] with gradient-friendly ops: pad to even, reshape, slice phase 0.
        const he = h + (h % 2);
        const we = w + (w % 2);
        const even =
          he === h && we === w
            ? x
            : tf.pad(x, [
                [0, 0],
                [0, he - h],
                [0, we - w],
                [0, 0],
              ]);
        const r = tf.reshape(even, [n, he / 2, 2, we / 2, 2, c]); // [batch, H/2, 2, W/2, 2, C]
        y = tf.reshape(tf.slice(r, [0, 0, 0, 0, 0, 0], [n, he / 2, 1, we / 2, 1, c]), [n, he / 2, we / 2, c]);
      }
      // Zero-pad the new channels, split evenly before and after as in the reference code.
      const extra = this.outChannels - c;
      const before = Math.floor(extra / 2);
      return extra > 0
        ? tf.pad(y, [
            [0, 0],
            [0, 0],
            [0, 0],
            [before, extra - before],
          ])
        : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outChannels: this.outChannels, stride: this.stride };
  }
}
tf.serialization.registerClass(ShortcutA);

/** Options for {@link buildCifarResNet}. */
export interface CifarResNetOptions {
  /** 6n + 2: 20, 32, 44, 56, 110 (n = 3, 5, 7, 9, 18 basic blocks per stage). */
  depth: number;
  /** Output logits; 10 for CIFAR-10. */
  numClasses: number;
  /** Input image shape, channels last: [32, 32, 3] for CIFAR-10, [32, 32, 1] for padded Fashion-MNIST. */
  inputShape: [number, number, number];
  /** Base seed: each initialiser takes the next integer. */
  seed: number;
  /** 'A' (default, the paper's choice for CIFAR): parameter-free identity/zero-pad; 'B': 1×1 projection + BN where the shape changes. */
  shortcut?: "A" | "B";
  /** BN moving-average momentum in tfjs' convention (default 0.9 ≡ PyTorch's 0.1). */
  bnMomentum?: number;
}

/** Filters of the three stages of the CIFAR ResNets (He et al. 2016, §4.2) (article §3.3). */
export const CIFAR_RESNET_WIDTHS: readonly number[] = Object.freeze([16, 32, 64]);

/** He et al.'s CIFAR ResNet (6n+2 layers; ResNet-20 for depth 20): 3×3 stem, 3 stages × n basic blocks, GAP, dense (article §3.3). */
export function buildCifarResNet(options: CifarResNetOptions): tf.LayersModel {
  const { depth, numClasses, inputShape, seed, shortcut = "A", bnMomentum = 0.9 } = options;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    throw new Error(`buildCifarResNet: depth must be 6n + 2 with n ≥ 1 (20, 32, 44, 56, 110); got ${depth}`);
  }
  requireOneOf("buildCifarResNet", "shortcut", shortcut, ["A", "B"] as const);
  checkShape("buildCifarResNet", inputShape, 8);
  checkClasses("buildCifarResNet", numClasses);
  const n = (depth - 2) / 6;
  const seeds = new SeedCounter(seed);
  const cb = { useBias: false, seeds, bnMomentum };

  const input = tf.input({ shape: inputShape, name: "input" }); // [batch, 32, 32, C]
  let x = convBn(input, { ...cb, name: "stem", filters: CIFAR_RESNET_WIDTHS[0], kernelSize: 3, strides: 1, relu: true }); // [batch, 32, 32, 16]
  let channels = CIFAR_RESNET_WIDTHS[0];
  CIFAR_RESNET_WIDTHS.forEach((width, s) => {
    for (let b = 0; b < n; b++) {
      const name = `stage${s + 1}_block${b + 1}`;
      const strides = b === 0 && s > 0 ? 2 : 1; // 32×32 → 16×16 → 8×8
      // Basic block: 3×3 conv (stride) → BN → ReLU → 3×3 conv → BN, plus the shortcut, then ReLU.
      let h = convBn(x, { ...cb, name: `${name}_1`, filters: width, kernelSize: 3, strides, relu: true });
      h = convBn(h, { ...cb, name: `${name}_2`, filters: width, kernelSize: 3, strides: 1, relu: false });
      let sc = x;
      if (strides !== 1 || channels !== width) {
        sc =
          shortcut === "A"
            ? (new ShortcutA({ outChannels: width, stride: strides, name: `${name}_shortcutA` }).apply(x) as tf.SymbolicTensor)
            : convBn(x, { ...cb, name: `${name}_proj`, filters: width, kernelSize: 1, strides, relu: false });
      }
      x = addRelu(h, sc, name);
      channels = width;
    }
  });
  const output = head(x, numClasses, true, seeds); // [batch, numClasses]
  return tf.model({ inputs: input, outputs: output, name: `resnet${depth}_${shortcut}` });
}

/** Parameters of one stage of a network built here, for a per-stage table (article §3.3). */
export interface StageParameters {
  /** "stem", "stage1".., "head". */
  stage: string;
  /** Residual blocks in the stage (0 for stem and head). */
  blocks: number;
  /** Output shape of the stage's last layer, batch as null. */
  outputShape: (number | null)[];
  /** All weights, BN moving statistics included (as countParameters counts). */
  params: number;
  /** Trainable weights only (what PyTorch's parameters() counts). */
  trainable: number;
}

function size(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((p, d) => p * (d ?? 1), 1);
}

/** Per-stage parameter tally of a network from {@link buildResNet50} or {@link buildCifarResNet}, in order (article §3.3). */
export function stageParameters(net: tf.LayersModel): StageParameters[] {
  const rows: StageParameters[] = [];
  const blocks = new Map<string, Set<string>>();
  for (const layer of net.layers) {
    if (layer.getClassName() === "InputLayer") continue;
    const m = /^(stem|head|stage\d+)(?:_(block\d+))?/.exec(layer.name);
    if (!m) throw new Error(`stageParameters: layer "${layer.name}" is not named stem_*, stage<k>_*, or head_*; was the model built by src/resnet.ts?`);
    const stage = m[1];
    let row = rows.find((r) => r.stage === stage);
    if (!row) {
      row = { stage, blocks: 0, outputShape: [], params: 0, trainable: 0 };
      rows.push(row);
      blocks.set(stage, new Set());
    }
    if (m[2]) blocks.get(stage)?.add(m[2]);
    row.params += layer.weights.reduce((s, w) => s + size(w.shape), 0);
    row.trainable += layer.trainableWeights.reduce((s, w) => s + size(w.shape), 0);
    const shape = layer.outputShape;
    row.outputShape = [...((Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[])];
  }
  for (const r of rows) r.blocks = blocks.get(r.stage)?.size ?? 0;
  return rows;
}

/** Trainable parameters only (PyTorch's `sum(p.numel() for p in model.parameters())`) (article §3.3). */
export function countTrainableParameters(net: tf.LayersModel): number {
  return net.trainableWeights.reduce((s, w) => s + size(w.shape), 0);
}
