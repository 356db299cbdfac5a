/**
 * Native kernels for TensorFlow.js's wasm backend (issue #14), re-registered for `wasm` so that
 * every model (not only the sequential conv nets of seq-train.ts) runs its heavy ops on the addon
 * (native/src/wasm_kernels.cc): BatchMatMul, _FusedMatMul, Conv2D, FusedConv2D and both conv
 * gradients on oneDNN primitives (AVX-512 where the CPU has it, RUNBOOK_NATIVE_THREADS threads),
 * then the next biggest in GPT and ResNet-20 profiles: strided Slice/SplitV/Transpose and Tile
 * (wasm copies those element by element in JavaScript or slowly), Sum/Mean, Tanh/Exp/Sigmoid and
 * broadcast Add/Multiply/Sub/RealDiv, FusedBatchNorm. Like host-view.ts it reads the wasm backend's internals.
 *
 * They compute in place on the wasm heap: inputs and the output made by the backend's
 * `makeOutput` are byte offsets into its linear memory, so nothing is copied. Anything the addon
 * does not cover (other dtypes, dilations, unfusable activations, tfjs's modulo batch
 * broadcasting, problems below the measured crossover size) runs the kernel registered before,
 * kept at install time. Gradients need nothing here: tfjs differentiates these ops into the
 * same kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { loadNative, nativeStepReason, type NativeAddon } from "./addon";

/** The addon's in-place wasm-heap functions (native/src/wasm_kernels.cc); flags are 0/1, −1 is "no bias". */
type WasmKernelAddon = NativeAddon & {
  wasmMatMul(
    heap: ArrayBuffer,
    aOff: number,
    bOff: number,
    biasOff: number,
    biasLength: number,
    outOff: number,
    batchA: number,
    batchB: number,
    m: number,
    n: number,
    k: number,
    transposeA: number,
    transposeB: number,
    relu: number,
  ): void;
  wasmConv2D(heap: ArrayBuffer, xOff: number, wOff: number, biasOff: number, yOff: number, ...geometryAndRelu: number[]): void;
  wasmConv2DBackpropInput(heap: ArrayBuffer, dyOff: number, wOff: number, dxOff: number, ...geometry: number[]): void;
  wasmConv2DBackpropFilter(heap: ArrayBuffer, xOff: number, dyOff: number, dwOff: number, ...geometry: number[]): void;
  /** rank, then x's shape, begin and size. */
  wasmSlice(heap: ArrayBuffer, xOff: number, outOff: number, rank: number, ...shapeBeginSize: number[]): void;
  /** rank, then x's shape and reps. */
  wasmTile(heap: ArrayBuffer, xOff: number, outOff: number, rank: number, ...shapeReps: number[]): void;
  /** rank, then x's shape and the permutation. */
  wasmTranspose(heap: ArrayBuffer, xOff: number, outOff: number, rank: number, ...shapePerm: number[]): void;
  /** x as [outer, reduce, inner] → out[outer, inner] = scale · Σ over reduce. */
  wasmReduceSum(heap: ArrayBuffer, xOff: number, outOff: number, outer: number, reduce: number, inner: number, scale: number): void;
  /** a has the output's shape, b broadcasts along its 1s; op 0 add, 1 mul, 2 sub, 3 div. */
  wasmBinary(heap: ArrayBuffer, aOff: number, bOff: number, outOff: number, op: number, rank: number, ...outAndBShape: number[]): void;
  /** x as [rows, channels]; per-channel mean, variance, offset (−1: none), scale (−1: none). */
  wasmBatchNorm(
    heap: ArrayBuffer,
    xOff: number,
    meanOff: number,
    varianceOff: number,
    offsetOff: number,
    scaleOff: number,
    outOff: number,
    rows: number,
    channels: number,
    epsilon: number,
  ): void;
  /** op: 0 tanh, 1 exp, 2 sigmoid. */
  wasmUnary(heap: ArrayBuffer, xOff: number, outOff: number, count: number, op: number): void;
};

