import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildLeNet } from "../src/models/model";
import { createOptimizer, disposeOptimizer, evaluateClassifier, trainClassifier, TrainLogEntry, TrainOptions, TrainProgress } from "../src/training/train";
import { learningRateAt } from "../src/training/lr-schedule";
import { mulberry32 } from "../src/core/random";

before(async () => {
  await tf.setBackend("cpu");
});

/** An MLP on 2-D points: [batch, 2] → [batch, numClasses] logits. */
function mlp(seed: number, numClasses = 2, hidden = 16): tf.LayersModel {
  const net = tf.sequential();
  net.add(tf.layers.dense({ inputShape: [2], units: hidden, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed }) }));
  net.add(tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  return net;
}

/** Linearly separable points: label 1 iff x0 + 2·x1 > 0.2, with a margin. X: [n, 2], y: [n]. */
function separable(n: number, seed: number): { X: tf.Tensor2D; y: tf.Tensor1D } {
  const rng = mulberry32(seed);
  const xs: number[][] = [];
  const ys: number[] = [];
  while (ys.length < n) {
    const p = [rng() * 2 - 1, rng() * 2 - 1];
    const s = p[0] + 2 * p[1] - 0.2;
    if (Math.abs(s) < 0.1) continue; // margin
    xs.push(p);
    ys.push(s > 0 ? 1 : 0);
  }
  return { X: tf.tensor2d(xs), y: tf.tensor1d(ys, "int32") };
}

test("learns a linearly separable toy problem to >95% accuracy", async () => {
  const trainSet = separable(400, 1);
  const testSet = separable(200, 2);
  const net = mlp(7);
  const history = await trainClassifier(net, trainSet, { numEpochs: 15, batchSize: 8, lr: 0.05, momentum: 0.9, seed: 3 });
  const { accuracy, yTrue, yPred } = evaluateClassifier(net, testSet, 64);
  assert.ok(accuracy > 0.95, `accuracy ${accuracy}`);
  assert.equal(yTrue.length, 200);
  assert.equal(yPred.length, 200);
  assert.equal(history.steps, 15 * 50);
  assert.equal(history.losses.length, 15); // default: one entry per epoch
  assert.ok(history.losses[14].meanLoss < history.losses[0].meanLoss / 2, `loss ${history.losses[0].meanLoss} → ${history.losses[14].meanLoss}`);
  assert.ok(history.samplesPerSec > 0 && history.seconds > 0);
  assert.equal(history.backend, "cpu");
  tf.dispose([trainSet.X, trainSet.y, testSet.X, testSet.y]);
  net.dispose();
});

test("adam also learns the toy problem", async () => {
  const trainSet = separable(400, 4);
  const net = mlp(9);
  await trainClassifier(net, trainSet, { numEpochs: 10, batchSize: 16, lr: 0.01, optimizer: "adam", seed: 1 });
  assert.ok(evaluateClassifier(net, trainSet).accuracy > 0.95);
  tf.dispose([trainSet.X, trainSet.y]);
  net.dispose();
});

test("same seed twice gives identical losses and final weights", async () => {
  const trainSet = separable(64, 5);
  const run = async () => {
    const net = mlp(21);
    const history = await trainClassifier(net, trainSet, { numEpochs: 3, batchSize: 4, lr: 0.01, momentum: 0.9, seed: 42, logEvery: 4 });
    const weights = net.getWeights().map((w) => Array.from(w.dataSync()));
    net.dispose();
    return { losses: history.losses, weights };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.weights, b.weights);
  // A different shuffle seed gives a different trajectory.
  const net = mlp(21);
  const c = await trainClassifier(net, trainSet, { numEpochs: 3, batchSize: 4, lr: 0.01, momentum: 0.9, seed: 43, logEvery: 4 });
  assert.notDeepEqual(c.losses, a.losses);
  net.dispose();
  tf.dispose([trainSet.X, trainSet.y]);
});

