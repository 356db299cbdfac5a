/**
 * Zero-copy host views of tensor storage. This reads TensorFlow.js backend internals (tfjs 4.22:
 * the cpu backend's typed arrays, the wasm backend's linear memory), so it lives in the engine
 * layer and nowhere else; a layout it does not recognise gives null and callers fall back to tfjs.
 */
import * as tf from "@tensorflow/tfjs";

/** The cpu backend's per-tensor storage and the wasm backend's, as far as hostView reads them (tfjs 4.22). */
interface BackendInternals {
  data?: { get(id: object): { values?: unknown } | undefined };
  dataIdMap?: { get(id: object): { memoryOffset?: number } | undefined };
  wasm?: { HEAPU8: Uint8Array };
}

/** A zero-copy Float32Array over a float32 tensor's storage on the cpu or wasm backend; null elsewhere. Re-take it after any tfjs op (wasm memory can grow). */
export function hostView(t: tf.Tensor): Float32Array | null {
  if (t.dtype !== "float32") return null;
  const name = tf.getBackend();
  const backend = tf.engine().backend as unknown as BackendInternals;
  const id = (t as unknown as { dataId: object }).dataId;
  if (name === "cpu") {
    const values = backend.data?.get(id)?.values;
    return values instanceof Float32Array && values.length === t.size ? values : null;
  }
  if (name === "wasm") {
    const offset = backend.dataIdMap?.get(id)?.memoryOffset;
    const heap = backend.wasm?.HEAPU8;
    if (offset == null || heap == null || offset % 4 !== 0 || offset + t.size * 4 > heap.buffer.byteLength) return null;
    return new Float32Array(heap.buffer, offset, t.size);
  }
  return null;
}
