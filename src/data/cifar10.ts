// CIFAR-10 from the official binary archive (cifar-10-batches-bin/):
// each record is 1 label byte + 3072 pixel bytes, channel-planar (1024 R, 1024 G, 1024 B),
// each plane 32×32 row-major. https://www.cs.toronto.edu/~kriz/cifar.html
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { byteNormalisationTable, ImageDataset, resolveLimit, Split } from './image-dataset';
import { CIFAR10_DIR_NAME } from "./locations";

/** CIFAR-10 class names by label, as in batches.meta.txt (article §5.2). */
export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
]);

/** Image side length in pixels (article §5.2). */
export const CIFAR10_SIZE = 32;
/** Bytes per record: 1 label + 32·32·3 pixels (article §5.2). */
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_SIZE * CIFAR10_SIZE * 3;
/** Records in each official batch file (article §5.2). */
export const CIFAR10_RECORDS_PER_BATCH = 10000;
/** Batch files of each split, in reading order (article §5.2). */
export const CIFAR10_FILES: Readonly<Record<Split, readonly string[]>> = Object.freeze({
  train: Object.freeze(['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin']),
  test: Object.freeze(['test_batch.bin']),
});

const PIXELS = CIFAR10_SIZE * CIFAR10_SIZE; // one channel plane
const HINT = 'run `npm run data:cifar10` to download it (needs internet), or put an extracted copy there';

/** Options for loadCifar10 (article §5.2). */
export interface Cifar10Options {
  /** The extracted `cifar-10-batches-bin` directory. */
  dir: string;
  split: Split;
  /** Load only the first `limit` images of the split. */
  limit?: number;
  /** Records expected in every batch file; the official 10000 unless a test builds tiny files. */
  recordsPerBatch?: number;
}

/** Why a batch file is unusable, or null if it has the expected size (article §5.2). */
export function checkCifar10Batch(file: string, recordsPerBatch = CIFAR10_RECORDS_PER_BATCH): string | null {
  let size: number;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return `CIFAR-10 batch ${file} is not a regular file`;
    size = stat.size;
  } catch {
    return `CIFAR-10 batch ${file} not found; ${HINT}`;
  }
  const expected = recordsPerBatch * CIFAR10_RECORD_BYTES;
  if (size % CIFAR10_RECORD_BYTES !== 0) {
    return `CIFAR-10 batch ${file} has ${size} bytes, not a multiple of ${CIFAR10_RECORD_BYTES} ` +
      `(1 label byte + 3072 pixel bytes per record); expected ${expected} ` +
      `(${recordsPerBatch} records of ${CIFAR10_RECORD_BYTES} bytes)`;
  }
  if (size !== expected) {
    return `CIFAR-10 batch ${file} has ${size} bytes; expected ${expected} ` +
      `(${recordsPerBatch} records of ${CIFAR10_RECORD_BYTES} bytes)`;
  }
  return null;
}