test("memory is flat: same tensor count after epochs 1 and 3, and after training as before", async () => {
  const trainSet = separable(40, 6);
  const net = mlp(3);
  const countsAtEpochEnd: number[] = [];
  const before = tf.memory().numTensors;
  await trainClassifier(net, trainSet, {
    numEpochs: 3,
    batchSize: 3,
    lr: 0.01,
    momentum: 0.9,
    seed: 0,
    onLog: () => countsAtEpochEnd.push(tf.memory().numTensors),
  });
  assert.equal(countsAtEpochEnd.length, 3);
  assert.equal(countsAtEpochEnd[0], countsAtEpochEnd[2], `tensors per epoch end: ${countsAtEpochEnd}`);
  assert.equal(tf.memory().numTensors, before, "optimizer state or batch tensors leaked");
  // Same for Adam, and for float32 labels (cast internally and disposed).
  const yFloat = trainSet.y.toFloat() as tf.Tensor1D;
  const before2 = tf.memory().numTensors;
  await trainClassifier(net, { X: trainSet.X, y: yFloat }, { numEpochs: 2, batchSize: 8, lr: 0.01, optimizer: "adam", seed: 0 });
  evaluateClassifier(net, trainSet, 7);
  assert.equal(tf.memory().numTensors, before2);
  tf.dispose([trainSet.X, trainSet.y, yFloat]);
  net.dispose();
});

test("LeNet training step keeps memory flat too", async () => {
  const n = 12;
  const X = tf.randomUniform([n, 32, 32, 3], -1, 1, "float32", 1); // [12, 32, 32, 3]
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    "int32",
  ); // [12]
  const net = buildLeNet({ inputShape: [32, 32, 3], seed: 0 });
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  const history = await trainClassifier(
    net,
    { X, y },
    {
      numEpochs: 3,
      batchSize: 4,
      lr: 0.001,
      momentum: 0.9,
      seed: 0,
      logEvery: 1,
      onLog: () => counts.push(tf.memory().numTensors),
    },
  );
  assert.equal(history.losses.length, 9);
  assert.equal(new Set(counts).size, 1, `tensor counts drift: ${counts}`);
  assert.equal(tf.memory().numTensors, before);
  for (const l of history.losses) assert.ok(Number.isFinite(l.meanLoss));
  // Untrained 10-class logits start near ln(10) ≈ 2.30.
  assert.ok(Math.abs(history.losses[0].meanLoss - Math.log(10)) < 0.3, `first loss ${history.losses[0].meanLoss}`);
  tf.dispose([X, y]);
  net.dispose();
});

test("logEvery cadence: floor(batchesPerEpoch / logEvery) entries per epoch, 1-based like the tutorial", async () => {
  const trainSet = separable(40, 7); // batch 4 → 10 batches per epoch
  const net = mlp(1);
  const logged: TrainLogEntry[] = [];
  const history = await trainClassifier(net, trainSet, {
    numEpochs: 2,
    batchSize: 4,
    lr: 0.01,
    seed: 0,
    logEvery: 3,
    onLog: (e) => logged.push(e),
  });
  assert.deepEqual(
    history.losses.map((l) => [l.epoch, l.batch]),
    [
      [1, 3],
      [1, 6],
      [1, 9],
      [2, 3],
      [2, 6],
      [2, 9],
    ],
  );
  assert.deepEqual(
    logged.map((l) => l.meanLoss),
    history.losses.map((l) => l.meanLoss),
  );
  for (const l of logged) assert.ok(l.samplesPerSec > 0);
  // A partial last batch still counts as a step: 41 samples → 11 batches.
  const bigger = separable(41, 8);
  const h2 = await trainClassifier(net, bigger, { numEpochs: 1, batchSize: 4, lr: 0.01, seed: 0 });
  assert.equal(h2.steps, 11);
  assert.deepEqual(
    h2.losses.map((l) => l.batch),
    [11],
  );
  tf.dispose([trainSet.X, trainSet.y, bigger.X, bigger.y]);
  net.dispose();
});

