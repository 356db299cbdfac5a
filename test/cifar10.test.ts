// Tests for the CIFAR-10 binary loader on tiny batch files written here.
import test from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { CIFAR10_CLASSES, CIFAR10_FILES, CIFAR10_RECORD_BYTES, checkCifar10Dir, findCifar10, loadCifar10 } from "../src/data/cifar10";
import { byteNormalisationTable, datasetSummary, disposeDataset } from "../src/data/image-dataset";

const RECORDS = 4; // records per tiny batch file

/** Pixel byte of record `r` (global index), channel `c`, position `p` in the plane. */
const pixel = (r: number, c: number, p: number): number => (r * 31 + c * 85 + p) % 256;

/** One batch file's bytes: global records first..first+n-1, label = record % 10 unless overridden. */
function batchBytes(first: number, n: number, label = (r: number) => r % 10): Buffer {
  const buf = Buffer.alloc(n * CIFAR10_RECORD_BYTES);
  for (let i = 0; i < n; i++) {
    const r = first + i;
    const base = i * CIFAR10_RECORD_BYTES;
    buf[base] = label(r);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) buf[base + 1 + c * 1024 + p] = pixel(r, c, p);
  }
  return buf;
}

/** A complete tiny cifar-10-batches-bin directory under a fresh temp root; returns [root, dir]. */
function tinyCifar(records = RECORDS): [string, string] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cifar10-test-"));
  const dir = path.join(root, "cifar-10-batches-bin");
  fs.mkdirSync(dir);
  [...CIFAR10_FILES.train, ...CIFAR10_FILES.test].forEach((name, b) => {
    fs.writeFileSync(path.join(dir, name), batchBytes(b * records, records));
  });
  fs.writeFileSync(path.join(dir, "batches.meta.txt"), `${CIFAR10_CLASSES.join("\n")}\n\n`);
  return [root, dir];
}

const cleanup = (root: string) => fs.rmSync(root, { recursive: true, force: true });
const norm = (b: number) => (b / 255 - 0.5) / 0.5;

test.before(async () => {
  await tf.setBackend("cpu");
});

test("normalisation table matches ToTensor + Normalize(0.5, 0.5) in float32", () => {
  const table = byteNormalisationTable();
  assert.equal(table[0], -1);
  assert.equal(table[255], 1);
  for (let b = 0; b < 256; b++) assert.ok(Math.abs(table[b] - norm(b)) < 1e-6, `byte ${b}`);
});

test("loadCifar10 decodes planar RGB into NHWC and normalises to [-1, 1]", () => {
  const [root, dir] = tinyCifar();
  try {
    const before = tf.memory().numTensors;
    const ds = loadCifar10({ dir, split: "test", recordsPerBatch: RECORDS });
    assert.deepEqual(ds.X.shape, [RECORDS, 32, 32, 3]);
    assert.equal(ds.X.dtype, "float32");
    assert.equal(ds.y.dtype, "int32");
    assert.deepEqual(ds.classNames, [...CIFAR10_CLASSES]);
    const X = ds.X.arraySync();
    const first = 5 * RECORDS; // test batch holds global records 20..23
    for (const [i, row, col, c] of [
      [0, 0, 0, 0],
      [0, 0, 0, 2],
      [1, 3, 7, 1],
      [3, 31, 31, 2],
      [2, 16, 0, 0],
    ]) {
      const expected = norm(pixel(first + i, c, row * 32 + col));
      assert.ok(Math.abs(X[i][row][col][c] - expected) < 1e-6, `X[${i},${row},${col},${c}]`);
    }
    assert.deepEqual(Array.from(ds.y.dataSync()), [0, 1, 2, 3]);
    assert.match(ds.source, /CIFAR-10 test \(4 images\).*test_batch\.bin/);
    disposeDataset(ds);
    assert.equal(tf.memory().numTensors, before, "no tensors leak");
  } finally {
    cleanup(root);
  }
});

test("train split reads the five batches in order; limit can span files", () => {
  const [root, dir] = tinyCifar();
  try {
    const all = loadCifar10({ dir, split: "train", recordsPerBatch: RECORDS });
    assert.deepEqual(all.X.shape, [5 * RECORDS, 32, 32, 3]);
    assert.deepEqual(
      Array.from(all.y.dataSync()),
      Array.from({ length: 20 }, (_, r) => r % 10),
    );
    disposeDataset(all);

    const some = loadCifar10({ dir, split: "train", limit: 2 * RECORDS + 1, recordsPerBatch: RECORDS });
    assert.deepEqual(some.X.shape, [9, 32, 32, 3]);
    const last = some.X.slice([8, 0, 0, 0], [1, 1, 1, 3]);
    const expected = [0, 1, 2].map((c) => norm(pixel(8, c, 0)));
    Array.from(last.dataSync()).forEach((v, c) => assert.ok(Math.abs(v - expected[c]) < 1e-6));
    last.dispose();
    assert.match(some.source, /data_batch_1\.bin, data_batch_2\.bin, data_batch_3\.bin$/);
    disposeDataset(some);

    const none = loadCifar10({ dir, split: "train", limit: 0, recordsPerBatch: RECORDS });
    assert.deepEqual(none.X.shape, [0, 32, 32, 3]);
    disposeDataset(none);
    assert.throws(() => loadCifar10({ dir, split: "train", limit: -1, recordsPerBatch: RECORDS }), /non-negative integer/);
  } finally {
    cleanup(root);
  }
});

