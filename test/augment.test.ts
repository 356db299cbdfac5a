import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  augmentHostBatch,
  augmentImages,
  cropAt,
  drawAugmentation,
  drawCropOffsets,
  drawFlips,
  flipWhere,
  randomCrop,
  randomFlip,
  type PadMode,
} from "../src/training/augment";

before(async () => {
  await tf.setBackend("cpu");
});

/** A batch whose every value is distinct and nonzero, so any misplaced pixel shows. */
function distinctBatch(n: number, h: number, w: number, c: number): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: n * h * w * c }, (_, i) => i + 1),
    [n, h, w, c],
  ); // [n, h, w, c]
}

/** Reference crop in plain JS: out[i][r][s][k] = padded(x)[i][r + dy][s + dx][k], padding by index arithmetic. */
function referenceCrop(x: number[][][][], dy: ArrayLike<number>, dx: ArrayLike<number>, p: number, mode: PadMode, value: number): number[][][][] {
  return x.map((img, i) => {
    const h = img.length;
    const w = img[0].length;
    const src = (r: number, s: number): number[] | null => {
      if (mode === "reflect") {
        const rr = r < 0 ? -r : r >= h ? 2 * h - 2 - r : r; // mirror without repeating the edge
        const ss = s < 0 ? -s : s >= w ? 2 * w - 2 - s : s;
        return img[rr][ss];
      }
      return r < 0 || r >= h || s < 0 || s >= w ? null : img[r][s];
    };
    return img.map((row, r) => row.map((px, s) => src(r + dy[i] - p, s + dx[i] - p) ?? px.map(() => value)));
  });
}

/** Reference horizontal mirror: out[r][s] = x[r][w - 1 - s]. */
function referenceMirror(img: number[][][]): number[][][] {
  return img.map((row) => row.map((_, s) => row[row.length - 1 - s]));
}

test("shapes: every augmentation returns a batch of the input shape", () => {
  for (const shape of [
    [5, 32, 32, 3],
    [3, 28, 30, 1],
  ] as [number, number, number, number][]) {
    const x = distinctBatch(...shape);
    for (const y of [randomCrop(x, { seed: 1 }), randomCrop(x, { seed: 1, mode: "reflect" }), randomFlip(x, { seed: 1 }), augmentImages(x, { seed: 1 })]) {
      assert.deepEqual(y.shape, shape);
      y.dispose();
    }
    x.dispose();
  }
  assert.throws(() => randomCrop(tf.zeros([32, 32, 3]) as unknown as tf.Tensor4D, { seed: 0 }), /NHWC batch/);
});

test("flip is an exact mirror of the width axis, and leaves unflagged images untouched", () => {
  const x = distinctBatch(3, 5, 7, 2);
  const y = flipWhere(x, Uint8Array.from([1, 0, 1]));
  const xs = x.arraySync();
  const ys = y.arraySync();
  assert.deepEqual(ys[0], referenceMirror(xs[0]));
  assert.deepEqual(ys[1], xs[1]);
  assert.deepEqual(ys[2], referenceMirror(xs[2]));
  // Mirroring twice is the identity, bit for bit.
  const twice = flipWhere(y, Uint8Array.from([1, 0, 1]));
  assert.deepEqual(twice.arraySync(), xs);
  // probability 1 flips all, probability 0 none.
  const all = randomFlip(x, { seed: 4, probability: 1 });
  const none = randomFlip(x, { seed: 4, probability: 0 });
  assert.deepEqual(all.arraySync(), xs.map(referenceMirror));
  assert.deepEqual(none.arraySync(), xs);
  tf.dispose([x, y, twice, all, none]);
});

test("crop with padding 0 is the identity", () => {
  const x = distinctBatch(4, 8, 8, 3);
  const y = randomCrop(x, { seed: 9, padding: 0 });
  assert.deepEqual(y.arraySync(), x.arraySync());
  assert.deepEqual(Array.from(drawCropOffsets(4, 0, 9).dy), [0, 0, 0, 0]);
  tf.dispose([x, y]);
});

test("crop matches a pixel-by-pixel reference, for constant and reflect padding", () => {
  const x = distinctBatch(40, 9, 10, 2);
  const xs = x.arraySync();
  for (const [mode, value] of [
    ["constant", 0],
    ["constant", -1],
    ["reflect", 0],
  ] as [PadMode, number][]) {
    const { dy, dx } = drawCropOffsets(40, 3, 123);
    const y = cropAt(x, dy, dx, { padding: 3, mode, value });
    assert.deepEqual(y.arraySync(), referenceCrop(xs, dy, dx, 3, mode, value), `mode ${mode}, value ${value}`);
    // randomCrop uses exactly these draws.
    const z = randomCrop(x, { seed: 123, padding: 3, mode, value });
    assert.deepEqual(z.arraySync(), y.arraySync());
    tf.dispose([y, z]);
  }
  // The centre offset (p, p) returns the image itself.
  const centre = cropAt(x, new Int32Array(40).fill(3), new Int32Array(40).fill(3), { padding: 3 });
  assert.deepEqual(centre.arraySync(), xs);
  assert.throws(() => cropAt(x, new Int32Array(40).fill(7), new Int32Array(40), { padding: 3 }), /outside 0\.\.6/);
  assert.throws(() => randomCrop(x, { seed: 0, padding: 9, mode: "reflect" }), /reflect padding 9/);
  tf.dispose([x, centre]);
});