test("logged mean loss equals the mean of the per-batch cross-entropies", async () => {
  // With lr tiny the weights barely move, so each batch loss ≈ the loss of the initial net.
  const trainSet = separable(16, 9);
  const net = mlp(2);
  const expected = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(trainSet.y, 2), net.predict(trainSet.X) as tf.Tensor).dataSync()[0]);
  const history = await trainClassifier(net, trainSet, { numEpochs: 1, batchSize: 4, lr: 1e-9, seed: 0 });
  assert.ok(Math.abs(history.losses[0].meanLoss - expected) < 1e-5, `${history.losses[0].meanLoss} vs ${expected}`);
  tf.dispose([trainSet.X, trainSet.y]);
  net.dispose();
});

test("momentum matches PyTorch SGD (v = μv + g; p -= lr·v) over 2 steps by hand", async () => {
  // One sample x = [1], label 0, logits z = x·W with W: [1, 2] starting at 0, no bias.
  const net = tf.sequential();
  net.add(tf.layers.dense({ inputShape: [1], units: 2, useBias: false, kernelInitializer: "zeros" }));
  const X = tf.tensor2d([[1]]); // [1, 1]
  const y = tf.tensor1d([0], "int32"); // [1]
  const lr = 0.1;
  const mu = 0.9;
  await trainClassifier(net, { X, y }, { numEpochs: 2, batchSize: 1, lr, momentum: mu, seed: 0 });
  const W = Array.from(net.getWeights()[0].dataSync());

  // Hand computation. dL/dz = softmax(z) − onehot(y); dL/dW = x · dL/dz.
  const grad = (w: number[]): number[] => {
    const e0 = Math.exp(w[0]);
    const e1 = Math.exp(w[1]);
    return [e0 / (e0 + e1) - 1, e1 / (e0 + e1)];
  };
  let w = [0, 0];
  let v = [0, 0];
  for (let step = 0; step < 2; step++) {
    const g = grad(w);
    v = v.map((vi, i) => mu * vi + g[i]);
    w = w.map((wi, i) => wi - lr * v[i]);
  }
  // Step 1: g = [−0.5, 0.5], w = [0.05, −0.05]. Step 2: g = [σ(0.1) − 1, 1 − σ(0.1)], v = 0.9·g1 + g2.
  assert.ok(Math.abs(w[0] - 0.05 - lr * (0.45 + (1 - 1 / (1 + Math.exp(-0.1))))) < 1e-12);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(W[i] - w[i]) < 1e-6, `W[${i}] = ${W[i]}, expected ${w[i]}`);
  // Plain SGD (no momentum) would differ: step 2 without the 0.9·g1 term.
  assert.ok(Math.abs(W[0] - (0.05 + lr * (1 - 1 / (1 + Math.exp(-0.1))))) > 1e-3);
  tf.dispose([X, y]);
  net.dispose();
});

test("createOptimizer picks momentum, plain SGD or Adam", () => {
  const m = createOptimizer({ lr: 0.001, momentum: 0.9 });
  const s = createOptimizer({ lr: 0.001 });
  const a = createOptimizer({ lr: 0.001, optimizer: "adam" });
  // getClassName, not instanceof: tf.Optimizer duck-types Symbol.hasInstance.
  assert.deepEqual(
    [m, s, a].map((o) => o.getClassName()),
    ["Momentum", "SGD", "Adam"],
  );
  const before = tf.memory().numTensors;
  const m2 = createOptimizer({ lr: 0.001, momentum: 0.9 });
  disposeOptimizer(m2);
  assert.equal(tf.memory().numTensors, before, "disposeOptimizer left tensors behind");
  [m, s, a].forEach((o) => disposeOptimizer(o));
});

