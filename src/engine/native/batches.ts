/** Mini-batches for the native training step, read from the training set's own storage. */
import * as tf from "@tensorflow/tfjs";
import { hostView } from "../host-view";
import type { NativeTrainer } from "./seq-train";

/**
 * Mini-batches for the native step, copied on the host from X's own storage: the cpu backend keeps
 * it as a typed array and the wasm backend in its linear memory, so a view costs nothing (a tfjs
 * gather + download per chunk took as long as the training itself). Other backends: one tfjs gather
 * per ≈2k-sample chunk.
 */
export class NativeBatches {
  private readonly labelsAll: Int32Array;
  private readonly sample: number;
  private readonly xBatch: Float32Array;
  private readonly yBatch: Int32Array;
  private readonly chunkBatches: number;
  private chunkOrder: Int32Array | null = null;
  private chunkFirst = -1;
  private xChunk = new Float32Array(0);

  constructor(
    trainer: NativeTrainer,
    private readonly X: tf.Tensor,
    y: tf.Tensor1D,
    private readonly batchSize: number,
  ) {
    this.labelsAll = y.dataSync() as Int32Array;
    this.sample = X.size / X.shape[0];
    if (this.sample !== trainer.sampleSize) {
      throw new Error(`trainClassifier: X has ${this.sample} values per sample; the model's input takes ${trainer.sampleSize}`);
    }
    this.xBatch = new Float32Array(batchSize * this.sample);
    this.yBatch = new Int32Array(batchSize);
    this.chunkBatches = Math.max(1, Math.floor(2048 / batchSize));
  }

  /** Batch b of the epoch's `order`: x and labels and the batch's first sample in them. */
  batch(order: Int32Array, b: number): { x: Float32Array; labels: Int32Array; start: number } {
    const idx = order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize));
    for (let k = 0; k < idx.length; k++) this.yBatch[k] = this.labelsAll[idx[k]];
    const view = hostView(this.X);
    if (view) {
      const S = this.sample;
      for (let k = 0; k < idx.length; k++) this.xBatch.set(view.subarray(idx[k] * S, (idx[k] + 1) * S), k * S);
      return { x: this.xBatch, labels: this.yBatch, start: 0 };
    }
    const first = b - (b % this.chunkBatches);
    if (order !== this.chunkOrder || first !== this.chunkFirst) {
      const cidx = order.subarray(first * this.batchSize, Math.min(order.length, (first + this.chunkBatches) * this.batchSize));
      const chunk = tf.tidy(() => {
        const xs = tf.gather(this.X, tf.tensor1d(cidx, "int32")); // [chunk, ...X.shape.slice(1)]
        return xs.dtype === "float32" ? xs : tf.cast(xs, "float32");
      });
      this.xChunk = chunk.dataSync() as Float32Array;
      chunk.dispose();
      this.chunkOrder = order;
      this.chunkFirst = first;
    }
    const S = this.sample;
    const off = (b - first) * this.batchSize * S;
    this.xBatch.set(this.xChunk.subarray(off, off + idx.length * S));
    return { x: this.xBatch, labels: this.yBatch, start: 0 };
  }
}