/** The wasm backend's internals these kernels use (tfjs-backend-wasm 4.22). */
interface WasmBackend {
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type KernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** The kernels installed, in the order of their value (a GPT step spends most of its time in BatchMatMul). */
export const NATIVE_WASM_KERNELS = [
  "BatchMatMul",
  "_FusedMatMul",
  "Conv2D",
  "FusedConv2D",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "Slice",
  "Tile",
  "SplitV",
  "Transpose",
  "Sum",
  "Mean",
  "Add",
  "Multiply",
  "Sub",
  "RealDiv",
  "FusedBatchNorm",
  "Tanh",
  "Exp",
  "Sigmoid",
] as const;
type KernelName = (typeof NATIVE_WASM_KERNELS)[number];

/**
 * Below these sizes a problem stays on the wasm kernel: the N-API call and oneDNN's dispatch cost
 * more than they save there (measured crossovers, issue #14). matMul and conv count multiply-adds,
 * copy (Slice, Tile) output elements. Tests lower them to run every shape natively.
 */
export const NATIVE_WASM_MIN_SIZE = { matMul: 1024, conv: 8192, copy: 1024, reduce: 16384, unary: 4096, binary: 65536 };

/** Empty problems and those below the crossover of their kind stay on wasm. */
const small = (size: number, kind: keyof typeof NATIVE_WASM_MIN_SIZE): boolean => size === 0 || size < NATIVE_WASM_MIN_SIZE[kind];

let addon: WasmKernelAddon | null = null;
const originals = new Map<KernelName, tf.KernelConfig | null>();
const counts = new Map<KernelName, { native: number; fallback: number }>();

function count(name: KernelName, native: boolean): void {
  const c = counts.get(name) ?? { native: 0, fallback: 0 };
  if (native) c.native++;
  else c.fallback++;
  counts.set(name, c);
}

function fallback(name: KernelName, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  count(name, false);
  const original = originals.get(name);
  if (original == null) throw new Error(`${name} (wasm + native): the input is not one the native kernel covers and wasm has no kernel of its own`);
  return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
}

function offset(backend: WasmBackend, t: tf.TensorInfo): number {
  const o = backend.dataIdMap.get(t.dataId)?.memoryOffset;
  if (o == null) throw new Error(`wasm + native kernels: tensor of shape [${t.shape}] has no wasm memory`);
  return o;
}

const product = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);
const flag = (b: unknown): number => (b ? 1 : 0);

// --- MatMul ---------------------------------------------------------------------------------------

interface MatMulShape {
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  outShape: number[];
}

/** The 3-D problem of a (batch) matMul as the addon takes it, or null when tfjs's modulo broadcasting would be needed. */
function matMulShape(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): MatMulShape | null {
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length,
    rb = b.shape.length;
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  if (k !== (transposeB ? b.shape[rb - 1] : b.shape[rb - 2])) return null; // the original kernel names the mismatch
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const batchA = product(a.shape.slice(0, -2)),
    batchB = product(b.shape.slice(0, -2));
  let outBatch: number[];
  try {
    outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return null;
  }
  const batch = Math.max(batchA, batchB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (product(outBatch) !== batch) return null;
  return { batchA, batchB, m, n, k, outShape: [...outBatch, m, n] };
}

function runMatMul(
  backend: WasmBackend,
  s: MatMulShape,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  transposeA: boolean,
  transposeB: boolean,
  relu: boolean,
): tf.TensorInfo {
  const out = backend.makeOutput(s.outShape, "float32");
  // After makeOutput: its allocation may have grown (and so replaced) the heap's buffer.
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const biasOff = bias ? offset(backend, bias) : -1;
  addon!.wasmMatMul(
    heap,
    offset(backend, a),
    offset(backend, b),
    biasOff,
    bias?.shape[0] ?? 0,
    offset(backend, out),
    s.batchA,
    s.batchB,
    s.m,
    s.n,
    s.k,
    flag(transposeA),
    flag(transposeB),
    flag(relu),
  );
  return out;
}

function batchMatMul(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b } = args.inputs;
  if (!a || !b) return fallback("BatchMatMul", args);
  const { transposeA, transposeB } = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  const s = a.dtype === "float32" && b.dtype === "float32" ? matMulShape(a, b, transposeA, transposeB) : null;
  if (s == null || small(s.m * s.n * s.k * Math.max(s.batchA, s.batchB), "matMul")) return fallback("BatchMatMul", args);
  count("BatchMatMul", true);
  return runMatMul(args.backend as WasmBackend, s, a, b, undefined, transposeA, transposeB, false);
}

