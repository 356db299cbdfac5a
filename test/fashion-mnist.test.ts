// Tests for the Fashion-MNIST IDX loader: small IDX files written here, plus the real Debian files.
import test from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import * as tf from "@tensorflow/tfjs";
import { FASHION_MNIST_CLASSES, loadFashionMnist, parseIdxImages, parseIdxLabels } from "../src/data/fashion-mnist";
import { datasetSummary, disposeDataset } from "../src/data/image-dataset";
import { FASHION_MNIST_DEBIAN_DIR } from "../src/data/locations";

const pixel = (i: number, p: number): number => (i * 17 + p) % 256;

/** IDX images file bytes: magic, count, rows, cols, then pixels. */
function idxImages(count: number, rows = 28, cols = 28, magic = 2051): Buffer {
  const buf = Buffer.alloc(16 + count * rows * cols);
  buf.writeInt32BE(magic, 0);
  buf.writeInt32BE(count, 4);
  buf.writeInt32BE(rows, 8);
  buf.writeInt32BE(cols, 12);
  for (let i = 0; i < count; i++) for (let p = 0; p < rows * cols; p++) buf[16 + i * rows * cols + p] = pixel(i, p);
  return buf;
}

/** IDX labels file bytes: magic, count, then labels. */
function idxLabels(labels: number[], magic = 2049): Buffer {
  const buf = Buffer.alloc(8 + labels.length);
  buf.writeInt32BE(magic, 0);
  buf.writeInt32BE(labels.length, 4);
  labels.forEach((l, i) => {
    buf[8 + i] = l;
  });
  return buf;
}

/** A temp dir with t10k files (gzipped unless `plain`); returns the dir. */
function writeSplit(images: Buffer, labels: Buffer, plain = false): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fmnist-test-"));
  const ext = plain ? "" : ".gz";
  const pack = (b: Buffer) => (plain ? b : zlib.gzipSync(b));
  fs.writeFileSync(path.join(dir, `t10k-images-idx3-ubyte${ext}`), pack(images));
  fs.writeFileSync(path.join(dir, `t10k-labels-idx1-ubyte${ext}`), pack(labels));
  return dir;
}

const LABELS = [9, 0, 0, 3, 0, 2, 7];
const norm = (b: number) => (b / 255 - 0.5) / 0.5;
const cleanup = (dir: string) => fs.rmSync(dir, { recursive: true, force: true });

test.before(async () => {
  await tf.setBackend("cpu");
});

test("loads gzipped IDX into [n,28,28,1] in [-1,1] with int32 labels", () => {
  const dir = writeSplit(idxImages(LABELS.length), idxLabels(LABELS));
  try {
    const before = tf.memory().numTensors;
    const ds = loadFashionMnist({ dir, split: "test" });
    assert.deepEqual(ds.X.shape, [7, 28, 28, 1]);
    assert.equal(ds.y.dtype, "int32");
    assert.deepEqual(Array.from(ds.y.dataSync()), LABELS);
    assert.deepEqual(ds.classNames, [...FASHION_MNIST_CLASSES]);
    assert.equal(ds.classNames[9], "Ankle boot");
    const X = ds.X.arraySync();
    for (const [i, r, c] of [
      [0, 0, 0],
      [2, 5, 9],
      [6, 27, 27],
    ]) {
      assert.ok(Math.abs(X[i][r][c][0] - norm(pixel(i, r * 28 + c))) < 1e-6, `X[${i},${r},${c}]`);
    }
    const s = datasetSummary(ds);
    assert.deepEqual(s.classCounts, [3, 0, 1, 1, 0, 0, 0, 1, 0, 1]);
    assert.deepEqual(s.valueRange, [-1, 1]);
    disposeDataset(ds);
    assert.equal(tf.memory().numTensors, before, "no tensors leak");
  } finally {
    cleanup(dir);
  }
});

test("padTo32 pads 2 pixels each side with the normalised value of 0 (-1), like Pad(2) before ToTensor", () => {
  const dir = writeSplit(idxImages(3), idxLabels([1, 2, 3]), true); // uncompressed files work too
  try {
    const small = loadFashionMnist({ dir, split: "test", limit: 2 });
    const big = loadFashionMnist({ dir, split: "test", limit: 2, padTo32: true });
    assert.deepEqual(big.X.shape, [2, 32, 32, 1]);
    const inner = big.X.slice([0, 2, 2, 0], [2, 28, 28, 1]);
    assert.deepEqual(Array.from(inner.dataSync()), Array.from(small.X.dataSync()));
    const B = big.X.arraySync();
    for (const [r, c] of [
      [0, 0],
      [1, 15],
      [31, 31],
      [15, 0],
      [30, 31],
      [2, 1],
    ])
      assert.equal(B[1][r][c][0], -1);
    inner.dispose();
    disposeDataset(small);
    disposeDataset(big);
  } finally {
    cleanup(dir);
  }
});

