/**
 * The native fused training step (src/engine/native/seq-train.ts on native/src/*.cc) against the
 * tfjs cpu backend as reference: loss and every parameter gradient for conv (valid/same, strides
 * 1/2, odd/even kernels, ReLU/linear), max-pool (2×2/2, 3×3/2 overlapping, 2×3), flatten and dense
 * layers at several batch sizes, on every SIMD kernel set the CPU has; whole training runs against
 * trainClassifier's tfjs step; memory; the oneDNN version check; the fallback when the addon is
 * off. Every test stands alone (none reads state another left). Where the addon cannot be built
 * here (no g++ or libdnnl-dev), the tests assert the fallback reason instead; where both are
 * present the addon must have built.
 */
import { test, before, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadNative, nativeStepReason, resetNativeForTests } from "../src/engine/native/addon";

const NATIVE_SIMD_ENV = "RUNBOOK_NATIVE_SIMD";
import { nativeTrainerFor, planNativeTraining, NativeSeqTrainer } from "../src/engine/native/seq-train";
import { buildLeNet } from "../src/models/model";
import { labels, scaleRelErr, uniform } from "./helpers/numeric";
import { evaluateClassifier, trainClassifier } from "../src/training/train";
import { readEnvText } from "../src/core/env";

const status = loadNative();
const toolsPresent =
  spawnSync("sh", ["-c", "command -v g++"], { stdio: "ignore" }).status === 0 &&
  (fs.existsSync("/usr/include/oneapi/dnnl/dnnl.hpp") || fs.existsSync("/usr/include/dnnl.hpp"));
const skipNative = status.ok ? false : "native addon not available";

before(async () => {
  await tf.setBackend("cpu");
});

/** Reference: loss and gradients of softmax cross-entropy (mean) on the tfjs cpu backend, in trainableWeights order. */
function tfjsGradients(net: tf.LayersModel, x: Float32Array, y: Int32Array, inShape: number[]): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const xb = tf.tensor(x, [y.length, ...inShape]);
    const yb = tf.oneHot(tf.tensor1d(y, "int32"), net.outputs[0].shape[1] as number);
    const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yb, net.apply(xb, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
  });
}

const GRAD_TOL = 1e-4; // relative; measured ≈ 1e-6 at most (float32 summation order differs), printed by each test

/** The largest differences one test measured (printed as its diagnostic, for the record). */
interface Parity {
  grad: number;
  loss: number;
}

function reportParity(t: TestContext, parity: Parity): void {
  t.diagnostic(`largest gradient difference ${parity.grad.toExponential(2)} (relative to the gradient's max), loss ${parity.loss.toExponential(2)}`);
}

function checkGradients(name: string, build: () => tf.LayersModel, inShape: number[], batches: number[], seed: number, parity: Parity): void {
  const net = build();
  const plan = planNativeTraining(net, {});
  assert.ok(plan.ok, `${name}: ${plan.ok ? "" : plan.reason}`);
  const trainer = new NativeSeqTrainer(status.addon!, net, plan as Extract<typeof plan, { ok: true }>);
  const classes = net.outputs[0].shape[1] as number;
  for (const batch of batches) {
    const size = inShape.reduce((p, d) => p * d, 1);
    const x = uniform(batch * size, seed + batch, -1, 1);
    const y = labels(batch, classes, seed + 100 + batch);
    const ref = tfjsGradients(net, x, y, inShape);
    const got = trainer.gradients(x, y, batch);
    assert.ok(Math.abs(got.loss - ref.loss) <= 1e-5 * Math.max(1, ref.loss), `${name} batch ${batch}: loss ${got.loss} vs ${ref.loss}`);
    parity.loss = Math.max(parity.loss, Math.abs(got.loss - ref.loss));
    got.grads.forEach((g, i) => {
      const e = scaleRelErr(g, ref.grads[i]);
      parity.grad = Math.max(parity.grad, e);
      assert.ok(e <= GRAD_TOL, `${name} batch ${batch}: gradient of ${net.trainableWeights[i].name} differs by ${e.toExponential(2)} (relative)`);
    });
  }
  net.dispose();
}