function fusedMatMul(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  if (!a || !b) return fallback("_FusedMatMul", args);
  const { transposeA, transposeB, activation } = (args.attrs ?? {}) as unknown as tf.BatchMatMulAttrs & { activation: string };
  const s = a.dtype === "float32" && b.dtype === "float32" ? matMulShape(a, b, transposeA, transposeB) : null;
  const biasOk = bias == null || (bias.dtype === "float32" && bias.shape.length === 1 && (bias.shape[0] === s?.n || bias.shape[0] === 1));
  const activationOk = (activation === "linear" || activation === "relu") && preluActivationWeights == null;
  if (s == null || !biasOk || !activationOk || small(s.m * s.n * s.k * Math.max(s.batchA, s.batchB), "matMul")) {
    return fallback("_FusedMatMul", args);
  }
  count("_FusedMatMul", true);
  return runMatMul(args.backend as WasmBackend, s, a, b, bias, transposeA, transposeB, activation === "relu");
}

// --- Conv2D ---------------------------------------------------------------------------------------

/**
 * The 15 geometry numbers every conv call of the addon takes (n, h, w, ci, co, kh, kw, sh, sw,
 * padTop, padLeft, padBottom, padRight, oh, ow), or null for what oneDNN's direct conv does not
 * cover here: NCHW, dilation ≠ 1, grouped channels, or paddings that do not give tfjs's output size.
 */
function convGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: {
    strides: number | [number, number];
    pad: tf.Conv2DAttrs["pad"];
    dataFormat?: string;
    dilations?: number | [number, number];
    dimRoundingMode?: "floor" | "round" | "ceil";
  },
): number[] | null {
  if ((attrs.dataFormat ?? "NHWC") !== "NHWC" || xShape.length !== 4 || filterShape.length !== 4) return null;
  const dil = attrs.dilations ?? 1;
  if ((typeof dil === "number" ? dil : Math.max(...dil)) !== 1) return null;
  if (xShape[3] !== filterShape[2]) return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  const { top, left, bottom, right } = info.padInfo;
  if (Math.min(top, left, bottom, right) < 0) return null;
  const [n, h, w, ci] = xShape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, outChannels: co } = info;
  // oneDNN derives the output size from the paddings; it must be the one tfjs chose.
  if (Math.floor((h + top + bottom - kh) / sh) + 1 !== oh || Math.floor((w + left + right - kw) / sw) + 1 !== ow) return null;
  if (oh < 1 || ow < 1) return null;
  return [n, h, w, ci, co, kh, kw, sh, sw, top, left, bottom, right, oh, ow];
}

/** Multiply-adds of a conv with geometry g. */
const convMacs = (g: number[]): number => g[0] * g[13] * g[14] * g[4] * g[5] * g[6] * g[3];

function conv2D(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x, filter } = args.inputs;
  if (!x || !filter) return fallback("Conv2D", args);
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DAttrs;
  const g = x.dtype === "float32" && filter.dtype === "float32" ? convGeometry(x.shape, filter.shape, attrs) : null;
  if (g == null || small(convMacs(g), "conv")) return fallback("Conv2D", args);
  count("Conv2D", true);
  return runConv(args.backend as WasmBackend, g, x, filter, undefined, false);
}

