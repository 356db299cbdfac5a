/**
 * Composing the wasm backend's own kernels inside a kernel this project supplies. A kernelFunc may
 * not call `tf.*` ops (nested engine calls break tensor tracking), so it runs registered wasm
 * kernels on TensorInfos and frees every intermediate itself. Used by the wasm gradient kernels.
 */
import * as tf from "@tensorflow/tfjs";

/** Runs a wasm kernel and keeps its output as an intermediate of the composition. */
export type RunKernel = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => tf.TensorInfo;

/** Runs one kernel registered for the wasm backend (no engine involvement); `owner` names the composed kernel in errors. */
export function runWasmKernel(owner: string, name: string, inputs: tf.NamedTensorInfoMap, backend: tf.KernelBackend, attrs: tf.NamedAttrMap): tf.TensorInfo {
  const config = tf.getKernel(name, "wasm");
  if (config == null) throw new Error(`${owner}: required kernel '${name}' is not registered for the wasm backend`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`${owner}: kernel '${name}' unexpectedly returned several outputs`);
  return out;
}

/**
 * Calls `body` with a `run` whose outputs are intermediates, all freed when `body` returns or
 * throws. The result is made with {@link runWasmKernel} directly, so it survives.
 */
export function withIntermediates<T>(owner: string, backend: tf.KernelBackend, body: (run: RunKernel) => T): T {
  const temps: tf.TensorInfo[] = [];
  const run: RunKernel = (name, inputs, attrs) => {
    const out = runWasmKernel(owner, name, inputs, backend, attrs);
    temps.push(out);
    return out;
  };
  try {
    return body(run);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