test("onProgress is throttled, ends at fraction 1, and reports ETA and running loss", async () => {
  const trainSet = separable(200, 10);
  const net = mlp(4);
  const progress: TrainProgress[] = [];
  await trainClassifier(net, trainSet, {
    numEpochs: 2,
    batchSize: 1,
    lr: 0.01,
    seed: 0,
    logEvery: 1000,
    onProgress: (p) => progress.push(p),
  });
  assert.ok(progress.length >= 2, `only ${progress.length} progress calls`);
  assert.ok(progress.length < 400 / 10, `${progress.length} progress calls for 400 steps: not throttled`);
  const last = progress[progress.length - 1];
  assert.deepEqual([last.epoch, last.numEpochs, last.batch, last.batchesPerEpoch, last.fraction], [2, 2, 200, 200, 1]);
  assert.equal(last.etaSeconds, 0);
  assert.ok(last.samplesPerSec > 0);
  // logEvery exceeds the epoch, so nothing is logged, but the running mean loss is still reported.
  for (const p of progress) assert.ok(p.lastMeanLoss !== null && Number.isFinite(p.lastMeanLoss));
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].fraction >= progress[i - 1].fraction);
  tf.dispose([trainSet.X, trainSet.y]);
  net.dispose();
});

test("rejects mismatched shapes and bad options with clear errors", async () => {
  const X = tf.zeros([4, 2]);
  const y = tf.tensor1d([0, 1, 0], "int32");
  const net = mlp(0);
  await assert.rejects(trainClassifier(net, { X, y }, { numEpochs: 1, batchSize: 2, lr: 0.1, seed: 0 }), /y must have shape \[4\]/);
  const y4 = tf.tensor1d([0, 1, 0, 1], "int32");
  await assert.rejects(trainClassifier(net, { X, y: y4 }, { numEpochs: 1, batchSize: 0, lr: 0.1, seed: 0 }), /batchSize must be a positive integer/);
  await assert.rejects(trainClassifier(net, { X, y: y4 }, { numEpochs: 1, batchSize: 2, lr: 0, seed: 0 }), /lr must be > 0/);
  assert.throws(() => evaluateClassifier(net, { X, y }), /y must have shape \[4\]/);
  tf.dispose([X, y, y4]);
  net.dispose();
});

test("augment: per-step crops and flips, seeded, the same on the native and the tfjs step; images only", async () => {
  const n = 24;
  const X = tf.randomUniform([n, 32, 32, 3], -1, 1, "float32", 3); // [24, 32, 32, 3]
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    "int32",
  );
  const opts = { numEpochs: 2, batchSize: 6, lr: 0.01, momentum: 0.9, seed: 5, logEvery: 1 };
  const run = async (extra: object): Promise<{ losses: number[]; engine: string }> => {
    const net = buildLeNet({ inputShape: [32, 32, 3], seed: 2 });
    const h = await trainClassifier(net, { X, y }, { ...opts, ...extra });
    net.dispose();
    return { losses: h.losses.map((l) => l.meanLoss), engine: h.engine ?? "" };
  };
  const plain = await run({});
  const augmented = await run({ augment: { padding: 4 } });
  const again = await run({ augment: { padding: 4 } });
  const onTfjs = await run({ augment: { padding: 4 }, engine: "tfjs" });
  assert.deepEqual(again.losses, augmented.losses, "seeded");
  assert.ok(
    augmented.losses.some((l, i) => Math.abs(l - plain.losses[i]) > 1e-3),
    "augmentation changes what is trained on",
  );
  if (augmented.engine === "native") {
    augmented.losses.forEach((l, i) => assert.ok(Math.abs(l - onTfjs.losses[i]) < 1e-3, `step ${i}: native ${l} vs tfjs ${onTfjs.losses[i]}`));
  }
  const flat = { X: tf.zeros([4, 2]), y: tf.tensor1d([0, 1, 0, 1], "int32") };
  await assert.rejects(trainClassifier(mlp(1), flat, { ...opts, augment: {} }), /augment needs images \[n, height, width, channels\]; X has shape \[4, 2\]/);
  tf.dispose([X, y, flat.X, flat.y]);
});

