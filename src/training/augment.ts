/**
 * Data augmentation for the article's §3.3 case study ("scaling, cropping, flipping"): the
 * standard CIFAR recipe of He et al. 2016 — pad 4 pixels, take a random 32×32 crop, flip
 * horizontally with probability 1/2 — on NHWC batches, seeded so every epoch is reproducible.
 *
 * The random draws (plain numbers, from `mulberry32`) are separate from the tensor work, so a test
 * can check both: that the draws cover every outcome, and that the tensors do what the draws say.
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32, randomInt, type Rng } from "../core/random";
import { requireInRange, requireNonNegativeInteger, requireOneOf } from "../core/validate";

/** How the border is filled before cropping: a constant (`value`, default 0) or a mirror image without repeating the edge (numpy/torch 'reflect'). */
export type PadMode = "constant" | "reflect";

/** Options for {@link randomCrop}. */
export interface CropOptions {
  /** Pixels added on every side before cropping back to the original size; default 4 (He et al.). 0 = identity. */
  padding?: number;
  /** Border fill; default 'constant'. */
  mode?: PadMode;
  /** Fill value for mode 'constant', in the tensor's units; default 0. For data normalised to [−1, 1] pass −1 to pad with black pixels, as torchvision's RandomCrop does before Normalize. */
  value?: number;
  seed: number;
}

/** Options for {@link randomFlip}. */
export interface FlipOptions {
  /** Probability that an image is mirrored; default 0.5. */
  probability?: number;
  seed: number;
}

/** Options for {@link augmentImages}: a random crop, then a random horizontal flip. */
export interface AugmentOptions extends Omit<CropOptions, "seed"> {
  /** Flip probability; 0 disables flipping. Default 0.5. */
  flipProbability?: number;
  seed: number;
}

/** One image's draws: the crop's top-left corner in the padded image and whether it is mirrored. */
export interface AugmentDraws {
  /** [n] row offsets of the crops, each in 0..2·padding. */
  dy: Int32Array;
  /** [n] column offsets of the crops, each in 0..2·padding. */
  dx: Int32Array;
  /** [n] 1 = mirrored, 0 = unchanged. */
  flip: Uint8Array;
}

function checkBatch(fn: string, x: tf.Tensor): asserts x is tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`${fn}: expected an NHWC batch [n, height, width, channels]; got shape [${x.shape.join(", ")}]`);
}

function drawOffsets(rng: Rng, n: number, padding: number): { dy: Int32Array; dx: Int32Array } {
  const dy = new Int32Array(n);
  const dx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    dy[i] = randomInt(rng, 2 * padding + 1);
    dx[i] = randomInt(rng, 2 * padding + 1);
  }
  return { dy, dx };
}

function drawFlipFlags(rng: Rng, n: number, probability: number): Uint8Array {
  const flip = new Uint8Array(n);
  for (let i = 0; i < n; i++) flip[i] = rng() < probability ? 1 : 0;
  return flip;
}

/** The crop offsets {@link randomCrop} uses for n images: uniform in 0..2·padding, from mulberry32(seed) (article §3.3). */
export function drawCropOffsets(n: number, padding: number, seed: number): { dy: Int32Array; dx: Int32Array } {
  requireNonNegativeInteger("drawCropOffsets", "padding", padding);
  return drawOffsets(mulberry32(seed), n, padding);
}

/** The flip flags {@link randomFlip} uses for n images: 1 with the given probability, from mulberry32(seed) (article §3.3). */
export function drawFlips(n: number, seed: number, probability = 0.5): Uint8Array {
  requireInRange("drawFlips", "probability", probability, 0, 1);
  return drawFlipFlags(mulberry32(seed), n, probability);
}

/** The draws {@link augmentImages} uses: crop offsets, then flip flags, from one mulberry32(seed) stream (article §3.3). */
export function drawAugmentation(n: number, opts: { padding?: number; flipProbability?: number; seed: number }): AugmentDraws {
  const padding = opts.padding ?? 4;
  const probability = opts.flipProbability ?? 0.5;
  requireNonNegativeInteger("drawAugmentation", "padding", padding);
  requireInRange("drawAugmentation", "probability", probability, 0, 1);
  const rng = mulberry32(opts.seed);
  const { dy, dx } = drawOffsets(rng, n, padding);
  return { dy, dx, flip: drawFlipFlags(rng, n, probability) };
}