test("the native addon builds and loads where g++ and libdnnl-dev are present; else a reason is given", () => {
  if (toolsPresent && readEnvText("RUNBOOK_NATIVE") === undefined)
    assert.ok(status.ok, `g++ and oneDNN are here but the addon is unavailable: ${status.reason}`);
  if (status.ok) assert.match(status.reason, /^oneDNN \d+\.\d+/);
  else assert.match(status.reason, /not built|does not load|disabled/);
});

test("each native step's reason says what it computes with and the thread count at the time (setNumThreads can change it)", { skip: skipNative }, () => {
  const addon = status.addon!;
  const before = addon.getNumThreads();
  try {
    addon.setNumThreads(2);
    const seq = nativeTrainerFor(buildLeNet({ inputShape: [16, 16, 1], seed: 1 }), { optimizer: "sgd" });
    assert.match(
      seq.reason,
      new RegExp(`^native fused step \\(oneDNN .*, 2 threads, oneDNN conv \\+ sgemm, ${addon.simd()} direct conv on ≤ 4 input channels\\)$`),
    );
    addon.setNumThreads(1);
    assert.match(nativeStepReason(addon, "sequential"), /, 1 thread, /);
    assert.match(nativeStepReason(addon, "gpt"), /, 1 thread, oneDNN sgemm, own attention\/LayerNorm\/GELU loops$/);
    assert.match(nativeStepReason(addon, "wasm-kernels"), /, 1 thread, oneDNN primitives$/);
  } finally {
    addon.setNumThreads(before);
  }
});

test(
  "argument errors from every binding file (one set of helpers, native/src/napi_args.h) are JavaScript errors naming the argument",
  { skip: skipNative },
  () => {
    const call = status.addon as unknown as Record<string, (...args: unknown[]) => unknown>;
    assert.throws(() => call.numParams(), /^Error: expected 1 arguments, got 0$/);
    assert.throws(() => call.setNumThreads("two"), /^Error: threads must be a number$/);
    assert.throws(() => call.createNet([3, 3, 1], [{ kind: "bogus" }]), /unknown layer kind 'bogus'/);
    assert.throws(() => call.createNet([3, 3, 1], [{ kind: "conv", cout: 2, kh: 3, kw: 3, relu: 1 }]), /relu must be a boolean/);
    assert.throws(() => call.createGraphNet([3, 3, 1], [{ inputs: [-1] }], {}, 1), /graph node 0 has no kind/);
    assert.throws(() => call.graphNumArrays({}, "param"), /expected a graph network handle/);
    const gpt = { vocabSize: 1.5, contextLength: 4, dModel: 8, numHeads: 2, numLayers: 1, dFF: 16, tieWeights: true };
    assert.throws(() => call.createTransformer(gpt, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }), /vocabSize must be an integer; got 1\.5/);
    assert.throws(() => call.createTransformer(gpt), /^Error: createTransformer: expected 2 arguments, got 1$/);
    assert.throws(() => call.wasmUnary(new Float32Array(4), 0, 0, 4, 0), /wasmUnary: heap must be the wasm memory's ArrayBuffer/);
    assert.throws(() => call.wasmUnary(new ArrayBuffer(16), 0, 0, 4, "tanh"), /wasmUnary: argument 4 must be a number/);
  },
);