function fusedConv2D(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  if (!x || !filter) return fallback("FusedConv2D", args);
  const attrs = (args.attrs ?? {}) as unknown as tf.FusedConv2DAttrs;
  const g = x.dtype === "float32" && filter.dtype === "float32" ? convGeometry(x.shape, filter.shape, attrs) : null;
  const biasOk = bias == null || (bias.dtype === "float32" && bias.shape.length === 1 && bias.shape[0] === g?.[4]);
  const activationOk = (attrs.activation === "linear" || attrs.activation === "relu") && preluActivationWeights == null;
  if (g == null || !biasOk || !activationOk || small(convMacs(g), "conv")) return fallback("FusedConv2D", args);
  count("FusedConv2D", true);
  return runConv(args.backend as WasmBackend, g, x, filter, bias, attrs.activation === "relu");
}

function runConv(backend: WasmBackend, g: number[], x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | undefined, relu: boolean): tf.TensorInfo {
  const [n, , , , co, , , , , , , , , oh, ow] = g;
  const out = backend.makeOutput([n, oh, ow, co], "float32");
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmConv2D(heap, offset(backend, x), offset(backend, filter), bias ? offset(backend, bias) : -1, offset(backend, out), ...g, flag(relu));
  return out;
}

function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { dy, filter } = args.inputs;
  if (!dy || !filter) return fallback("Conv2DBackpropInput", args);
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropInputAttrs;
  const g = dy.dtype === "float32" && filter.dtype === "float32" && attrs.inputShape ? convGeometry([...attrs.inputShape], filter.shape, attrs) : null;
  const dyOk = g != null && dy.shape.length === 4 && [g[0], g[13], g[14], g[4]].every((d, i) => d === dy.shape[i]);
  if (g == null || !dyOk || small(convMacs(g), "conv")) return fallback("Conv2DBackpropInput", args);
  count("Conv2DBackpropInput", true);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([...attrs.inputShape], "float32");
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmConv2DBackpropInput(heap, offset(backend, dy), offset(backend, filter), offset(backend, out), ...g);
  return out;
}

function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x, dy } = args.inputs;
  if (!x || !dy) return fallback("Conv2DBackpropFilter", args);
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const g = x.dtype === "float32" && dy.dtype === "float32" && attrs.filterShape ? convGeometry(x.shape, [...attrs.filterShape], attrs) : null;
  const dyOk = g != null && dy.shape.length === 4 && [g[0], g[13], g[14], g[4]].every((d, i) => d === dy.shape[i]);
  if (g == null || !dyOk || small(convMacs(g), "conv")) return fallback("Conv2DBackpropFilter", args);
  count("Conv2DBackpropFilter", true);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([...attrs.filterShape], "float32");
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmConv2DBackpropFilter(heap, offset(backend, x), offset(backend, dy), offset(backend, out), ...g);
  return out;
}

// --- Slice and Tile (copies of 4-byte elements) ------------------------------------------------

const COPYABLE = new Set<tf.DataType>(["float32", "int32"]);

/**
 * The wasm Slice copies a contiguous slice with one memcpy already, but a strided one in
 * JavaScript (element by element above rank 4: ResNet's option-A shortcut slices a rank-6 view).
 */
function slice(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs;
  if (!x || !COPYABLE.has(x.dtype)) return fallback("Slice", args);
  const attrs = (args.attrs ?? {}) as unknown as tf.SliceAttrs;
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
  const outSize = product(size);
  if (small(outSize, "copy") || tf.slice_util.isSliceContinous(x.shape, begin, size)) return fallback("Slice", args);
  count("Slice", true);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(size, x.dtype);
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmSlice(heap, offset(backend, x), offset(backend, out), x.shape.length, ...x.shape, ...begin, ...size);
  return out;
}

