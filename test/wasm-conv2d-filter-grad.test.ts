// Checks the wasm Conv2DBackpropFilter kernel against the cpu backend's reference kernel.
//
// Error metric: max over elements of |wasm − cpu| / max(1, |cpu|).
// Tolerance: 1e-4 for reductions of up to 1024 terms per dW element (L = n·oh·ow); measured ~1e-7..2e-5.
// The cpu kernel accumulates in float64, the wasm (XNNPACK) conv in float32, so the error of a
// float32 sum grows like √L; for longer reductions (LeNet conv1 at batch 4: L = 3136) the tolerance
// is scaled to 1e-4·√(L/1024) (≈1.75e-4). A plain float32 sequential sum of the same LeNet conv1
// case is off by 4e-5..7e-5 from the float64 result, so ~1e-4 there is float32 rounding, not a bug;
// a real indexing/padding bug gives errors of order 1.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmConv2DBackpropFilter } from "../src/engine/wasm-conv2d-filter-grad";
import { type ConvCase, compareConvGradient } from "./helpers/conv-grad";
import { maxRelErr, randn } from "./helpers/numeric";

const TOL = 1e-4;
/** Tolerance for a dW whose elements each sum L = n·oh·ow products (see header). */
const tolFor = (L: number): number => TOL * Math.max(1, Math.sqrt(L / 1024));
/** The wasm filter gradient against cpu's for one case, with its tolerance. */
async function compare(c: ConvCase, seed: number): Promise<{ err: number; tol: number }> {
  const { err, reductionLength } = await compareConvGradient(c, "filter", seed);
  return { err, tol: tolFor(reductionLength) };
}

before(async () => {
  await tf.setBackend("wasm");
  await tf.ready();
  assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm"), undefined, "wasm should lack the kernel before registering");
  registerWasmConv2DBackpropFilter();
});

test("unregistered wasm backend really lacks the kernel; registration is idempotent", () => {
  const k1 = tf.getKernel("Conv2DBackpropFilter", "wasm");
  assert.ok(k1);
  const warnings: unknown[] = [];
  const origWarn = console.warn;
  console.warn = (...a: unknown[]) => void warnings.push(a);
  try {
    registerWasmConv2DBackpropFilter();
    registerWasmConv2DBackpropFilter();
  } finally {
    console.warn = origWarn;
  }
  assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm"), k1);
  assert.deepEqual(warnings, []);
});

test("filter gradient matches cpu over sizes × kernels × strides × padding × batch", async (t) => {
  const results: string[] = [];
  let seed = 100;
  let worst = 0;
  for (const size of [7, 8]) {
    for (const k of [1, 3, 5]) {
      for (const s of [1, 2]) {
        for (const pad of ["valid", "same"] as const) {
          for (const n of [1, 4]) {
            const c: ConvCase = { name: `${size}x${size} k${k} s${s} ${pad} n${n}`, x: [n, size, size, 2], w: [k, k, 2, 3], strides: s, pad };
            const { err, tol } = await compare(c, (seed += 10));
            worst = Math.max(worst, err);
            results.push(`${c.name}: ${err.toExponential(2)}`);
            assert.ok(err <= tol, `${c.name}: max rel err ${err} > ${tol}`);
          }
        }
      }
    }
  }
  t.diagnostic(`grid worst max err = ${worst.toExponential(2)}`);
  console.log(`[grid] worst ${worst.toExponential(2)}\n  ` + results.join("\n  "));
});

