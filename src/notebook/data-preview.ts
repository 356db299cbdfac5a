/**
 * Looking at image data: picks images out of an NHWC tensor as bytes for `imageGridHtml`.
 */
import * as tf from "@tensorflow/tfjs";
import type { GridImage } from "./image";
import { toBytes } from "./image";
import { requireIntegerInRange } from "../core/validate";

/**
 * Images `indices` of X ([n, h, w, c], normalised to [-1, 1]) as grid cells with captions.
 * Reads only those images from the backend.
 */
export function gridImages(X: tf.Tensor4D, indices: number[], caption: (i: number, k: number) => string, highlight?: (i: number) => boolean): GridImage[] {
  const [n, h, w, c] = X.shape;
  for (const i of indices) requireIntegerInRange("gridImages", "index", i, 0, n - 1);
  const picked = tf.tidy(() => tf.gather(X, tf.tensor1d(indices, "int32"))); // [k, h, w, c]
  const values = picked.dataSync();
  picked.dispose();
  const size = h * w * c;
  return indices.map((i, k) => ({
    pixels: toBytes(values.subarray(k * size, (k + 1) * size)),
    caption: caption(i, k),
    highlight: highlight ? highlight(i) : false,
  }));
}