/** The wasm Tile indexes every element; batch-norm's gradient tiles [1, 1, 1, C] to a whole activation. */
function tile(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs;
  const { reps } = (args.attrs ?? {}) as unknown as tf.TileAttrs;
  if (!x || !COPYABLE.has(x.dtype) || reps.length !== x.shape.length || x.shape.length === 0) return fallback("Tile", args);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  if (small(product(outShape), "copy")) return fallback("Tile", args);
  count("Tile", true);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(outShape, x.dtype);
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmTile(heap, offset(backend, x), offset(backend, out), x.shape.length, ...x.shape, ...reps);
  return out;
}

/** SplitV along an inner axis is one strided slice per piece (wasm slices each in JavaScript). */
function splitV(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs;
  const { numOrSizeSplits, axis } = (args.attrs ?? {}) as unknown as tf.SplitVAttrs;
  if (!x || !COPYABLE.has(x.dtype) || small(product(x.shape), "copy")) return fallback("SplitV", args);
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  // Leading dims of 1: every piece is contiguous, which wasm copies with one memcpy.
  if (product(x.shape.slice(0, $axis)) === 1) return fallback("SplitV", args);
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, $axis);
  count("SplitV", true);
  const backend = args.backend as WasmBackend;
  const begin = x.shape.map(() => 0);
  return sizes.map((piece) => {
    const size = [...x.shape];
    size[$axis] = piece;
    const out = backend.makeOutput(size, x.dtype);
    if (piece > 0)
      addon!.wasmSlice(backend.wasm.HEAPU8.buffer as ArrayBuffer, offset(backend, x), offset(backend, out), x.shape.length, ...x.shape, ...begin, ...size);
    begin[$axis] += piece;
    return out;
  });
}

/** Transpose as one strided copy (dims that stay in order collapse into contiguous rows or blocked 2-D transposes). */
function transpose(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs;
  const { perm } = (args.attrs ?? {}) as unknown as tf.TransposeAttrs;
  if (!x || !COPYABLE.has(x.dtype) || perm.length !== x.shape.length || small(product(x.shape), "copy")) return fallback("Transpose", args);
  // Merge runs of consecutive input dims that stay together (fewer, longer loops).
  const shape: number[] = [],
    order: number[] = [];
  for (let i = 0; i < perm.length; i++) {
    if (i > 0 && perm[i] === perm[i - 1] + 1) {
      const g = order.length - 1;
      shape[g] *= x.shape[perm[i]];
    } else {
      order.push(perm[i]);
      shape.push(x.shape[perm[i]]);
    }
  }
  // The merged groups in input order give the input's merged shape; the permutation is their rank order.
  const groupsByInput = order.map((p, g) => ({ p, g })).sort((a, b) => a.p - b.p);
  const xShape = groupsByInput.map(({ g }) => shape[g]);
  const rankOf = new Map(groupsByInput.map(({ g }, r) => [g, r]));
  const mergedPerm = order.map((_, g) => rankOf.get(g)!);
  // When the innermost dim moves, wasm's own transpose is faster (measured: 2-D [5000, 256] 1.4 vs 2.2 ms).
  if (mergedPerm[mergedPerm.length - 1] !== mergedPerm.length - 1) return fallback("Transpose", args);
  count("Transpose", true);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(
    perm.map((p) => x.shape[p]),
    x.dtype,
  );
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmTranspose(heap, offset(backend, x), offset(backend, out), xShape.length, ...xShape, ...mergedPerm);
  return out;
}

