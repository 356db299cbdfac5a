// The native oneDNN kernels registered for the wasm backend (src/engine/native/wasm-native-kernels.ts)
// against the TensorFlow.js cpu backend, forward and gradient (tf.grads runs the same kernels).
//
// Error metric: max over elements of |wasm+native − cpu| / max(1, |cpu|); tolerance 1e-4 (float32
// sums of at most a few hundred products here; measured ≤ 1e-5). An indexing, layout or padding
// bug gives errors of order 1. Each case also checks that the native path ran (or, for the
// fallback cases, that it did not), so a silent fallback cannot pass for a native kernel.
import { after, before, test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend, type BackendReport } from "../src/engine/backend";
import { loadNative } from "../src/engine/native/addon";
import { NATIVE_WASM_MIN_SIZE, installNativeWasmKernels, nativeWasmKernelCounts, uninstallNativeWasmKernels } from "../src/engine/native/wasm-native-kernels";
import { maxRelErr, randn } from "./helpers/numeric";

const TOL = 1e-4;
const skip = loadNative().ok ? false : `native addon not available: ${loadNative().reason}`;
const defaults = { ...NATIVE_WASM_MIN_SIZE };

/** One input: its shape, dtype and seeded values. */
interface Input {
  shape: number[];
  dtype?: "float32" | "int32";
  values: Float32Array | Int32Array;
}
const input = (shape: number[], seed: number): Input => ({ shape, values: randn(shape, seed) });

/** f's output and (withGrads) the gradients of Σ f·r (r seeded, so no gradient is a plain sum) w.r.t. the float inputs, on `backend`. */
async function run(backend: "cpu" | "wasm", f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[], withGrads: boolean): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype ?? "float32"));
    const y = f(...xs);
    const r = tf.tensor(randn(y.shape, 7), y.shape);
    const floats = xs.filter((x) => x.dtype === "float32");
    const grads =
      withGrads && y.dtype === "float32"
        ? tf.grads((...fs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs.map((x) => (x.dtype === "float32" ? fs[floats.indexOf(x)] : x))), r)))(floats)
        : [];
    return [y, ...grads].map((t) => Float32Array.from(t.dataSync()));
  });
}

/**
 * Runs f on wasm (with the native kernels) and on cpu, asserts closeness of the output and of the
 * gradients (unless withGrads is false: tfjs has no gradient for batch-broadcast matMul or dilated
 * conv), returns the kernel counts of the wasm run.
 */
async function compare(
  what: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: Input[],
  withGrads = true,
): Promise<Record<string, { native: number; fallback: number }>> {
  nativeWasmKernelCounts(true);
  const got = await run("wasm", f, inputs, withGrads);
  const counts = nativeWasmKernelCounts(true);
  const want = await run("cpu", f, inputs, withGrads);
  await tf.setBackend("wasm");
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const err = maxRelErr(g, want[i]);
    assert.ok(err <= TOL, `${what}: ${i === 0 ? "output" : `gradient ${i}`} differs from cpu by ${err.toExponential(2)} (tolerance ${TOL})`);
  });
  return counts;
}

const ranNative = (counts: Record<string, { native: number }>, kernel: string, what: string): void =>
  assert.ok((counts[kernel]?.native ?? 0) > 0, `${what}: ${kernel} did not run natively (${JSON.stringify(counts)})`);

before(async () => {
  const report: BackendReport = await initBackend("wasm");
  if (!skip) assert.equal(report.nativeKernels.ok, true, report.nativeKernels.reason);
  // Every size runs natively here (the crossover is a speed matter; the fallback tests restore it).
  NATIVE_WASM_MIN_SIZE.matMul = 0;
  NATIVE_WASM_MIN_SIZE.conv = 0;
});

after(() => {
  NATIVE_WASM_MIN_SIZE.matMul = defaults.matMul;
  NATIVE_WASM_MIN_SIZE.conv = defaults.conv;
});