test("augmentImages = crop by the drawn offsets, then mirror the drawn images", () => {
  const x = distinctBatch(30, 8, 8, 1);
  const draws = drawAugmentation(30, { padding: 2, seed: 77 });
  const y = augmentImages(x, { padding: 2, seed: 77, value: -1 });
  const cropped = referenceCrop(x.arraySync(), draws.dy, draws.dx, 2, "constant", -1);
  const expected = cropped.map((img, i) => (draws.flip[i] ? referenceMirror(img) : img));
  assert.deepEqual(y.arraySync(), expected);
  tf.dispose([x, y]);
});

test("deterministic per seed: same seed, same output; another seed, another output", () => {
  const x = distinctBatch(16, 32, 32, 1);
  const a = augmentImages(x, { seed: 5 });
  const b = augmentImages(x, { seed: 5 });
  const c = augmentImages(x, { seed: 6 });
  assert.deepEqual(a.arraySync(), b.arraySync());
  assert.notDeepEqual(c.arraySync(), a.arraySync());
  assert.deepEqual(drawFlips(100, 3), drawFlips(100, 3));
  assert.notDeepEqual(drawFlips(100, 3), drawFlips(100, 4));
  tf.dispose([x, a, b, c]);
});

test("over many draws both flip outcomes and all 81 crop offsets (pad 4) occur, about uniformly", () => {
  const n = 20_000;
  const { dy, dx, flip } = drawAugmentation(n, { padding: 4, seed: 2024 });
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) counts.set(`${dy[i]},${dx[i]}`, (counts.get(`${dy[i]},${dx[i]}`) ?? 0) + 1);
  assert.equal(counts.size, 81);
  for (let r = 0; r <= 8; r++) for (let s = 0; s <= 8; s++) assert.ok(counts.has(`${r},${s}`), `offset (${r}, ${s}) never drawn`);
  // Expected n/81 ≈ 247 per offset; binomial sd ≈ 15.6: allow ±6 sd.
  const expectedPerOffset = n / 81;
  for (const [k, v] of counts) assert.ok(Math.abs(v - expectedPerOffset) < 6 * Math.sqrt(expectedPerOffset), `offset ${k} drawn ${v} times`);
  const flips = flip.reduce((s, f) => s + f, 0);
  assert.ok(flips > 0 && flips < n);
  // Expected n/2 = 10,000; sd = √(n/4) ≈ 71: allow ±6 sd.
  assert.ok(Math.abs(flips - n / 2) < 6 * Math.sqrt(n / 4), `${flips} flips of ${n}`);
  // And the tensor function realises the draws: on a batch of 500 the outputs of offset groups differ.
  const x = distinctBatch(500, 12, 12, 1);
  const y = augmentImages(x, { padding: 4, seed: 11 });
  const d = drawAugmentation(500, { padding: 4, seed: 11 });
  assert.equal(new Set(Array.from(d.dy, (v, i) => `${v},${d.dx[i]}`)).size, 81);
  assert.deepEqual(
    y.arraySync(),
    referenceCrop(x.arraySync(), d.dy, d.dx, 4, "constant", 0).map((img, i) => (d.flip[i] ? referenceMirror(img) : img)),
  );
  tf.dispose([x, y]);
});

test("memory stays flat: the augmentations free their intermediates", () => {
  const x = distinctBatch(20, 16, 16, 3);
  const before = tf.memory().numTensors;
  for (let seed = 0; seed < 5; seed++) {
    augmentImages(x, { seed, mode: seed % 2 ? "reflect" : "constant" }).dispose();
    randomCrop(x, { seed }).dispose();
    randomFlip(x, { seed }).dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test("augmentHostBatch (the native loop's per-batch augmentation) equals cropAt + flipWhere on tensors, both padding modes", () => {
  const shape: [number, number, number, number] = [6, 7, 5, 2];
  const src = Float32Array.from({ length: 6 * 7 * 5 * 2 }, (_, i) => Math.sin(i) * 3);
  for (const mode of ["constant", "reflect"] as PadMode[]) {
    const draws = drawAugmentation(6, { padding: 3, seed: mode === "constant" ? 5 : 6 });
    const out = new Float32Array(src.length);
    augmentHostBatch(src, out, shape, draws, { padding: 3, mode, value: -1 });
    const want = tf.tidy(() => flipWhere(cropAt(tf.tensor4d(src, shape), draws.dy, draws.dx, { padding: 3, mode, value: -1 }), draws.flip).dataSync());
    assert.deepEqual(Array.from(out), Array.from(want), mode);
  }
  assert.throws(
    () => augmentHostBatch(src, new Float32Array(3), shape, drawAugmentation(6, { seed: 1 })),
    /need 420 floats for \[6, 7, 5, 2\]; got src 420, out 3/,
  );
  assert.throws(
    () => augmentHostBatch(src, new Float32Array(src.length), shape, drawAugmentation(6, { seed: 1 }), { padding: 5, mode: "reflect" }),
    /reflect padding 5 needs images larger than 5 pixels; got 7×5/,
  );
});