test("the C++ needs oneDNN 2.x headers and says so in its compile error", { skip: toolsPresent ? false : "no g++ or oneDNN headers" }, () => {
  const guard = path.resolve(__dirname, "..", "..", "native", "src", "onednn_version.h");
  const compile = (includeDir?: string): { status: number | null; stderr: string } =>
    spawnSync("g++", ["-fsyntax-only", "-x", "c++", ...(includeDir ? ["-I", includeDir] : []), guard], { encoding: "utf8" });
  assert.equal(compile().status, 0, "the installed oneDNN headers pass the check");
  const fake = fs.mkdtempSync(path.join(os.tmpdir(), "onednn3-"));
  try {
    fs.mkdirSync(path.join(fake, "oneapi", "dnnl"), { recursive: true });
    fs.writeFileSync(path.join(fake, "oneapi", "dnnl", "dnnl_version.h"), "#define DNNL_VERSION_MAJOR 3\n#define DNNL_VERSION_MINOR 1\n");
    const r = compile(fake);
    assert.notEqual(r.status, 0, "oneDNN 3 headers must stop the build");
    assert.match(r.stderr, /need oneDNN 2\.x .*libdnnl-dev/);
  } finally {
    fs.rmSync(fake, { recursive: true, force: true });
  }
});

test("LeNet (§5): loss and all 10 gradients equal the tfjs cpu backend at batch 1, 4, 7 and 64", { skip: skipNative }, (t) => {
  const parity = { grad: 0, loss: 0 };
  checkGradients("LeNet", () => buildLeNet({ inputShape: [32, 32, 3], seed: 3 }), [32, 32, 3], [1, 4, 7, 64], 10, parity);
  checkGradients("LeNet greyscale", () => buildLeNet({ inputShape: [32, 32, 1], seed: 5 }), [32, 32, 1], [4], 20, parity);
  reportParity(t, parity);
});

test("conv padding same/valid, strides 1/2, even and non-square kernels, linear conv, overlapping and non-square pools", { skip: skipNative }, (t) => {
  const parity = { grad: 0, loss: 0 };
  const init = (
    s: number,
  ): { kernelInitializer: ReturnType<typeof tf.initializers.randomUniform>; biasInitializer: ReturnType<typeof tf.initializers.randomUniform> } => ({
    kernelInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: s }),
    biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: s + 1 }),
  });
  const cases: { name: string; inShape: [number, number, number]; layers: (s: number) => tf.layers.Layer[] }[] = [
    {
      name: "same stride 2, 3×3/2 pool",
      inShape: [13, 11, 2],
      layers: (s) => [
        tf.layers.conv2d({ inputShape: [13, 11, 2], filters: 5, kernelSize: 3, strides: 2, padding: "same", activation: "relu", ...init(s) }),
        tf.layers.conv2d({ filters: 4, kernelSize: 2, padding: "same", activation: "relu", ...init(s + 2) }),
        tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, ...init(s + 4) }),
      ],
    },
    {
      name: "even kernel same stride 1, non-square kernel, linear conv, 2×3 pool",
      inShape: [12, 12, 3],
      layers: (s) => [
        tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 4, padding: "same", activation: "relu", ...init(s) }),
        tf.layers.conv2d({ filters: 6, kernelSize: [3, 2], padding: "valid", ...init(s + 2) }),
        tf.layers.maxPooling2d({ poolSize: [2, 3], strides: [2, 3] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 7, activation: "relu", ...init(s + 4) }),
        tf.layers.dense({ units: 4, ...init(s + 6) }),
      ],
    },
    {
      name: "stride 2 valid, 1 channel, pool first layer after input",
      inShape: [16, 16, 1],
      layers: (s) => [
        tf.layers.maxPooling2d({ inputShape: [16, 16, 1], poolSize: 2, strides: 2 }),
        tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: "valid", activation: "relu", ...init(s) }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, ...init(s + 2) }),
      ],
    },
  ];
  for (const c of cases) {
    const build = (): tf.LayersModel => {
      const m = tf.sequential();
      c.layers(11).forEach((l) => m.add(l));
      return m;
    };
    checkGradients(c.name, build, c.inShape, [1, 3, 8], 30, parity);
  }
  reportParity(t, parity);
});

