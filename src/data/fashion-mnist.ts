// Fashion-MNIST from IDX files (gzip or plain), as shipped by Debian's `dataset-fashion-mnist`.
// IDX: big-endian int32 magic (2051 images / 2049 labels), int32 dimensions, then unsigned bytes.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import * as tf from '@tensorflow/tfjs';
import { byteNormalisationTable, ImageDataset, resolveLimit, Split } from './image-dataset';
import { FASHION_MNIST_DEBIAN_DIR } from "./locations";

/** Fashion-MNIST class names by label (article §5.1). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
]);

/** IDX magic number of an unsigned-byte 3-D (images) file (article §5.1). */
export const IDX_IMAGES_MAGIC = 2051;
/** IDX magic number of an unsigned-byte 1-D (labels) file (article §5.1). */
export const IDX_LABELS_MAGIC = 2049;
/** Side length of a Fashion-MNIST image (article §5.1). */
export const FASHION_MNIST_SIZE = 28;

/** Decoded IDX images: `pixels` is [count, rows, cols] row-major bytes (article §5.1). */
export interface IdxImages { count: number; rows: number; cols: number; pixels: Uint8Array }

/** Options for loadFashionMnist (article §5.1). */
export interface FashionMnistOptions {
  /** Directory with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]; default the Debian location. */
  dir?: string;
  split: Split;
  /** Load only the first `limit` images. */
  limit?: number;
  /** Zero-pad 28×28 to 32×32 (2 pixels each side) like torchvision's `Pad(2)`; pad value normalises to -1. */
  padTo32?: boolean;
}

/** Parse an IDX images file (magic 2051), checking header and exact length (article §5.1). */
export function parseIdxImages(buf: Uint8Array, file: string): IdxImages {
  const view = header(buf, file, 16, IDX_IMAGES_MAGIC, 'images');
  const count = view.getInt32(4, false);
  const rows = view.getInt32(8, false);
  const cols = view.getInt32(12, false);
  if (count < 0 || rows <= 0 || cols <= 0) {
    throw new Error(`IDX images file ${file} has dimensions ${count}×${rows}×${cols}; expected positive sizes`);
  }
  const expected = 16 + count * rows * cols;
  if (buf.length !== expected) {
    throw new Error(`IDX images file ${file} has ${buf.length} bytes; expected ${expected} ` +
      `(16-byte header + ${count} images of ${rows}×${cols})${buf.length < expected ? ' — truncated?' : ''}`);
  }
  return { count, rows, cols, pixels: buf.subarray(16) };
}

/** Parse an IDX labels file (magic 2049), checking header and exact length (article §5.1). */
export function parseIdxLabels(buf: Uint8Array, file: string): Uint8Array {
  const view = header(buf, file, 8, IDX_LABELS_MAGIC, 'labels');
  const count = view.getInt32(4, false);
  const expected = 8 + count;
  if (count < 0 || buf.length !== expected) {
    throw new Error(`IDX labels file ${file} has ${buf.length} bytes; expected ${expected} ` +
      `(8-byte header + ${count} labels)${buf.length < expected ? ' — truncated?' : ''}`);
  }
  return buf.subarray(8);
}

function header(buf: Uint8Array, file: string, size: number, magic: number, what: string): DataView {
  if (buf.length < size) {
    throw new Error(`IDX ${what} file ${file} has ${buf.length} bytes; expected at least a ${size}-byte header`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const found = view.getInt32(0, false);
  if (found !== magic) {
    throw new Error(`IDX ${what} file ${file} has magic number ${found}; expected ${magic}`);
  }
  return view;
}

/** Read a file, gunzipping it if it starts with the gzip signature (article §5.1). */
export function readMaybeGzip(file: string): Uint8Array {
  const raw = fs.readFileSync(file);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return zlib.gunzipSync(raw);
    } catch (err) {
      throw new Error(`${file} is not a valid gzip file: ${(err as Error).message}`, { cause: err });
    }
  }
  return raw;
}

/** Path of `<prefix>-<kind>-ubyte.gz`, or the uncompressed name if only that exists (article §5.1). */
function idxPath(dir: string, prefix: string, kind: string): string {
  const gz = path.join(dir, `${prefix}-${kind}-ubyte.gz`);
  if (fs.existsSync(gz)) return gz;
  const plain = path.join(dir, `${prefix}-${kind}-ubyte`);
  if (fs.existsSync(plain)) return plain;
  throw new Error(`Fashion-MNIST file ${gz} not found; install Debian's dataset-fashion-mnist ` +
    `(apt-get install dataset-fashion-mnist) or pass dir`);
}

/**
 * Load a Fashion-MNIST split as X [n,28,28,1] (or [n,32,32,1] with padTo32) float32 in [-1,1]
 * (÷255, −0.5, ÷0.5) and y [n] int32 labels (article §5.1).
 *
 * Padding follows torchvision's `Pad(2)` applied to the PIL image before ToTensor/Normalize:
 * the border pixels are 0, which normalises to -1 — not 0 in normalised space.
 */
export function loadFashionMnist(options: FashionMnistOptions): ImageDataset {
  const dir = options.dir ?? FASHION_MNIST_DEBIAN_DIR;
  const prefix = options.split === 'train' ? 'train' : options.split === 'test' ? 't10k' : null;
  if (!prefix) throw new Error(`Fashion-MNIST split must be 'train' or 'test'; got ${String(options.split)}`);
  const imagesFile = idxPath(dir, prefix, 'images-idx3');
  const labelsFile = idxPath(dir, prefix, 'labels-idx1');
  const images = parseIdxImages(readMaybeGzip(imagesFile), imagesFile);
  const labels = parseIdxLabels(readMaybeGzip(labelsFile), labelsFile);
  if (images.rows !== FASHION_MNIST_SIZE || images.cols !== FASHION_MNIST_SIZE) {
    throw new Error(`IDX images file ${imagesFile} has ${images.rows}×${images.cols} images; ` +
      `expected ${FASHION_MNIST_SIZE}×${FASHION_MNIST_SIZE}`);
  }
  if (labels.length !== images.count) {
    throw new Error(`Fashion-MNIST ${options.split}: ${imagesFile} has ${images.count} images but ` +
      `${labelsFile} has ${labels.length} labels; expected equal counts`);
  }
  const n = resolveLimit(options.limit, images.count, `Fashion-MNIST ${options.split}`);

  const bad = labels.findIndex((label) => label > 9);
  if (bad >= 0) throw new Error(`IDX labels file ${labelsFile} item ${bad} has label ${labels[bad]}; expected 0..9`);
  const y = Int32Array.from(labels.subarray(0, n)); // [n]
  const table = byteNormalisationTable(0.5, 0.5);
  const src = FASHION_MNIST_SIZE;
  const pad = options.padTo32 ? 2 : 0;
  const side = src + 2 * pad;
  const X = new Float32Array(n * side * side).fill(table[0]); // [n, side, side, 1]; border = normalised 0
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < src; r++) {
      const from = (i * src + r) * src;
      const to = (i * side + r + pad) * side + pad;
      for (let c = 0; c < src; c++) X[to + c] = table[images.pixels[from + c]];
    }
  }
  return {
    X: tf.tensor4d(X, [n, side, side, 1], 'float32'),
    y: tf.tensor1d(y, 'int32'),
    classNames: [...FASHION_MNIST_CLASSES],
    source: `Fashion-MNIST ${options.split} (${n} images${pad ? ', padded to 32×32' : ''}) from ${imagesFile}`,
  };
}