/** Sum and Mean of float32 over consecutive axes (x as [outer, reduce, inner]); other axis sets run on wasm. */
function reduction(name: "Sum" | "Mean", args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs;
  const { axis, keepDims } = (args.attrs ?? {}) as unknown as tf.SumAttrs;
  if (!x || x.dtype !== "float32" || small(product(x.shape), "reduce")) return fallback(name, args);
  const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((p, q) => p - q);
  if (axes.length === 0 || axes.some((a, i) => i > 0 && a !== axes[i - 1] + 1)) return fallback(name, args);
  const first = axes[0],
    last = axes[axes.length - 1];
  const outer = product(x.shape.slice(0, first)),
    reduce = product(x.shape.slice(first, last + 1)),
    inner = product(x.shape.slice(last + 1));
  if (reduce === 0) return fallback(name, args);
  count(name, true);
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(outShape, "float32");
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmReduceSum(heap, offset(backend, x), offset(backend, out), outer, reduce, inner, name === "Mean" ? 1 / reduce : 1);
  return out;
}

const BINARY_OPS = { Add: 0, Multiply: 1, Sub: 2, RealDiv: 3 } as const;

/**
 * Add, Multiply, Sub, RealDiv of float32 where one operand has the output's shape and the other
 * broadcasts into it along some dims (bias adds, batch-norm's per-channel scales); others run on wasm.
 */
function binary(name: keyof typeof BINARY_OPS, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { a, b } = args.inputs;
  if (!a || !b || a.dtype !== "float32" || b.dtype !== "float32") return fallback(name, args);
  let outShape: number[];
  try {
    outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
  } catch {
    return fallback(name, args);
  }
  const rank = outShape.length;
  if (rank < 1 || rank > 6 || small(product(outShape), "binary")) return fallback(name, args);
  const padded = (s: number[]): number[] => [...Array(rank - s.length).fill(1), ...s];
  const same = (s: number[]): boolean => padded(s).every((d, i) => d === outShape[i]);
  let [full, other] = [a, b];
  if (!same(a.shape)) {
    if (!same(b.shape) || name === "Sub" || name === "RealDiv") return fallback(name, args);
    [full, other] = [b, a]; // commutative
  }
  // Same shapes and scalars are memory-bound and as fast on wasm (XNNPACK); only a broadcast
  // operand pays (measured: [128, 32, 32, 16] · [16] 3.5 vs 4.3–9 ms).
  if (same(other.shape) || product(other.shape) === 1) return fallback(name, args);
  count(name, true);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput(outShape, "float32");
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmBinary(heap, offset(backend, full), offset(backend, other), offset(backend, out), BINARY_OPS[name], rank, ...outShape, ...padded(other.shape));
  return out;
}

/** Batch norm with per-channel (last dim) statistics, as layers' BatchNormalization gives it. */
function fusedBatchNorm(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x, mean, variance, offset: shift, scale } = args.inputs;
  const { varianceEpsilon } = (args.attrs ?? {}) as unknown as tf.FusedBatchNormAttrs;
  if (!x || !mean || !variance || x.dtype !== "float32" || x.shape.length === 0 || small(product(x.shape), "unary")) return fallback("FusedBatchNorm", args);
  const channels = x.shape[x.shape.length - 1];
  const perChannel = (t: tf.TensorInfo | undefined): boolean =>
    t == null || (t.dtype === "float32" && product(t.shape) === channels && t.shape[t.shape.length - 1] === channels);
  if (![mean, variance, shift, scale].every(perChannel)) return fallback("FusedBatchNorm", args);
  count("FusedBatchNorm", true);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([...x.shape], "float32");
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  const off = (t: tf.TensorInfo | undefined): number => (t ? offset(backend, t) : -1);
  addon!.wasmBatchNorm(
    heap,
    offset(backend, x),
    offset(backend, mean),
    offset(backend, variance),
    off(shift),
    off(scale),
    offset(backend, out),
    product(x.shape) / channels,
    channels,
    varianceEpsilon,
  );
  return out;
}

const UNARY_OPS = { Tanh: 0, Exp: 1, Sigmoid: 2 } as const;