test("missing directory or file: error names it and says how to get the data", () => {
  const [root, dir] = tinyCifar();
  try {
    assert.throws(
      () => loadCifar10({ dir: path.join(root, "nope"), split: "test" }),
      (e: Error) => e.message.includes(path.join(root, "nope")) && e.message.includes("npm run data:cifar10"),
    );
    fs.unlinkSync(path.join(dir, "data_batch_3.bin"));
    assert.throws(
      () => loadCifar10({ dir, split: "train", recordsPerBatch: RECORDS }),
      (e: Error) => e.message.includes("data_batch_3.bin not found") && e.message.includes("npm run data:cifar10"),
    );
  } finally {
    cleanup(root);
  }
});

test("size checks: official batches must be exactly 30730000 bytes", () => {
  const [root, dir] = tinyCifar();
  try {
    const file = path.join(dir, "data_batch_1.bin");
    fs.truncateSync(file, 30000000); // sparse: quick to create
    assert.throws(
      () => loadCifar10({ dir, split: "train" }),
      (e: Error) => e.message.startsWith(`CIFAR-10 batch ${file} has 30000000 bytes, not a multiple of 3073`),
    );
    fs.truncateSync(file, 3073 * 9000);
    assert.throws(() => loadCifar10({ dir, split: "train" }), {
      message: `CIFAR-10 batch ${file} has 27657000 bytes; expected 30730000 (10000 records of 3073 bytes)`,
    });
    // the tiny test batch is fine with recordsPerBatch, rejected as an official batch
    assert.throws(() => loadCifar10({ dir, split: "test" }), /test_batch\.bin has 12292 bytes; expected 30730000/);
  } finally {
    cleanup(root);
  }
});

test("a label outside 0..9 is reported with file, record and value", () => {
  const [root, dir] = tinyCifar();
  try {
    const file = path.join(dir, "test_batch.bin");
    fs.writeFileSync(
      file,
      batchBytes(0, RECORDS, (r) => (r === 2 ? 10 : 0)),
    );
    assert.throws(() => loadCifar10({ dir, split: "test", recordsPerBatch: RECORDS }), {
      message: `CIFAR-10 batch ${file} record 2 has label 10; expected 0..9`,
    });
  } finally {
    cleanup(root);
  }
});

test("class names come from batches.meta.txt, else the built-in list", () => {
  const [root, dir] = tinyCifar();
  try {
    const meta = path.join(dir, "batches.meta.txt");
    fs.writeFileSync(meta, CIFAR10_CLASSES.map((c) => c.toUpperCase()).join("\n"));
    let ds = loadCifar10({ dir, split: "test", recordsPerBatch: RECORDS });
    assert.equal(ds.classNames[9], "TRUCK");
    disposeDataset(ds);
    fs.unlinkSync(meta);
    ds = loadCifar10({ dir, split: "test", recordsPerBatch: RECORDS });
    assert.equal(ds.classNames[0], "airplane");
    disposeDataset(ds);
    fs.writeFileSync(meta, "cat\ndog\n");
    assert.throws(() => loadCifar10({ dir, split: "test", recordsPerBatch: RECORDS }), /has 2 names; expected 10/);
  } finally {
    cleanup(root);
  }
});

test("findCifar10 finds only a complete copy", () => {
  const [root, dir] = tinyCifar();
  try {
    assert.equal(findCifar10(root, RECORDS), dir);
    assert.equal(findCifar10(dir, RECORDS), dir, "accepts the batches directory itself");
    assert.equal(findCifar10(root), null, "tiny files are not official batches");
    fs.truncateSync(path.join(dir, "data_batch_5.bin"), 3 * CIFAR10_RECORD_BYTES);
    assert.equal(findCifar10(root, RECORDS), null);
    assert.equal(checkCifar10Dir(dir, RECORDS).length, 1);
    fs.unlinkSync(path.join(dir, "test_batch.bin"));
    assert.equal(checkCifar10Dir(dir, RECORDS).length, 2);
    assert.equal(findCifar10(path.join(root, "absent")), null);
  } finally {
    cleanup(root);
  }
});

test("datasetSummary gives plain counts, shape and value range", () => {
  const [root, dir] = tinyCifar();
  try {
    const ds = loadCifar10({ dir, split: "train", recordsPerBatch: RECORDS });
    const s = datasetSummary(ds);
    assert.equal(s.count, 20);
    assert.deepEqual(s.shape, [32, 32, 3]);
    assert.deepEqual(s.classCounts, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    assert.equal(s.classNames.length, 10);
    assert.deepEqual(s.valueRange, [-1, 1]);
    disposeDataset(ds);
  } finally {
    cleanup(root);
  }
});