test("BatchMatMul: 2-D, every transpose, batches, broadcast batch dims of 1, batch 1", { skip }, async () => {
  // broadcast: tfjs's matMul gradient does not reduce over broadcast batch dims, so forward only.
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean; broadcast?: boolean }[] = [];
  for (const ta of [false, true]) for (const tb of [false, true]) cases.push({ a: ta ? [7, 5] : [5, 7], b: tb ? [9, 7] : [7, 9], ta, tb });
  cases.push({ a: [3, 4, 5], b: [3, 5, 6], ta: false, tb: false });
  cases.push({ a: [2, 3, 5, 4], b: [2, 3, 6, 5], ta: true, tb: true });
  cases.push({ a: [1, 4, 5], b: [3, 5, 6], ta: false, tb: false, broadcast: true }); // a broadcast over b's batch
  cases.push({ a: [2, 3, 4, 5], b: [5, 6], ta: false, tb: false, broadcast: true }); // b (rank 2) broadcast
  cases.push({ a: [2, 3, 4, 5], b: [1, 1, 6, 5], ta: false, tb: true, broadcast: true });
  cases.push({ a: [1, 1, 8], b: [1, 8, 1], ta: false, tb: false }); // batch 1, vector · vector
  let seed = 1;
  for (const c of cases) {
    const what = `matMul [${c.a}]${c.ta ? "ᵀ" : ""} · [${c.b}]${c.tb ? "ᵀ" : ""}`;
    const counts = await compare(what, (a, b) => tf.matMul(a, b, c.ta, c.tb), [input(c.a, seed++), input(c.b, seed++)], !c.broadcast);
    ranNative(counts, "BatchMatMul", what);
  }
});

test("_FusedMatMul: bias ([n] or [1]) and relu/linear fused, with transposes; elu falls back to wasm", { skip }, async () => {
  let seed = 50;
  for (const activation of ["linear", "relu"] as const) {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
    ]) {
      const a = ta ? [6, 5] : [5, 6];
      const b = tb ? [4, 6] : [6, 4];
      const what = `fused matMul ${activation} ta=${ta} tb=${tb}`;
      const counts = await compare(what, (x, w, bias) => tf.fused.matMul({ a: x, b: w, transposeA: ta, transposeB: tb, bias, activation }), [
        input(a, seed++),
        input(b, seed++),
        input([4], seed++),
      ]);
      ranNative(counts, "_FusedMatMul", what);
    }
  }
  const noBias = await compare("fused matMul without bias", (x, w) => tf.fused.matMul({ a: x, b: w, activation: "relu" }), [
    input([3, 5, 6], 70),
    input([3, 6, 4], 71),
  ]);
  ranNative(noBias, "_FusedMatMul", "fused matMul without bias");
  const elu = await compare("fused matMul elu", (x, w, bias) => tf.fused.matMul({ a: x, b: w, bias, activation: "elu" }), [
    input([5, 6], 72),
    input([6, 4], 73),
    input([4], 74),
  ]);
  assert.equal(elu._FusedMatMul?.native ?? 0, 0, "elu must run on the wasm kernel");
  assert.ok((elu._FusedMatMul?.fallback ?? 0) > 0);
  // (tfjs's own wasm kernel reads a [1] bias as if it had n entries.)
  const scalarBias = await compare("fused matMul [1] bias", (x, w, bias) => tf.fused.matMul({ a: x, b: w, bias }), [
    input([5, 6], 75),
    input([6, 4], 76),
    input([1], 77),
  ]);
  ranNative(scalarBias, "_FusedMatMul", "fused matMul [1] bias");
});

test("BatchMatMul: batches that only broadcast the tfjs way ([2,3] with [3]) and problems below the crossover run on wasm", { skip }, async () => {
  const modulo = await compare("matMul [2,3,4,5]·[3,5,6]", (a, b) => tf.matMul(a, b), [input([2, 3, 4, 5], 80), input([3, 5, 6], 81)], false);
  assert.equal(modulo.BatchMatMul?.native ?? 0, 0);
  assert.ok((modulo.BatchMatMul?.fallback ?? 0) > 0);
  NATIVE_WASM_MIN_SIZE.matMul = defaults.matMul;
  try {
    const small = await compare("small matMul", (a, b) => tf.matMul(a, b), [input([4, 4], 82), input([4, 4], 83)]);
    assert.equal(small.BatchMatMul?.native ?? 0, 0, "a 4×4 product is below the crossover");
    const big = await compare("big matMul", (a, b) => tf.matMul(a, b), [input([64, 64], 84), input([64, 64], 85)]);
    ranNative(big, "BatchMatMul", "a 64×64 product");
  } finally {
    NATIVE_WASM_MIN_SIZE.matMul = 0;
  }
});