/** tanh (GELU's), exp (softmax's) and sigmoid on oneDNN's vectorised eltwise (wasm calls libm per element). */
function unary(name: keyof typeof UNARY_OPS, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const { x } = args.inputs;
  if (!x || x.dtype !== "float32" || small(product(x.shape), "unary")) return fallback(name, args);
  count(name, true);
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([...x.shape], "float32");
  const heap = backend.wasm.HEAPU8.buffer as ArrayBuffer;
  addon!.wasmUnary(heap, offset(backend, x), offset(backend, out), product(x.shape), UNARY_OPS[name]);
  return out;
}

const KERNEL_FUNCS: Record<KernelName, KernelFunc> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Slice: slice,
  Tile: tile,
  SplitV: splitV,
  Transpose: transpose,
  Sum: (args) => reduction("Sum", args),
  Mean: (args) => reduction("Mean", args),
  Add: (args) => binary("Add", args),
  Multiply: (args) => binary("Multiply", args),
  Sub: (args) => binary("Sub", args),
  RealDiv: (args) => binary("RealDiv", args),
  FusedBatchNorm: fusedBatchNorm,
  Tanh: (args) => unary("Tanh", args),
  Exp: (args) => unary("Exp", args),
  Sigmoid: (args) => unary("Sigmoid", args),
};

// --- Installing -----------------------------------------------------------------------------------

/** Whether the native kernels are in use for wasm, which, and why not. */
export interface NativeWasmKernelsStatus {
  ok: boolean;
  kernels: string[];
  reason: string;
}

/**
 * Registers the native kernels for the wasm backend (call after the project's own wasm kernels:
 * those registered before become the fallbacks). Not installed, with the reason, when the backend
 * is not wasm, the addon is off (RUNBOOK_NATIVE=off) or not built, or it predates these kernels.
 */
export function installNativeWasmKernels(): NativeWasmKernelsStatus {
  if (tf.getBackend() !== "wasm") return { ok: false, kernels: [], reason: `the backend is ${tf.getBackend()}, not wasm` };
  const native = loadNative();
  if (!native.ok) return { ok: false, kernels: [], reason: `native addon ${native.reason}` };
  const candidate = native.addon as WasmKernelAddon;
  if (typeof candidate.wasmMatMul !== "function")
    return { ok: false, kernels: [], reason: "the native addon predates the wasm kernels (rebuild it: bash scripts/build-native.sh)" };
  addon = candidate;
  for (const name of NATIVE_WASM_KERNELS) {
    const current = tf.getKernel(name, "wasm");
    if (current?.kernelFunc === KERNEL_FUNCS[name]) continue;
    originals.set(name, current ?? null);
    if (current != null) tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: KERNEL_FUNCS[name] as tf.KernelFunc });
  }
  return {
    ok: true,
    kernels: [...NATIVE_WASM_KERNELS],
    reason: `${nativeStepReason(native.addon, "wasm-kernels")}; wasm's own kernels below ${NATIVE_WASM_MIN_SIZE.matMul} (matMul) / ${NATIVE_WASM_MIN_SIZE.conv} (conv) multiply-adds`,
  };
}

/** Puts back the kernels registered before {@link installNativeWasmKernels} (tests compare both). */
export function uninstallNativeWasmKernels(): void {
  for (const [name, original] of originals) {
    if (tf.getKernel(name, "wasm")?.kernelFunc !== KERNEL_FUNCS[name]) continue;
    tf.unregisterKernel(name, "wasm");
    if (original != null) tf.registerKernel(original);
  }
  originals.clear();
}

/** How many calls of each kernel ran natively and how many fell back to wasm since the last reset (tests, profiles). */
export function nativeWasmKernelCounts(reset = false): Record<string, { native: number; fallback: number }> {
  const out = Object.fromEntries([...counts].map(([k, v]) => [k, { ...v }]));
  if (reset) counts.clear();
  return out;
}
