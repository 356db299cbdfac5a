/**
 * `Conv2DBackpropFilter` for the TensorFlow.js `wasm` backend, which (as of
 * tfjs-backend-wasm 4.22.0) does not ship it, so any conv net fails to train
 * on wasm with "Kernel 'Conv2DBackpropFilter' not registered".
 *
 * The filter gradient
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[n,oh,ow,co]
 * is one forward convolution in which the input channels play the batch and
 * the batch plays the channels:
 *   xT  = transpose(pad(x), [3,1,2,0])          → [ci, Hp, Wp, n]
 *   dyT = transpose(dy, [1,2,0,3])              → [oh, ow, n, co]
 *   g   = conv2d(xT, dyT, strides 1, 'valid', dilations = original strides)
 *                                               → [ci, ≥kh, ≥kw, co]
 *   dW  = transpose(slice(g, [ci,kh,kw,co]), [1,2,0,3])
 *
 * Inside a kernelFunc no high-level `tf.*` op may be called, so this composes
 * the wasm backend's own registered kernels and frees every intermediate.
 */
import * as tf from "@tensorflow/tfjs";
import { runWasmKernel, withIntermediates } from "./wasm-kernel-composition";

const KERNEL = "Conv2DBackpropFilter";
const BACKEND = "wasm";

type Pad = tf.Conv2DBackpropFilterAttrs["pad"];

/** Computes dW for NHWC x [n,H,W,ci] and dy [n,oh,ow,co] by composing wasm kernels. */
function conv2DBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as tf.KernelBackend;
  const { x, dy } = args.inputs;
  if (x == null || dy == null) {
    throw new Error(`${KERNEL} (wasm): inputs 'x' and 'dy' are required`);
  }
  const attrs = (args.attrs ?? {}) as unknown as Partial<tf.Conv2DBackpropFilterAttrs>;
  const { strides, pad, filterShape, dimRoundingMode } = attrs;
  const dataFormat = attrs.dataFormat ?? "NHWC";
  if (dataFormat !== "NHWC") {
    throw new Error(`${KERNEL} (wasm): unsupported attribute dataFormat='${String(dataFormat)}'; only 'NHWC' is supported`);
  }
  if (strides == null || pad == null || filterShape == null) {
    throw new Error(`${KERNEL} (wasm): attributes 'strides', 'pad' and 'filterShape' are required`);
  }
  if (x.dtype !== "float32" || dy.dtype !== "float32") {
    throw new Error(`${KERNEL} (wasm): unsupported dtype x=${x.dtype}, dy=${dy.dtype}; only float32 is supported`);
  }

  // Same shape/padding arithmetic as the forward op and the cpu kernel (TF's rules for 'same').
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad as Pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const [n, inH, inW, ci] = x.shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sH, strideWidth: sW, filterHeight: kh, filterWidth: kw } = info;
  const co = info.outChannels;
  const expectedDy = [n, oh, ow, co];
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== expectedDy[i])) {
    throw new Error(`${KERNEL} (wasm): dy shape [${dy.shape}] does not match the conv output [${expectedDy}]`);
  }

  // Pad so the dilated dy "filter" covers every tap; extra bottom/right zeros (possible with
  // numeric padding + ceil/round rounding) contribute nothing, matching the cpu kernel.
  const { top, left } = info.padInfo;
  const bottom = Math.max(info.padInfo.bottom, (oh - 1) * sH + kh - inH - top, 0);
  const right = Math.max(info.padInfo.right, (ow - 1) * sW + kw - inW - left, 0);

  return withIntermediates(`${KERNEL} (wasm)`, backend, (run) => {
    const padded =
      top + bottom + left + right === 0
        ? x
        : run(
            "PadV2",
            { x },
            {
              paddings: [
                [0, 0],
                [top, bottom],
                [left, right],
                [0, 0],
              ],
              constantValue: 0,
            },
          );
    const xT = run("Transpose", { x: padded }, { perm: [3, 1, 2, 0] }); // [ci, Hp, Wp, n]
    const dyT = run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, n, co]
    let g = run("Conv2D", { x: xT, filter: dyT }, { strides: [1, 1], pad: "valid", dataFormat: "NHWC", dilations: [sH, sW] }); // [ci, kh', kw', co]
    if (g.shape[1] !== kh || g.shape[2] !== kw) {
      g = run("Slice", { x: g }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    }
    return runWasmKernel(`${KERNEL} (wasm)`, "Transpose", { x: g }, backend, { perm: [1, 2, 0, 3] }); // [kh, kw, ci, co]
  });
}

/** Registers the missing `Conv2DBackpropFilter` kernel for the wasm backend so conv nets can train on wasm; safe to call repeatedly. */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel(KERNEL, BACKEND) != null) return;
  tf.registerKernel({ kernelName: KERNEL, backendName: BACKEND, kernelFunc: conv2DBackpropFilterWasm });
}