interface ConvCase {
  x: number[];
  w: number[];
  strides: number | [number, number];
  pad: "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]];
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 9, 11, 3], w: [3, 3, 3, 4], strides: 1, pad: "same" },
  { x: [2, 9, 11, 3], w: [3, 3, 3, 4], strides: 2, pad: "same" },
  { x: [2, 9, 11, 3], w: [3, 3, 3, 4], strides: 2, pad: "valid" },
  { x: [1, 8, 8, 2], w: [5, 5, 2, 3], strides: [2, 1], pad: "same" },
  { x: [1, 7, 12, 4], w: [2, 3, 4, 5], strides: 1, pad: "valid" }, // non-square image and kernel, batch 1
  { x: [3, 8, 8, 4], w: [1, 1, 4, 6], strides: 2, pad: "valid" },
  { x: [2, 6, 7, 2], w: [3, 3, 2, 3], strides: 1, pad: 1 },
  {
    x: [2, 6, 7, 2],
    w: [3, 3, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [2, 1],
      [0, 0],
    ],
  },
];

const caseName = (c: ConvCase): string => `conv x[${c.x}] w[${c.w}] s${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;

test("Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter: strides, paddings (valid/same/explicit), non-square, batch 1", { skip }, async () => {
  let seed = 100;
  for (const c of CONV_CASES) {
    const what = caseName(c);
    const counts = await compare(what, (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad), [input(c.x, seed++), input(c.w, seed++)]);
    for (const k of ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"]) ranNative(counts, k, what);
  }
});

test("FusedConv2D: bias with relu and linear (and its gradients); dilation 2 and elu fall back to wasm", { skip }, async () => {
  let seed = 200;
  for (const activation of ["linear", "relu"] as const) {
    for (const c of CONV_CASES.slice(0, 4)) {
      const what = `fused ${activation} ${caseName(c)}`;
      const counts = await compare(
        what,
        (x, w, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: c.strides, pad: c.pad as "same", bias, activation }),
        [input(c.x, seed++), input(c.w, seed++), input([c.w[3]], seed++)],
      );
      for (const k of ["FusedConv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"]) ranNative(counts, k, what);
    }
  }
  const dilated = await compare(
    "dilated conv",
    (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same", "NHWC", 2),
    [input([1, 9, 9, 2], 300), input([3, 3, 2, 3], 301)],
    false,
  );
  assert.equal(dilated.Conv2D?.native ?? 0, 0, "a dilated conv must run on the wasm kernel");
  assert.ok((dilated.Conv2D?.fallback ?? 0) > 0);
  const elu = await compare(
    "fused conv elu",
    (x, w, bias) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: "same", bias, activation: "elu" }),
    [input([1, 6, 6, 2], 302), input([3, 3, 2, 3], 303), input([3], 304)],
  );
  assert.equal(elu.FusedConv2D?.native ?? 0, 0);
});

test("Slice (strided, ranks 2–6) and Tile (float32 and int32) match cpu; contiguous slices stay on wasm", { skip }, async () => {
  NATIVE_WASM_MIN_SIZE.copy = 0;
  try {
    const r6 = await compare("rank-6 slice", (x) => tf.slice(x, [0, 0, 1, 0, 0, 0], [2, 3, 1, 4, 1, 5]), [input([2, 3, 2, 4, 2, 5], 400)]);
    ranNative(r6, "Slice", "rank-6 slice");
    const channels = await compare("channel slice", (x) => tf.slice(x, [0, 1, 0, 2], [2, 3, 4, 3]), [input([2, 5, 4, 6], 401)]);
    ranNative(channels, "Slice", "channel slice");
    const r2 = await compare("column slice", (x) => tf.slice(x, [1, 2], [3, -1]), [input([5, 7], 402)]);
    ranNative(r2, "Slice", "column slice");
    const rows = await compare("row slice", (x) => tf.slice(x, [1, 0], [2, 7]), [input([5, 7], 403)]);
    assert.equal(rows.Slice?.native ?? 0, 0, "a contiguous slice is one memcpy on wasm already");
    const bn = await compare("batch-norm tile", (x) => tf.tile(x, [2, 3, 4, 1]), [input([1, 1, 1, 5], 404)]);
    ranNative(bn, "Tile", "batch-norm tile");
    const mixed = await compare("tile", (x) => tf.tile(x, [2, 1, 3]), [input([3, 2, 4], 405)]);
    ranNative(mixed, "Tile", "tile");
    const ints: Input = { shape: [2, 3], dtype: "int32", values: Int32Array.from([1, -2, 3, 4, 5, -6]) };
    const intTile = await compare("int32 tile", (x) => tf.tile(x, [3, 2]), [ints]);
    ranNative(intTile, "Tile", "int32 tile");
  } finally {
    NATIVE_WASM_MIN_SIZE.copy = defaults.copy;
  }
});

test("SplitV along inner axes, Sum and Mean over consecutive axes, Tanh, Exp, Sigmoid; other axis sets fall back", { skip }, async () => {
  const saved = { ...NATIVE_WASM_MIN_SIZE };
  Object.assign(NATIVE_WASM_MIN_SIZE, { copy: 0, reduce: 0, unary: 0, binary: 0 });
  try {
    const qkv = await compare(
      "split qkv",
      (x) =>
        tf.concat(
          tf.split(x, [4, 4, 8], 2).map((p, i) => tf.mul(p, i + 1)),
          2,
        ),
      [input([2, 3, 16], 800)],
    );
    ranNative(qkv, "SplitV", "split qkv");
    const even = await compare("split in 3", (x) => tf.split(x, 3, 1)[1], [input([2, 6, 5], 801)]);
    ranNative(even, "SplitV", "split in 3");
    for (const [shape, axis, keepDims] of [
      [[6, 7], 0, false],
      [[6, 7], 1, true],
      [[2, 3, 4, 5], [0, 1, 2], false],
      [[2, 3, 4, 5], [1, 2], true],
      [[2, 3, 4, 5], [3], false],
      [[4, 5], [0, 1], false],
    ] as [number[], number | number[], boolean][]) {
      for (const op of ["sum", "mean"] as const) {
        const what = `${op} [${shape}] axis ${JSON.stringify(axis)}${keepDims ? " keepDims" : ""}`;
        const counts = await compare(what, (x) => tf[op](x, axis, keepDims), [input(shape, 810)]);
        ranNative(counts, op === "sum" ? "Sum" : "Mean", what);
      }
    }
    // Transposes that keep the innermost dim innermost run natively; others on wasm (faster there).
    const transposes: [number[], number[]][] = [
      [
        [2, 3, 4, 5],
        [0, 2, 1, 3],
      ],
      [
        [2, 3, 4, 5],
        [1, 2, 0, 3],
      ],
      [
        [2, 3, 4, 5, 2],
        [3, 0, 1, 2, 4],
      ],
      [
        [6, 5, 4],
        [1, 0, 2],
      ],
    ];
    for (const [shape, perm] of transposes) {
      const what = `transpose [${shape}] by [${perm}]`;
      ranNative(await compare(what, (x) => tf.transpose(x, perm), [input(shape, 840)]), "Transpose", what);
    }
    const moved = await compare("transpose [40, 70]", (x) => tf.transpose(x), [input([40, 70], 841)]);
    assert.ok((moved.Transpose?.fallback ?? 0) > 0, "a transpose that moves the innermost dim runs on wasm");
    // Broadcast operands run natively (a broadcast into b only for the commutative Add and
    // Multiply); same shapes and scalars run on wasm, as fast there.
    const shapes: [number[], number[], boolean][] = [
      [[3, 4, 5], [5], true],
      [[2, 3, 4, 5], [1, 3, 1, 5], true],
      [[4], [3, 4], true],
      [[3, 4, 5], [3, 4, 5], false],
      [[3, 4, 5], [], false],
    ];
    for (const [op, kernel] of [
      [tf.add, "Add"],
      [tf.mul, "Multiply"],
      [tf.sub, "Sub"],
      [tf.div, "RealDiv"],
    ] as const) {
      for (const [sa, sb, broadcast] of shapes) {
        const what = `${kernel} [${sa}] ∘ [${sb}]`;
        // Keep divisors away from 0 so the gradient comparison is about the kernel, not rounding.
        const divisor = (t: tf.Tensor): tf.Tensor => (kernel === "RealDiv" ? tf.add(tf.abs(t), 1) : t);
        const counts = await compare(what, (x, y) => op(x, divisor(y)), [input(sa, 850), input(sb, 851)]);
        if (broadcast && (sa.length >= sb.length || kernel === "Add" || kernel === "Multiply")) ranNative(counts, kernel, what);
        else assert.ok((counts[kernel]?.fallback ?? 0) > 0, `${what} must fall back`);
      }
    }
    const stats = [input([2, 3, 4, 5], 860), input([5], 861), input([5], 862), input([5], 863), input([5], 864)];
    const full = await compare("batchNorm", (x, m, v, o, sc) => tf.batchNorm(x, m, tf.add(tf.abs(v), 0.5), o, sc, 1e-3), stats);
    ranNative(full, "FusedBatchNorm", "batchNorm");
    const bare = await compare("batchNorm without offset and scale", (x, m, v) => tf.batchNorm(x, m, tf.add(tf.abs(v), 0.5)), stats.slice(0, 3), false); // (tfjs has no gradient for batchNorm without offset and scale, on any backend)
    ranNative(bare, "FusedBatchNorm", "batchNorm without offset and scale");
    const rowStats = await compare(
      "batchNorm with full-shape statistics",
      (x, m) => tf.batchNorm(x, m, tf.onesLike(m)),
      [input([3, 4], 865), input([3, 4], 866)],
      false,
    );
    assert.ok((rowStats.FusedBatchNorm?.fallback ?? 0) > 0, "statistics that are not per channel run on wasm");
    const gaps = await compare("sum over axes 0 and 2", (x) => tf.sum(x, [0, 2]), [input([3, 4, 5], 820)]);
    assert.ok((gaps.Sum?.fallback ?? 0) > 0, "non-consecutive axes run on wasm"); // (the loss Σ f·r itself runs natively)
    for (const [op, kernel] of [
      [tf.tanh, "Tanh"],
      [tf.exp, "Exp"],
      [tf.sigmoid, "Sigmoid"],
    ] as const) {
      const counts = await compare(kernel, (x) => op(x), [input([3, 50], 830)]);
      ranNative(counts, kernel, kernel);
    }
  } finally {
    Object.assign(NATIVE_WASM_MIN_SIZE, saved);
  }
});

test("empty tensors run on wasm's kernels (the addon takes no empty problem)", { skip }, async () => {
  await tf.setBackend("wasm");
  const saved = { ...NATIVE_WASM_MIN_SIZE };
  Object.assign(NATIVE_WASM_MIN_SIZE, { matMul: 0, conv: 0, copy: 0, reduce: 0, unary: 0, binary: 0 });
  try {
    nativeWasmKernelCounts(true);
    const shapes = tf.tidy(() => [
      tf.matMul(tf.zeros([0, 3]), tf.zeros([3, 4])).shape,
      tf.sum(tf.zeros([0, 3]), 0).shape,
      tf.tanh(tf.zeros([0])).shape,
      tf.transpose(tf.zeros([2, 0, 3]), [1, 0, 2]).shape,
      tf.slice(tf.zeros([4, 4]), [0, 1], [4, 0]).shape,
    ]);
    assert.deepEqual(shapes, [[0, 4], [3], [0], [0, 2, 3], [4, 0]]);
    const counts = nativeWasmKernelCounts(true);
    assert.ok(
      Object.values(counts).every((c) => c.native === 0),
      JSON.stringify(counts),
    );
  } finally {
    Object.assign(NATIVE_WASM_MIN_SIZE, saved);
  }
});

test("tensor count stays flat over repeated native calls (forward and gradient)", { skip }, async () => {
  await tf.setBackend("wasm");
  const x = tf.tensor(randn([2, 8, 8, 3], 500), [2, 8, 8, 3]);
  const w = tf.tensor(randn([3, 3, 3, 4], 501), [3, 3, 3, 4]);
  const a = tf.tensor(randn([4, 6, 5], 502), [4, 6, 5]);
  const step = (): void =>
    tf.tidy(() => {
      tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, "same")))([x, w]);
      tf.grads((aa: tf.Tensor) => tf.sum(tf.matMul(aa, aa, false, true)))([a]);
      tf.tile(tf.slice(x, [0, 0, 0, 1], [2, 8, 8, 2]), [1, 2, 1, 1]);
    });
  step();
  const before = tf.memory().numTensors;
  const dataIds = tf.engine().backend.numDataIds();
  nativeWasmKernelCounts(true);
  for (let i = 0; i < 5; i++) step();
  assert.ok((nativeWasmKernelCounts().Conv2DBackpropFilter?.native ?? 0) >= 5);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(tf.engine().backend.numDataIds(), dataIds);
  tf.dispose([x, w, a]);
});

test("the wasm heap growing between calls (a new ArrayBuffer) is handled", { skip }, async () => {
  await tf.setBackend("wasm");
  const heapBytes = (): number => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
  const first = await compare("matMul before growth", (a, b) => tf.matMul(a, b), [input([16, 24], 600), input([24, 8], 601)]);
  ranNative(first, "BatchMatMul", "before growth");
  const before = heapBytes();
  const big = tf.zeros([Math.ceil(before / 4) + 1024]); // more than the whole heap: it must grow
  assert.ok(heapBytes() > before, `the heap did not grow (${before} → ${heapBytes()} bytes)`);
  const second = await compare("matMul after growth", (a, b) => tf.matMul(a, b), [input([16, 24], 602), input([24, 8], 603)]);
  ranNative(second, "BatchMatMul", "after growth");
  const conv = await compare("conv after growth", (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"), [
    input([1, 6, 6, 2], 604),
    input([3, 3, 2, 2], 605),
  ]);
  ranNative(conv, "Conv2D", "after growth");
  big.dispose();
});

test("uninstalling puts the previous wasm kernels back (no native calls), installing again restores the native ones", { skip }, async () => {
  const native = tf.getKernel("Conv2DBackpropFilter", "wasm");
  uninstallNativeWasmKernels();
  try {
    assert.notEqual(tf.getKernel("Conv2DBackpropFilter", "wasm")?.kernelFunc, native?.kernelFunc);
    const counts = await compare("conv on the wasm kernels", (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"), [
      input([2, 9, 9, 3], 700),
      input([3, 3, 3, 4], 701),
    ]);
    assert.deepEqual(counts, {});
  } finally {
    assert.equal(installNativeWasmKernels().ok, true);
  }
  assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm")?.kernelFunc, native?.kernelFunc);
});

const BACKEND_JS = path.resolve(__dirname, "..", "src", "engine", "backend.js");

/** initBackend("wasm") in a fresh process: the report and the kernel config of BatchMatMul in use. */
function wasmIn(env: Record<string, string | undefined>): { report: BackendReport; summary: string; batchMatMulIsBuiltin: boolean } {
  const code = `const tf = require("@tensorflow/tfjs"); const b = require(${JSON.stringify(BACKEND_JS)});
    b.initBackend("wasm").then((r) => console.log("REPORT " + JSON.stringify({ report: r, summary: b.backendSummary(r),
      batchMatMulIsBuiltin: tf.getKernel("BatchMatMul", "wasm").kernelFunc.name === "batchMatMul" && tf.getKernel("BatchMatMul", "wasm").setupFunc != null })));`;
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) childEnv[k] = v;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: childEnv });
  const line = r.stdout.split("\n").find((l) => l.startsWith("REPORT "));
  assert.ok(line, `no result: ${r.stdout}${r.stderr}`);
  return JSON.parse(line.slice(7));
}

test("initBackend installs them on wasm and says so; RUNBOOK_NATIVE=off leaves the wasm kernels and says why", { skip }, () => {
  const on = wasmIn({ RUNBOOK_NATIVE: undefined });
  assert.equal(on.report.nativeKernels.ok, true);
  assert.ok(on.report.nativeKernels.kernels.includes("BatchMatMul") && on.report.nativeKernels.kernels.includes("Conv2DBackpropFilter"));
  assert.match(on.summary, /^wasm \+ native oneDNN kernels \(BatchMatMul, _FusedMatMul, Conv2D, /);
  assert.equal(on.batchMatMulIsBuiltin, false);
  const off = wasmIn({ RUNBOOK_NATIVE: "off" });
  assert.equal(off.report.nativeKernels.ok, false);
  assert.match(off.report.nativeKernels.reason, /disabled by RUNBOOK_NATIVE=off/);
  assert.doesNotMatch(off.summary, /native/);
  assert.equal(off.batchMatMulIsBuiltin, true, "with RUNBOOK_NATIVE=off BatchMatMul must be tfjs's own wasm kernel");
  assert.deepEqual(off.report.patchedKernels, ["Conv2DBackpropFilter", "Conv2DBackpropInput (as a forward conv)"]);
});