/** Problems with an extracted CIFAR-10 directory (all six batch files, exact sizes); empty if complete (article §5.2). */
export function checkCifar10Dir(dir: string, recordsPerBatch = CIFAR10_RECORDS_PER_BATCH): string[] {
  const problems: string[] = [];
  for (const name of [...CIFAR10_FILES.train, ...CIFAR10_FILES.test]) {
    const problem = checkCifar10Batch(path.join(dir, name), recordsPerBatch);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * The directory holding a complete extracted CIFAR-10 copy under `dataRoot`
 * (`<dataRoot>/cifar-10-batches-bin`, or `dataRoot` itself), else null (article §5.2).
 */
export function findCifar10(dataRoot: string, recordsPerBatch = CIFAR10_RECORDS_PER_BATCH): string | null {
  for (const dir of [path.join(dataRoot, CIFAR10_DIR_NAME), dataRoot]) {
    if (checkCifar10Dir(dir, recordsPerBatch).length === 0) return dir;
  }
  return null;
}

/** Class names from batches.meta.txt if present (10 non-empty lines), else CIFAR10_CLASSES (article §5.2). */
export function readCifar10ClassNames(dir: string): string[] {
  const file = path.join(dir, 'batches.meta.txt');
  if (!fs.existsSync(file)) return [...CIFAR10_CLASSES];
  const names = fs.readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length !== CIFAR10_CLASSES.length) {
    throw new Error(`CIFAR-10 class list ${file} has ${names.length} names; expected ${CIFAR10_CLASSES.length}`);
  }
  return names;
}

/**
 * Decode `count` records starting at `bytes[0]` into NHWC floats at `X[offset·3072…]` and labels at
 * `y[offset…]`, normalising with `table`; `file` and `firstRecord` only name errors (article §5.2).
 */
export function decodeCifar10Records(
  bytes: Uint8Array, count: number, X: Float32Array, y: Int32Array, offset: number,
  table: Float32Array, file: string, firstRecord = 0,
): void {
  for (let r = 0; r < count; r++) {
    const base = r * CIFAR10_RECORD_BYTES;
    const label = bytes[base];
    if (label > 9) {
      throw new Error(`CIFAR-10 batch ${file} record ${firstRecord + r} has label ${label}; expected 0..9`);
    }
    y[offset + r] = label;
    const out = (offset + r) * PIXELS * 3; // this image in X: [32, 32, 3]
    for (let c = 0; c < 3; c++) {
      const plane = base + 1 + c * PIXELS; // planar input: [3, 32, 32]
      for (let p = 0; p < PIXELS; p++) X[out + p * 3 + c] = table[bytes[plane + p]];
    }
  }
}

/** Read the first `count` records of one batch file (only those bytes are read) (article §5.2). */
function readRecords(file: string, count: number): Uint8Array {
  const bytes = new Uint8Array(count * CIFAR10_RECORD_BYTES);
  const fd = fs.openSync(file, 'r');
  try {
    let done = 0;
    while (done < bytes.length) {
      const n = fs.readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) throw new Error(`CIFAR-10 batch ${file} ended after ${done} bytes; expected ${bytes.length}`);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

/**
 * Load a CIFAR-10 split as X [n,32,32,3] float32 in [-1,1] (ToTensor then Normalize(0.5, 0.5)
 * per channel, as the PyTorch tutorial) and y [n] int32 labels (article §5.2).
 */
export function loadCifar10(options: Cifar10Options): ImageDataset {
  const { dir, split } = options;
  const recordsPerBatch = options.recordsPerBatch ?? CIFAR10_RECORDS_PER_BATCH;
  const files = CIFAR10_FILES[split];
  if (!files) throw new Error(`CIFAR-10 split must be 'train' or 'test'; got ${String(split)}`);
  if (!fs.existsSync(dir)) throw new Error(`CIFAR-10 directory ${dir} not found; ${HINT}`);
  const paths = files.map((name) => path.join(dir, name));
  for (const file of paths) {
    const problem = checkCifar10Batch(file, recordsPerBatch);
    if (problem) throw new Error(problem);
  }
  const classNames = readCifar10ClassNames(dir);
  const n = resolveLimit(options.limit, recordsPerBatch * files.length, `CIFAR-10 ${split}`);

  const X = new Float32Array(n * PIXELS * 3); // [n, 32, 32, 3]
  const y = new Int32Array(n); // [n]
  const table = byteNormalisationTable(0.5, 0.5);
  let filled = 0;
  for (const file of paths) {
    if (filled >= n) break;
    const count = Math.min(recordsPerBatch, n - filled);
    decodeCifar10Records(readRecords(file, count), count, X, y, filled, table, file);
    filled += count;
  }
  const used = paths.slice(0, Math.max(1, Math.ceil(n / recordsPerBatch))).map((p) => path.basename(p));
  return {
    X: tf.tensor4d(X, [n, CIFAR10_SIZE, CIFAR10_SIZE, 3], 'float32'),
    y: tf.tensor1d(y, 'int32'),
    classNames,
    source: `CIFAR-10 ${split} (${n} images) from ${dir}: ${used.join(', ')}`,
  };
}