test("dense-only networks on feature vectors [n, f]", { skip: skipNative }, (t) => {
  const parity = { grad: 0, loss: 0 };
  const build = (): tf.LayersModel => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ inputShape: [6], units: 9, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
    return m;
  };
  checkGradients("MLP", build, [6], [1, 5, 32], 40, parity);
  reportParity(t, parity);
});

/** The direct stride-1 conv kernel (RUNBOOK_NATIVE_CONV=direct, forward and backward) against tfjs. */
function checkDirectKernel(label: string, parity: Parity): void {
  process.env.RUNBOOK_NATIVE_CONV = "direct";
  try {
    checkGradients(`LeNet direct ${label}`, () => buildLeNet({ inputShape: [32, 32, 3], seed: 7 }), [32, 32, 3], [1, 4, 9], 50, parity);
    const build = (): tf.LayersModel => {
      const m = tf.sequential();
      m.add(
        tf.layers.conv2d({
          inputShape: [9, 20, 2],
          filters: 11,
          kernelSize: 4,
          padding: "same",
          activation: "relu",
          kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        }),
      );
      m.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }));
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }));
      return m;
    };
    checkGradients(`same-padded direct ${label}`, build, [9, 20, 2], [2, 5], 60, parity);
  } finally {
    delete process.env.RUNBOOK_NATIVE_CONV;
  }
}

test("the direct stride-1 conv kernel (RUNBOOK_NATIVE_CONV=direct) gives the same gradients", { skip: skipNative }, (t) => {
  const parity = { grad: 0, loss: 0 };
  checkDirectKernel("(default SIMD path)", parity);
  reportParity(t, parity);
});

test("every SIMD kernel set this CPU has (RUNBOOK_NATIVE_SIMD: the portable baseline, avx2, avx512) gives the same gradients", { skip: skipNative }, (t) => {
  const sets = status.addon!.supportedSimd();
  assert.equal(sets[0], "baseline", "the portable kernels are always there");
  const parity = { grad: 0, loss: 0 };
  try {
    for (const simd of sets) {
      process.env[NATIVE_SIMD_ENV] = simd;
      resetNativeForTests();
      const forced = loadNative();
      assert.ok(forced.ok && forced.addon.simd() === simd, `${NATIVE_SIMD_ENV}=${simd}: ${forced.reason}`);
      assert.match(forced.reason, new RegExp(`, ${simd} direct conv kernels$`));
      checkDirectKernel(`(${simd})`, parity);
      // The default conv choice: direct forward on LeNet's 3-channel input, oneDNN for the rest.
      checkGradients(`LeNet (${simd})`, () => buildLeNet({ inputShape: [32, 32, 3], seed: 3 }), [32, 32, 3], [4], 10, parity);
    }
  } finally {
    delete process.env[NATIVE_SIMD_ENV];
    resetNativeForTests();
    loadNative();
  }
  t.diagnostic(`kernel sets checked: ${sets.join(", ")}`);
  reportParity(t, parity);
});

/** LeNet on 64 seeded random 32×32×3 images. */
function lenetData(n: number, seed: number): { X: tf.Tensor4D; y: tf.Tensor1D } {
  return { X: tf.tensor4d(uniform(n * 3072, seed), [n, 32, 32, 3]), y: tf.tensor1d(labels(n, 10, seed + 1), "int32") };
}