test("wrong magic numbers are reported with file and expectation", () => {
  const dir = writeSplit(idxImages(2, 28, 28, 2049), idxLabels([1, 2]));
  try {
    assert.throws(() => loadFashionMnist({ dir, split: "test" }), {
      message: `IDX images file ${path.join(dir, "t10k-images-idx3-ubyte.gz")} has magic number 2049; expected 2051`,
    });
    assert.throws(() => parseIdxLabels(idxLabels([1], 2051), "x-labels"), /x-labels has magic number 2051; expected 2049/);
  } finally {
    cleanup(dir);
  }
});

test("truncated files are reported", () => {
  const images = idxImages(3);
  const dir = writeSplit(images.subarray(0, images.length - 100), idxLabels([1, 2, 3]));
  try {
    assert.throws(
      () => loadFashionMnist({ dir, split: "test" }),
      /t10k-images-idx3-ubyte\.gz has 2268 bytes; expected 2368 \(16-byte header \+ 3 images of 28×28\) — truncated\?/,
    );
    assert.throws(() => parseIdxImages(Buffer.alloc(10), "tiny"), /tiny has 10 bytes; expected at least a 16-byte header/);
    assert.throws(() => parseIdxLabels(idxLabels([1, 2, 3]).subarray(0, 9), "lab"), /lab has 9 bytes; expected 11/);
    fs.writeFileSync(path.join(dir, "t10k-labels-idx1-ubyte.gz"), zlib.gzipSync(idxLabels([1, 2, 3])).subarray(0, 20));
    fs.writeFileSync(path.join(dir, "t10k-images-idx3-ubyte.gz"), zlib.gzipSync(images));
    assert.throws(() => loadFashionMnist({ dir, split: "test" }), /t10k-labels-idx1-ubyte\.gz is not a valid gzip file/);
  } finally {
    cleanup(dir);
  }
});

test("image/label count mismatch, bad dimensions and bad labels are reported", () => {
  let dir = writeSplit(idxImages(3), idxLabels([1, 2]));
  try {
    assert.throws(() => loadFashionMnist({ dir, split: "test" }), /has 3 images but .*t10k-labels-idx1-ubyte\.gz has 2 labels; expected equal counts/);
  } finally {
    cleanup(dir);
  }
  dir = writeSplit(idxImages(2), idxLabels([1, 10]));
  try {
    assert.throws(() => loadFashionMnist({ dir, split: "test", limit: 1 }), /t10k-labels-idx1-ubyte\.gz item 1 has label 10; expected 0\.\.9/);
  } finally {
    cleanup(dir);
  }
  dir = writeSplit(idxImages(2, 27, 28), idxLabels([1, 1]));
  try {
    assert.throws(() => loadFashionMnist({ dir, split: "test" }), /has 27×28 images; expected 28×28/);
  } finally {
    cleanup(dir);
  }
});

test("missing files name the path and the Debian package", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fmnist-empty-"));
  try {
    assert.throws(
      () => loadFashionMnist({ dir, split: "train" }),
      (e: Error) => e.message.includes(path.join(dir, "train-images-idx3-ubyte.gz")) && e.message.includes("dataset-fashion-mnist"),
    );
  } finally {
    cleanup(dir);
  }
});

test("real Debian Fashion-MNIST: first 100 test images", (t) => {
  if (!fs.existsSync(FASHION_MNIST_DEBIAN_DIR)) {
    t.skip(`${FASHION_MNIST_DEBIAN_DIR} absent (apt-get install dataset-fashion-mnist)`);
    return;
  }
  const ds = loadFashionMnist({ split: "test", limit: 100 });
  const padded = loadFashionMnist({ split: "test", limit: 100, padTo32: true });
  try {
    assert.deepEqual(ds.X.shape, [100, 28, 28, 1]);
    assert.deepEqual(padded.X.shape, [100, 32, 32, 1]);
    const s = datasetSummary(ds);
    assert.equal(s.count, 100);
    assert.ok(s.valueRange[0] >= -1 && s.valueRange[1] <= 1, `range ${s.valueRange}`);
    assert.equal(s.valueRange[0], -1, "black background present");
    assert.ok(s.valueRange[1] > 0.9, "bright pixels present");
    assert.equal(
      s.classCounts.reduce((a, b) => a + b, 0),
      100,
    );
    assert.ok(s.classCounts.filter((c) => c > 0).length >= 8, `classes seen: ${s.classCounts}`);
    assert.ok(Math.max(...s.classCounts) <= 25, `no class dominates: ${s.classCounts}`);
    assert.equal(ds.y.dataSync()[0], 9, "the first test image is an ankle boot");
    const mean = ds.X.mean();
    const m = mean.dataSync()[0];
    mean.dispose();
    assert.ok(m > -0.6 && m < -0.2, `mean ${m} (mostly dark background)`);
  } finally {
    disposeDataset(ds);
    disposeDataset(padded);
  }
});