const namedCases: ConvCase[] = [
  { name: "LeNet conv1 32x32 3→6 k5 s1 valid n1", x: [1, 32, 32, 3], w: [5, 5, 3, 6], strides: 1, pad: "valid" },
  { name: "LeNet conv1 32x32 3→6 k5 s1 valid n4", x: [4, 32, 32, 3], w: [5, 5, 3, 6], strides: 1, pad: "valid" },
  { name: "LeNet conv2 14x14 6→16 k5 s1 valid n4", x: [4, 14, 14, 6], w: [5, 5, 6, 16], strides: 1, pad: "valid" },
  { name: "32x32 3→6 k5 s2 same n1", x: [1, 32, 32, 3], w: [5, 5, 3, 6], strides: 2, pad: "same" },
  { name: "8x7 non-square, strides [2,1], k3 same n4", x: [4, 8, 7, 2], w: [3, 3, 2, 4], strides: [2, 1], pad: "same" },
  { name: "8x8 k3 s2 numeric pad 1 n4", x: [4, 8, 8, 2], w: [3, 3, 2, 3], strides: 2, pad: 1 },
  {
    name: "7x7 k3 s2 explicit pad [[1,2],[0,1]] n4",
    x: [4, 7, 7, 2],
    w: [3, 3, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { name: "9x9 k2 s3 valid (unused trailing rows) n4", x: [4, 9, 9, 1], w: [2, 2, 1, 5], strides: 3, pad: "valid" },
];

for (const c of namedCases) {
  test(`filter gradient matches cpu: ${c.name}`, async (t) => {
    const { err, tol } = await compare(c, 7);
    t.diagnostic(`max err = ${err.toExponential(2)} (tol ${tol.toExponential(2)})`);
    console.log(`[case] ${c.name}: max err ${err.toExponential(2)} (tol ${tol.toExponential(2)})`);
    assert.ok(err <= tol, `max rel err ${err} > ${tol}`);
  });
}

test("full LeNet-style tf.grads through conv→relu→maxPool×2 matches cpu", async (t) => {
  await tf.setBackend("cpu");
  const xv = randn([4, 32, 32, 3], 1);
  const w1v = randn([5, 5, 3, 6], 2);
  const w2v = randn([5, 5, 6, 16], 3);
  const rv = randn([4, 5, 5, 16], 4);
  const run = async (backend: string): Promise<Float32Array[]> => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor4d(xv, [4, 32, 32, 3]);
      const r = tf.tensor4d(rv, [4, 5, 5, 16]);
      const f = (w1: tf.Tensor, w2: tf.Tensor): tf.Scalar => {
        const h1 = tf.maxPool(tf.relu(tf.conv2d(x, w1 as tf.Tensor4D, 1, "valid")), 2, 2, "valid"); // 14×14×6
        const h2 = tf.maxPool(tf.relu(tf.conv2d(h1, w2 as tf.Tensor4D, 1, "valid")), 2, 2, "valid"); // 5×5×16
        return tf.sum(tf.mul(h2, r));
      };
      const gs = tf.grads(f)([tf.tensor4d(w1v, [5, 5, 3, 6]), tf.tensor4d(w2v, [5, 5, 6, 16])]);
      return gs.map((g) => g.dataSync().slice() as Float32Array);
    });
  };
  const ref = await run("cpu");
  const got = await run("wasm");
  const errs = got.map((g, i) => maxRelErr(g, ref[i]));
  const tols = [tolFor(4 * 28 * 28), tolFor(4 * 10 * 10)];
  const msg = errs.map((e, i) => `dW${i + 1} ${e.toExponential(2)} (tol ${tols[i].toExponential(2)})`).join(", ");
  t.diagnostic(`max err ${msg}`);
  console.log(`[lenet] ${msg}`);
  errs.forEach((e, i) => assert.ok(e <= tols[i], `dW${i + 1}: max rel err ${e} > ${tols[i]}`));
});

test("memory is flat on wasm after 50 gradient computations (engine and backend buffers)", async () => {
  await tf.setBackend("wasm");
  const x = tf.randomNormal([4, 14, 14, 6], 0, 1, "float32", 5) as tf.Tensor4D;
  const w = tf.randomNormal([5, 5, 6, 16], 0, 1, "float32", 6) as tf.Tensor4D;
  const step = (): void => {
    tf.tidy(() => {
      const g = tf.grad((wt: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, wt as tf.Tensor4D, 2, "same"))))(w);
      g.dataSync();
    });
  };
  step(); // warm-up (lazy kernel setup, caches)
  const before = tf.memory();
  const beforeIds = tf.backend().numDataIds(); // catches kernel-internal intermediates the engine never sees
  for (let i = 0; i < 50; i++) step();
  const after = tf.memory();
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytes, before.numBytes);
  assert.equal(tf.backend().numDataIds(), beforeIds);
  x.dispose();
  w.dispose();
});

test("unsupported dataFormat NCHW throws a clear error naming the attribute", async () => {
  await tf.setBackend("wasm");
  const x = tf.zeros([1, 2, 5, 5]);
  const dy = tf.zeros([1, 3, 3, 3]);
  const idsBefore = tf.backend().numDataIds();
  assert.throws(
    () =>
      tf.engine().runKernel(
        "Conv2DBackpropFilter",
        { x, dy },
        {
          strides: 1,
          pad: "valid",
          dataFormat: "NCHW",
          filterShape: [3, 3, 2, 3],
        },
      ),
    /dataFormat='NCHW'.*only 'NHWC'/,
  );
  assert.equal(tf.backend().numDataIds(), idsBefore);
  tf.dispose([x, dy]);
});