test(
  "trainClassifier: native and tfjs steps give the same losses and weights after 3 epochs (SGD with and without momentum)",
  { skip: skipNative },
  async () => {
    const data = lenetData(48, 70);
    for (const momentum of [0.9, 0]) {
      const a = buildLeNet({ inputShape: [32, 32, 3], seed: 8 });
      const b = buildLeNet({ inputShape: [32, 32, 3], seed: 8 });
      const opts = { numEpochs: 3, batchSize: 5, lr: 0.01, momentum, seed: 4, logEvery: 4 };
      const ha = await trainClassifier(a, data, opts);
      const hb = await trainClassifier(b, data, { ...opts, engine: "tfjs" });
      assert.equal(ha.engine, "native");
      assert.equal(hb.engine, "tfjs");
      assert.equal(ha.steps, 30);
      assert.deepEqual(
        ha.losses.map((l) => [l.epoch, l.batch]),
        hb.losses.map((l) => [l.epoch, l.batch]),
      );
      ha.losses.forEach((l, i) => assert.ok(Math.abs(l.meanLoss - hb.losses[i].meanLoss) < 1e-4, `loss ${l.meanLoss} vs ${hb.losses[i].meanLoss}`));
      a.getWeights().forEach((w, i) => {
        const e = scaleRelErr(w.dataSync() as Float32Array, b.getWeights()[i].dataSync() as Float32Array);
        assert.ok(e < 1e-4, `μ=${momentum}: weight ${i} differs by ${e.toExponential(2)} (relative) after 30 steps`);
      });
      a.dispose();
      b.dispose();
    }
    tf.dispose([data.X, data.y]);
  },
);

test("memory: tensor count flat and no RSS growth over 2,000 native steps at batch 4", { skip: skipNative }, async () => {
  const data = lenetData(400, 80);
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 9 });
  const opts = { numEpochs: 1, batchSize: 4, lr: 0.001, momentum: 0.9, seed: 1 };
  await trainClassifier(net, data, opts); // warm-up: plans, buffers
  const tensors = tf.memory().numTensors;
  const rss0 = process.memoryUsage().rss;
  const h = await trainClassifier(net, data, { ...opts, numEpochs: 20 });
  assert.equal(h.steps, 2000);
  assert.equal(h.engine, "native");
  assert.equal(tf.memory().numTensors, tensors, "tensors leaked");
  const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
  assert.ok(grown < 30, `RSS grew by ${grown.toFixed(1)} MB over 2,000 steps`);
  net.dispose();
  tf.dispose([data.X, data.y]);
});

test("the sequential step says why it does not take a model; unsupported models fall back to the tfjs step", { skip: skipNative }, async () => {
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 1 });
  // Adam and Dropout are the graph step's (test/native-graph-train.test.ts), not the sequential step's.
  assert.match((planNativeTraining(net, { optimizer: "adam" }) as { reason: string }).reason, /optimizer 'adam'/);
  const withDropout = tf.sequential();
  withDropout.add(tf.layers.dense({ inputShape: [4], units: 4, activation: "relu" }));
  withDropout.add(tf.layers.dropout({ rate: 0.5 }));
  withDropout.add(tf.layers.dense({ units: 2 }));
  assert.match((planNativeTraining(withDropout, {}) as { reason: string }).reason, /unsupported layer Dropout/);
  const softmaxOut = tf.sequential();
  softmaxOut.add(tf.layers.dense({ inputShape: [4], units: 2, activation: "softmax" }));
  assert.match(nativeTrainerFor(softmaxOut, {}).reason, /unsupported Dense activation 'softmax'/);
  const data = { X: tf.tensor2d(uniform(8 * 4, 90), [8, 4]), y: tf.tensor1d(labels(8, 2, 91), "int32") };
  const h = await trainClassifier(softmaxOut, data, { numEpochs: 1, batchSize: 4, lr: 0.001, seed: 1 });
  assert.equal(h.engine, "tfjs");
  assert.match(h.engineReason ?? "", /softmax/);
  tf.dispose([data.X, data.y]);
  [net, withDropout, softmaxOut].forEach((m) => m.dispose());
});