/**
 * Pads x ([n, H, W, C]) by `padding` and crops image i at (dy[i], dx[i]) back to H×W. Images are
 * grouped by offset, so the work is one slice per distinct offset (at most (2p+1)²), not per image (article §3.3).
 */
export function cropAt(x: tf.Tensor4D, dy: Int32Array, dx: Int32Array, opts: { padding?: number; mode?: PadMode; value?: number } = {}): tf.Tensor4D {
  checkBatch("cropAt", x);
  const padding = opts.padding ?? 4;
  const mode = opts.mode ?? "constant";
  requireNonNegativeInteger("cropAt", "padding", padding);
  const [n, h, w, c] = x.shape;
  if (dy.length !== n || dx.length !== n) throw new Error(`cropAt: need one offset per image (${n}); got dy ${dy.length}, dx ${dx.length}`);
  for (let i = 0; i < n; i++) {
    if (dy[i] < 0 || dy[i] > 2 * padding || dx[i] < 0 || dx[i] > 2 * padding) {
      throw new Error(`cropAt: offset (${dy[i]}, ${dx[i]}) of image ${i} outside 0..${2 * padding}`);
    }
  }
  if (mode === "reflect" && (padding >= h || padding >= w)) {
    throw new Error(`cropAt: reflect padding ${padding} needs images larger than ${padding} pixels; got ${h}×${w}`);
  }
  requireOneOf("cropAt", "mode", mode, ["constant", "reflect"] as const);
  if (padding === 0 || n === 0) return tf.clone(x);
  return tf.tidy(() => {
    const pads: Array<[number, number]> = [
      [0, 0],
      [padding, padding],
      [padding, padding],
      [0, 0],
    ];
    const padded = mode === "reflect" ? tf.mirrorPad(x, pads, "reflect") : tf.pad(x, pads, opts.value ?? 0); // [n, H+2p, W+2p, C]
    // Group image indices by offset; concatenate the crops group by group, then undo the grouping.
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const key = dy[i] * (2 * padding + 1) + dx[i];
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    }
    const pieces: tf.Tensor4D[] = [];
    const order: number[] = [];
    for (const idx of groups.values()) {
      const oy = dy[idx[0]];
      const ox = dx[idx[0]];
      const members = idx.length === n ? padded : tf.gather(padded, tf.tensor1d(idx, "int32")); // [k, H+2p, W+2p, C]
      pieces.push(tf.slice(members, [0, oy, ox, 0], [idx.length, h, w, c])); // [k, H, W, C]
      order.push(...idx);
    }
    const grouped = pieces.length === 1 ? pieces[0] : tf.concat(pieces, 0); // [n, H, W, C], in group order
    if (pieces.length === 1) return grouped;
    const inverse = new Int32Array(n);
    order.forEach((orig, pos) => {
      inverse[orig] = pos;
    });
    return tf.gather(grouped, tf.tensor1d(inverse, "int32")) as tf.Tensor4D; // [n, H, W, C], original order
  });
}

/** Mirrors image i of x ([n, H, W, C]) left–right where flags[i] is 1; the others pass unchanged (article §3.3). */
export function flipWhere(x: tf.Tensor4D, flags: Uint8Array): tf.Tensor4D {
  checkBatch("flipWhere", x);
  const n = x.shape[0];
  if (flags.length !== n) throw new Error(`flipWhere: need one flag per image (${n}); got ${flags.length}`);
  return tf.tidy(() => {
    const mask = tf.tensor4d(
      Array.from(flags, (f) => f !== 0),
      [n, 1, 1, 1],
      "bool",
    ); // [n, 1, 1, 1]
    return tf.where(mask, tf.reverse(x, 2), x) as tf.Tensor4D; // reverse the width axis
  });
}

