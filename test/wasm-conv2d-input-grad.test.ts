// Checks the conv-based wasm Conv2DBackpropInput against the cpu backend's reference kernel.
//
// Error metric: max over elements of |wasm − cpu| / max(1, |cpu|). Each dx element sums at most
// kh·kw·co ≤ 7·7·64 = 3136 products; the cpu kernel accumulates in float64-ish JS numbers, XNNPACK
// in float32, so rounding errors are ~1e-6..1e-5. Tolerance 1e-4; an indexing or padding bug
// gives errors of order 1.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import {
  registerWasmConv2DBackpropInputViaConv,
  restoreWasmConv2DBackpropInput,
  wasmConv2DBackpropInputViaConvActive,
} from "../src/engine/wasm-conv2d-input-grad";
import { type ConvCase, compareConvGradient } from "./helpers/conv-grad";

const TOL = 1e-4;

before(async () => {
  await tf.setBackend("wasm");
  await tf.ready();
  assert.equal(wasmConv2DBackpropInputViaConvActive(), false);
  registerWasmConv2DBackpropInputViaConv();
});

test("registration replaces the built-in kernel, is idempotent, and can be undone", () => {
  assert.ok(wasmConv2DBackpropInputViaConvActive());
  const k = tf.getKernel("Conv2DBackpropInput", "wasm");
  registerWasmConv2DBackpropInputViaConv();
  assert.equal(tf.getKernel("Conv2DBackpropInput", "wasm"), k);
  restoreWasmConv2DBackpropInput();
  assert.equal(wasmConv2DBackpropInputViaConvActive(), false);
  assert.ok(tf.getKernel("Conv2DBackpropInput", "wasm"), "the built-in kernel is back");
  registerWasmConv2DBackpropInputViaConv();
  assert.ok(wasmConv2DBackpropInputViaConvActive());
});

const cases: ConvCase[] = [
  { name: "3×3 stride 1 same (ResNet-20 body)", x: [2, 8, 8, 4], w: [3, 3, 4, 5], strides: 1, pad: "same" },
  { name: "3×3 stride 2 same, even input (TF pads 0 before, 1 after)", x: [2, 8, 8, 3], w: [3, 3, 3, 4], strides: 2, pad: "same" },
  { name: "3×3 stride 2 same, odd input", x: [1, 9, 7, 2], w: [3, 3, 2, 3], strides: 2, pad: "same" },
  { name: "3×3 stride 2 valid after explicit padding (ResNet stride-2 conv)", x: [2, 10, 10, 3], w: [3, 3, 3, 4], strides: 2, pad: "valid" },
  { name: "1×1 stride 2 valid (projection shortcut)", x: [2, 8, 8, 4], w: [1, 1, 4, 6], strides: 2, pad: "valid" },
  { name: "1×1 stride 1", x: [2, 5, 5, 3], w: [1, 1, 3, 2], strides: 1, pad: "valid" },
  { name: "5×5 stride 1 valid (LeNet)", x: [2, 14, 14, 6], w: [5, 5, 6, 16], strides: 1, pad: "valid" },
  { name: "7×7 stride 2 valid, rows left over (ResNet-50 stem on 37×37)", x: [1, 37, 37, 3], w: [7, 7, 3, 8], strides: 2, pad: "valid" },
  { name: "unequal strides and kernel", x: [1, 9, 11, 2], w: [3, 2, 2, 3], strides: [2, 3], pad: "same" },
  { name: "numeric padding 1, stride 2", x: [1, 8, 8, 2], w: [3, 3, 2, 2], strides: 2, pad: 1 },
];

for (const [i, c] of cases.entries()) {
  test(`matches the cpu kernel: ${c.name}`, async () => {
    const { err } = await compareConvGradient(c, "input", 100 + 3 * i);
    assert.ok(err < TOL, `max relative error ${err} ≥ ${TOL}`);
  });
}

test("frees its intermediates", async () => {
  await tf.setBackend("wasm");
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 3, 4], 0, 1, "float32", 2) as tf.Tensor4D;
  const g = tf.grad((xt: tf.Tensor) => tf.sum(tf.conv2d(xt as tf.Tensor4D, w, 2, "same")));
  g(x).dispose();
  const snapshot = (): { tensors: number; buffers: number } => ({ tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers });
  const before = snapshot(); // numDataBuffers counts the backend's own buffers, where a leaked temporary would show
  for (let k = 0; k < 3; k++) g(x).dispose();
  assert.deepEqual(snapshot(), before);
  tf.dispose([x, w]);
});