test("RUNBOOK_NATIVE=off: trainClassifier uses the tfjs step and reports why", () => {
  const train = path.resolve(__dirname, "..", "src", "training", "train.js");
  const model = path.resolve(__dirname, "..", "src", "models", "model.js");
  const code = `const tf = require('@tensorflow/tfjs');
    tf.setBackend('cpu').then(async () => {
      const net = require(${JSON.stringify(model)}).buildLeNet({ inputShape: [32, 32, 1], seed: 1 });
      const X = tf.zeros([4, 32, 32, 1]); const y = tf.tensor1d([0, 1, 2, 3], 'int32');
      const h = await require(${JSON.stringify(train)}).trainClassifier(net, { X, y }, { numEpochs: 1, batchSize: 2, lr: 0.01, seed: 1 });
      console.log('RESULT ' + JSON.stringify({ engine: h.engine, reason: h.engineReason }));
    });`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { ...process.env, RUNBOOK_NATIVE: "off" } });
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line, r.stdout + r.stderr);
  const res = JSON.parse(line.slice(7)) as { engine: string; reason: string };
  assert.equal(res.engine, "tfjs");
  assert.match(res.reason, /disabled by RUNBOOK_NATIVE=off/);
});

test("RUNBOOK_NATIVE_THREADS that is neither auto nor a positive integer is an error naming it", () => {
  const addon = path.resolve(__dirname, "..", "src", "engine", "native", "addon.js");
  const code = `try { require(${JSON.stringify(addon)}).loadNative(); console.log('LOADED'); } catch (e) { console.log('ERROR ' + e.message); }`;
  for (const bad of ["two", "0", "-1", "1.5"]) {
    const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { ...process.env, RUNBOOK_NATIVE: "on", RUNBOOK_NATIVE_THREADS: bad } });
    assert.match(r.stdout, new RegExp(`ERROR RUNBOOK_NATIVE_THREADS=${bad.replace(".", "\\.")}: expected "auto" or a positive integer`), r.stdout + r.stderr);
  }
});

test("RUNBOOK_NATIVE_SIMD that is not a kernel set is an error naming it", () => {
  const addon = path.resolve(__dirname, "..", "src", "engine", "native", "addon.js");
  const code = `try { require(${JSON.stringify(addon)}).loadNative(); console.log('LOADED'); } catch (e) { console.log('ERROR ' + e.message); }`;
  const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { ...process.env, RUNBOOK_NATIVE: "on", RUNBOOK_NATIVE_SIMD: "sse9" } });
  assert.match(r.stdout, /ERROR RUNBOOK_NATIVE_SIMD=sse9: expected one of auto, baseline, avx2, avx512/, r.stdout + r.stderr);
});

test("the backend report says whether the native step is used, and why not when it is off", () => {
  const backendJs = path.resolve(__dirname, "..", "src", "engine", "backend.js");
  const run = (env: Record<string, string>): { native: { ok: boolean; reason: string }; rows: { backend: string; used: string; why: string }[] } => {
    const code = `const b = require(${JSON.stringify(backendJs)}); b.initBackend().then((r) => console.log('REPORT ' + JSON.stringify({ native: r.native, rows: b.backendRows(r) })));`;
    const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", env: { ...process.env, ...env } });
    const line = r.stdout.split("\n").find((l) => l.startsWith("REPORT "));
    assert.ok(line, r.stdout + r.stderr);
    return JSON.parse(line.slice(7));
  };
  const on = run({});
  const row = on.rows.find((r) => r.backend === "native (oneDNN)");
  assert.ok(row, "a native row in the backend table");
  assert.equal(on.native.ok, status.ok);
  if (status.ok) assert.match(row.why, /oneDNN .*fused step/);
  const off = run({ RUNBOOK_NATIVE: "off" });
  assert.equal(off.native.ok, false);
  assert.match(off.rows.find((r) => r.backend === "native (oneDNN)")?.why ?? "", /disabled by RUNBOOK_NATIVE=off; training runs on/);
});

test("evaluateClassifier: native predictions equal net.apply on the cpu backend", { skip: skipNative }, () => {
  const data = lenetData(300, 95);
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 12 });
  const a = evaluateClassifier(net, data, 64);
  const b = evaluateClassifier(net, data, 64, "tfjs");
  assert.deepEqual(Array.from(a.yPred), Array.from(b.yPred));
  assert.equal(a.accuracy, b.accuracy);
  net.dispose();
  tf.dispose([data.X, data.y]);
});