/** Random crop with padding (default 4, zero fill) back to the input size, seeded (article §3.3). */
export function randomCrop(x: tf.Tensor4D, opts: CropOptions): tf.Tensor4D {
  checkBatch("randomCrop", x);
  const padding = opts.padding ?? 4;
  const { dy, dx } = drawCropOffsets(x.shape[0], padding, opts.seed);
  return cropAt(x, dy, dx, { padding, mode: opts.mode, value: opts.value });
}

/** Random horizontal flip, each image with probability 1/2 by default, seeded (article §3.3). */
export function randomFlip(x: tf.Tensor4D, opts: FlipOptions): tf.Tensor4D {
  checkBatch("randomFlip", x);
  return flipWhere(x, drawFlips(x.shape[0], opts.seed, opts.probability ?? 0.5));
}

/** The CIFAR training augmentation: pad + random crop, then random horizontal flip, from one seed (article §3.3). */
export function augmentImages(x: tf.Tensor4D, opts: AugmentOptions): tf.Tensor4D {
  checkBatch("augmentImages", x);
  const padding = opts.padding ?? 4;
  const draws = drawAugmentation(x.shape[0], { padding, flipProbability: opts.flipProbability, seed: opts.seed });
  return applyAugmentation(x, draws, { padding, mode: opts.mode, value: opts.value });
}

/** Crop by the draws' offsets, then mirror the drawn images: {@link augmentImages} with the draws given (the training loop draws per step). */
export function applyAugmentation(x: tf.Tensor4D, draws: AugmentDraws, opts: { padding?: number; mode?: PadMode; value?: number } = {}): tf.Tensor4D {
  checkBatch("applyAugmentation", x);
  return tf.tidy(() => flipWhere(cropAt(x, draws.dy, draws.dx, opts), draws.flip));
}

/**
 * The same augmentation as {@link cropAt} + {@link flipWhere}, on a host batch: `src` holds n NHWC
 * images of [h, w, c] floats, `out` receives them cropped at (dy[i], dx[i]) of the padded image and
 * mirrored where flip[i] is 1. The native training step reads batches from host memory, so this is
 * how the shared training loop augments per batch there; a unit test checks it equals the tensor path.
 */
export function augmentHostBatch(
  src: Float32Array,
  out: Float32Array,
  shape: readonly [number, number, number, number],
  draws: AugmentDraws,
  opts: { padding?: number; mode?: PadMode; value?: number } = {},
): void {
  const [n, h, w, c] = shape;
  const padding = opts.padding ?? 4;
  const mode = opts.mode ?? "constant";
  const fill = opts.value ?? 0;
  requireNonNegativeInteger("augmentHostBatch", "padding", padding);
  requireOneOf("augmentHostBatch", "mode", mode, ["constant", "reflect"] as const);
  const size = h * w * c;
  if (src.length < n * size || out.length < n * size)
    throw new Error(`augmentHostBatch: need ${n * size} floats for [${shape.join(", ")}]; got src ${src.length}, out ${out.length}`);
  if (draws.dy.length < n || draws.dx.length < n || draws.flip.length < n) throw new Error(`augmentHostBatch: need draws for ${n} images`);
  if (mode === "reflect" && (padding >= h || padding >= w))
    throw new Error(`augmentHostBatch: reflect padding ${padding} needs images larger than ${padding} pixels; got ${h}×${w}`);
  // Source coordinate of padded coordinate p (−1: outside, filled): constant padding or reflection without repeating the edge.
  const source = (p: number, size_: number): number => {
    const q = p - padding;
    if (q >= 0 && q < size_) return q;
    if (mode === "constant") return -1;
    return q < 0 ? -q : 2 * (size_ - 1) - q;
  };
  for (let i = 0; i < n; i++) {
    const img = i * size;
    for (let y = 0; y < h; y++) {
      const sy = source(y + draws.dy[i], h);
      for (let x = 0; x < w; x++) {
        const ox = draws.flip[i] ? w - 1 - x : x; // mirrored: output column x shows cropped column w − 1 − x
        const sx = source(ox + draws.dx[i], w);
        const o = img + (y * w + x) * c;
        if (sy < 0 || sx < 0) out.fill(fill, o, o + c);
        else out.set(src.subarray(img + (sy * w + sx) * c, img + (sy * w + sx) * c + c), o);
      }
    }
  }
}