test("onEpochEnd: called once per epoch with the epoch's weights in the model, its time left out of samples/s", async () => {
  const { X, y } = separable(64, 9);
  const net = mlp(4);
  const seen: { epoch: number; firstWeight: number }[] = [];
  const wallStart = performance.now();
  const h = await trainClassifier(
    net,
    { X, y },
    {
      numEpochs: 3,
      batchSize: 16,
      lr: 0.1,
      seed: 1,
      onEpochEnd: async (epoch) => {
        seen.push({ epoch, firstWeight: net.getWeights()[0].dataSync()[0] });
        await new Promise((r) => setTimeout(r, 300));
      },
    },
  );
  assert.deepEqual(
    seen.map((s) => s.epoch),
    [1, 2, 3],
  );
  assert.equal(new Set(seen.map((s) => s.firstWeight)).size, 3, "the weights change between epochs and the callback sees them");
  const wall = (performance.now() - wallStart) / 1000;
  assert.ok(h.seconds <= wall - 0.85, `the 0.9 s spent in onEpochEnd is not training time (history ${h.seconds} s of ${wall} s)`);
  tf.dispose([X, y]);
  net.dispose();
});

test("lrSchedule cosine: the rate of every step follows learningRateAt, on the native and the tfjs step, SGD and Adam", async () => {
  const n = 24;
  const X = tf.randomUniform([n, 32, 32, 3], -1, 1, "float32", 4); // [24, 32, 32, 3]
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 10),
    "int32",
  );
  const run = async (extra: Partial<TrainOptions>): Promise<{ losses: number[]; engine: string; finalLr?: number }> => {
    const net = buildLeNet({ inputShape: [32, 32, 3], seed: 3 });
    const h = await trainClassifier(net, { X, y }, { numEpochs: 2, batchSize: 6, lr: 0.02, momentum: 0.9, seed: 5, logEvery: 1, ...extra });
    net.dispose();
    return { losses: h.losses.map((l) => l.meanLoss), engine: h.engine ?? "", finalLr: h.finalLr };
  };
  const cosine = { lrSchedule: "cosine" as const, warmupSteps: 2, minLrFraction: 0.05 };
  for (const optimizer of ["sgd", "adam"] as const) {
    const lr = optimizer === "adam" ? 0.002 : 0.02;
    const constant = await run({ optimizer, lr });
    const scheduled = await run({ optimizer, lr, ...cosine });
    const onTfjs = await run({ optimizer, lr, ...cosine, engine: "tfjs" });
    // Step 0 runs at lr/2 (warm-up), so the second loss already differs from the constant rate's.
    assert.ok(Math.abs(scheduled.losses[1] - constant.losses[1]) > 1e-4, `${optimizer}: the schedule changes training`);
    assert.equal(scheduled.finalLr, learningRateAt(7, { lr, numSteps: 8, ...cosine }));
    assert.ok((scheduled.finalLr ?? lr) < 0.2 * lr && (scheduled.finalLr ?? 0) > 0.05 * lr, "the last step runs near lr · minLrFraction");
    assert.equal(constant.finalLr, lr);
    if (scheduled.engine === "native") {
      scheduled.losses.forEach((l, i) => assert.ok(Math.abs(l - onTfjs.losses[i]) < 1e-3, `${optimizer} step ${i}: native ${l} vs tfjs ${onTfjs.losses[i]}`));
    }
  }
  const bad = (extra: Partial<TrainOptions>) =>
    trainClassifier(mlp(1), { X: tf.zeros([4, 2]), y: tf.tensor1d([0, 1, 0, 1], "int32") }, { numEpochs: 1, batchSize: 2, lr: 0.1, seed: 0, ...extra });
  await assert.rejects(bad({ lrSchedule: "step" as never }), /lrSchedule="step"; expected "constant" or "cosine"/);
  await assert.rejects(bad({ lrSchedule: "cosine", warmupSteps: 3 }), /warmupSteps=3; expected a whole number in \[1, 2\]/);
  await assert.rejects(bad({ lrSchedule: "cosine", minLrFraction: 2 }), /minLrFraction=2; expected a fraction in \[0, 1\]/);
  tf.dispose([X, y]);
});
