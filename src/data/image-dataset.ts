// Shared shape of an in-memory image classification dataset, plus the
// normalisation both image loaders use (PyTorch's ToTensor + Normalize(0.5, 0.5)).
import type * as tf from '@tensorflow/tfjs';
import { requireNonNegativeInteger } from '../core/validate';

/** Which part of a dataset to load (article §5.1). */
export type Split = 'train' | 'test';

/** An image classification dataset held in tensors: X is NHWC float32, y int32 class ids (article §5.1). */
export interface ImageDataset {
  /** Images, [n, height, width, channels], float32, normalised to [-1, 1]. */
  X: tf.Tensor4D;
  /** Class ids, [n], int32, each in 0..classNames.length-1. */
  y: tf.Tensor1D;
  /** Human-readable class names, indexed by class id. */
  classNames: string[];
  /** Where the data came from (files, split), for reports. */
  source: string;
}

/** Plain-number description of a dataset, safe to print or tabulate (article §5.1). */
export interface DatasetSummary {
  /** Number of examples. */
  count: number;
  /** Shape of one example: [height, width, channels]. */
  shape: [number, number, number];
  /** Examples per class, indexed by class id. */
  classCounts: number[];
  /** Class names, indexed by class id (same length as classCounts). */
  classNames: string[];
  /** Smallest and largest pixel value after normalisation. */
  valueRange: [number, number];
  /** Copied from the dataset. */
  source: string;
}

/** Count, per-example shape, per-class counts and pixel range of a dataset (article §5.1). */
export function datasetSummary(ds: ImageDataset): DatasetSummary {
  const [count, height, width, channels] = ds.X.shape;
  const classCounts = new Array<number>(ds.classNames.length).fill(0);
  const labels = ds.y.dataSync();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label < 0 || label >= classCounts.length) {
      throw new Error(`label ${label} outside 0..${classCounts.length - 1} in ${ds.source}`);
    }
    classCounts[label] += 1;
  }
  let min = Infinity;
  let max = -Infinity;
  const values = ds.X.dataSync(); // a view of the backend's data on the cpu backend: no copy
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return {
    count,
    shape: [height, width, channels],
    classCounts,
    classNames: [...ds.classNames],
    valueRange: count === 0 ? [0, 0] : [min, max],
    source: ds.source,
  };
}

/** Release the tensors of a dataset (article §5.1). */
export function disposeDataset(ds: ImageDataset): void {
  ds.X.dispose();
  ds.y.dispose();
}

/**
 * Lookup table byte → normalised float, computed in float32 exactly as PyTorch does
 * `ToTensor()` (x / 255) then `Normalize(mean, std)` ((x - mean) / std), so values
 * match torchvision bit for bit. With mean = std = 0.5: 0 → -1, 255 → 1 (article §5.1).
 */
export function byteNormalisationTable(mean = 0.5, std = 0.5): Float32Array {
  const f = Math.fround;
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) {
    table[b] = f(f(f(b / 255) - f(mean)) / f(std));
  }
  return table;
}

/** Check and normalise an optional `limit` against the number of available examples (article §5.1). */
export function resolveLimit(limit: number | undefined, available: number, what: string): number {
  if (limit === undefined) return available;
  requireNonNegativeInteger(what, "limit", limit); // e.g. "CIFAR-10 train: limit must be …"
  return Math.min(limit, available);
}
