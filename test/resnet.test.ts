import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  buildCifarResNet,
  buildResNet50,
  countTrainableParameters,
  RESNET50_KERAS_PARAMS,
  RESNET50_TORCHVISION_PARAMS,
  ShortcutA,
  stageParameters,
} from "../src/models/resnet";
import { buildLeNet, countParameters } from "../src/models/model";
import { multiplyAddsPerSample } from "../src/models/flops";
import { loadModel, saveModel } from "../src/models/model-io";
import { trainClassifier } from "../src/training/train";

before(async () => {
  await tf.setBackend("cpu");
});

// ---- Hand computations, written from the papers' tables, independent of src/resnet.ts ----
// A conv k×k from cin to cout: k·k·cin·cout weights (+ cout biases if it has them).
const conv = (k: number, cin: number, cout: number, bias: boolean): number => k * k * cin * cout + (bias ? cout : 0);
// BN over c channels: gamma, beta (trainable) + moving mean, moving variance (not trainable).
const bnTrainable = (c: number): number => 2 * c;
const bnMoving = (c: number): number => 2 * c;

/** ResNet-50 (He et al. 2016, Table 1) at any input size: {all, trainable}. */
function handResNet50(inC: number, classes: number, bias: boolean, top: boolean): { all: number; trainable: number } {
  let trainable = conv(7, inC, 64, bias) + bnTrainable(64);
  let moving = bnMoving(64);
  let cin = 64;
  for (const [blocks, width] of [
    [3, 64],
    [4, 128],
    [6, 256],
    [3, 512],
  ]) {
    for (let b = 0; b < blocks; b++) {
      const out = 4 * width;
      trainable += conv(1, cin, width, bias) + conv(3, width, width, bias) + conv(1, width, out, bias);
      trainable += bnTrainable(width) * 2 + bnTrainable(out);
      moving += bnMoving(width) * 2 + bnMoving(out);
      if (b === 0) {
        // projection shortcut in every stage's first block (channels change in all four)
        trainable += conv(1, cin, out, bias) + bnTrainable(out);
        moving += bnMoving(out);
      }
      cin = out;
    }
  }
  if (top) trainable += 2048 * classes + classes;
  return { all: trainable + moving, trainable };
}

/** ResNet-20 (He et al. 2016, §4.2), option A shortcuts, convs without bias: {all, trainable}. */
function handResNet20(inC: number, classes: number): { all: number; trainable: number } {
  let trainable = conv(3, inC, 16, false) + bnTrainable(16);
  let moving = bnMoving(16);
  let cin = 16;
  for (const width of [16, 32, 64]) {
    for (let b = 0; b < 3; b++) {
      trainable += conv(3, cin, width, false) + conv(3, width, width, false) + 2 * bnTrainable(width);
      moving += 2 * bnMoving(width);
      cin = width;
    }
  }
  trainable += 64 * classes + classes;
  return { all: trainable + moving, trainable };
}

test("hand computations reproduce the published figures they stand for", () => {
  // Keras ResNet50 summary: total 25,636,712, trainable 25,583,592; include_top=False: 23,587,712.
  assert.deepEqual(handResNet50(3, 1000, true, true), { all: 25_636_712, trainable: 25_583_592 });
  assert.equal(handResNet50(3, 1000, true, false).all, 23_587_712);
  // torchvision resnet50: 25,557,032 parameters (no conv biases, BN running stats are buffers).
  assert.equal(handResNet50(3, 1000, false, true).trainable, 25_557_032);
  // He et al.'s ResNet-20: "0.27M"; the common PyTorch reimplementation reports 269,722.
  assert.equal(handResNet20(3, 10).trainable, 269_722);
});

test("ResNet-50 with the 1000-class top at 224×224×3 has exactly 25,636,712 weights (Keras count)", () => {
  const net = buildResNet50({ inputShape: [224, 224, 3], numClasses: 1000, includeTop: true, seed: 0 });
  assert.equal(countParameters(net), 25_636_712);
  assert.equal(RESNET50_KERAS_PARAMS, 25_636_712);
  assert.equal(countParameters(net), net.countParams());
  assert.equal(countTrainableParameters(net), 25_583_592);
  assert.deepEqual(net.outputs[0].shape, [null, 1000]);
  // 16 bottleneck blocks, each ending in a residual add.
  assert.equal(net.layers.filter((l) => l.getClassName() === "Add").length, 16);
  // Stage outputs: 56×56×256, 28×28×512, 14×14×1024, 7×7×2048.
  const stages = stageParameters(net);
  assert.deepEqual(
    stages.map((s) => s.stage),
    ["stem", "stage1", "stage2", "stage3", "stage4", "head"],
  );
  assert.deepEqual(
    stages.map((s) => s.blocks),
    [0, 3, 4, 6, 3, 0],
  );
  assert.deepEqual(
    stages.slice(0, 5).map((s) => s.outputShape),
    [
      [null, 56, 56, 64],
      [null, 56, 56, 256],
      [null, 28, 28, 512],
      [null, 14, 14, 1024],
      [null, 7, 7, 2048],
    ],
  );
  assert.equal(
    stages.reduce((s, r) => s + r.params, 0),
    25_636_712,
  );
  assert.equal(stages[5].params, 2048 * 1000 + 1000);
  net.dispose();
});

test("ResNet-50 without conv biases has torchvision's 25,557,032 trainable parameters; without top 23,587,712", () => {
  const noBias = buildResNet50({ useBias: false, seed: 0 });
  assert.equal(countTrainableParameters(noBias), RESNET50_TORCHVISION_PARAMS);
  assert.equal(countParameters(noBias), handResNet50(3, 1000, false, true).all);
  noBias.dispose();
  const noTop = buildResNet50({ includeTop: false, seed: 0 });
  assert.equal(countParameters(noTop), 23_587_712);
  assert.deepEqual(noTop.outputs[0].shape, [null, 2048]);
  noTop.dispose();
});

test("ResNet-50 on a small input: 32×32 images reach a 1×1×2048 map, and it runs forward", () => {
  const net = buildResNet50({ inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
  assert.equal(countParameters(net), handResNet50(3, 10, true, true).all);
  const stages = stageParameters(net);
  assert.deepEqual(stages[4].outputShape, [null, 1, 1, 2048]);
  const X = tf.randomUniform([2, 32, 32, 3], -1, 1, "float32", 3); // [2, 32, 32, 3]
  const yHat = net.predict(X) as tf.Tensor; // [2, 10]
  assert.deepEqual(yHat.shape, [2, 10]);
  assert.ok(Array.from(yHat.dataSync()).every(Number.isFinite));
  tf.dispose([X, yHat]);
  net.dispose();
});

test("ResNet-20 (option A) has 269,722 trainable + 1,376 BN moving statistics = 271,098 weights, as computed by hand", () => {
  const rgb = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 3], seed: 0 });
  const hand = handResNet20(3, 10);
  assert.equal(countTrainableParameters(rgb), hand.trainable);
  assert.equal(countParameters(rgb), hand.all);
  assert.equal(countParameters(rgb), 271_098);
  // 9 basic blocks, 19 convs + 1 dense = 20 weighted layers.
  assert.equal(rgb.layers.filter((l) => l.getClassName() === "Add").length, 9);
  assert.equal(rgb.layers.filter((l) => l.getClassName() === "Conv2D").length + rgb.layers.filter((l) => l.getClassName() === "Dense").length, 20);
  assert.deepEqual(
    stageParameters(rgb).map((s) => [s.stage, s.outputShape]),
    [
      ["stem", [null, 32, 32, 16]],
      ["stage1", [null, 32, 32, 16]],
      ["stage2", [null, 16, 16, 32]],
      ["stage3", [null, 8, 8, 64]],
      ["head", [null, 10]],
    ],
  );
  rgb.dispose();
  // One input channel: the stem conv loses 3·3·2·16 = 288 weights.
  const grey = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 1], seed: 0 });
  assert.equal(countParameters(grey), handResNet20(1, 10).all);
  assert.equal(countParameters(grey), 271_098 - 288);
  grey.dispose();
});

test("ResNet-20 option B adds two projections: (16·32 + 4·32) + (32·64 + 4·64) = 2,944 weights", () => {
  const b = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 3], seed: 0, shortcut: "B" });
  assert.equal(countParameters(b), 271_098 + 2_944);
  b.dispose();
  const r56 = buildCifarResNet({ depth: 56, numClasses: 10, inputShape: [32, 32, 3], seed: 0 });
  // ResNet-56 in He et al.: 0.85M; by hand: ResNet-20 plus 6 more basic blocks per stage, each two
  // 3×3 convs and two BNs of 4·c weights (gamma, beta, moving mean, moving variance).
  const extra = 6 * (2 * conv(3, 16, 16, false) + 8 * 16) + 6 * (2 * conv(3, 32, 32, false) + 8 * 32) + 6 * (2 * conv(3, 64, 64, false) + 8 * 64);
  assert.equal(countParameters(r56), 271_098 + extra);
  assert.ok(Math.abs(countTrainableParameters(r56) - 0.85e6) < 0.01e6, `ResNet-56 has ${countTrainableParameters(r56)}`);
  r56.dispose();
});

test("the option-A shortcut subsamples x[:, ::2, ::2] and zero-pads the new channels evenly", () => {
  const x = tf.tensor4d(
    Array.from({ length: 1 * 4 * 4 * 2 }, (_, i) => i + 1),
    [1, 4, 4, 2],
  ); // [1, 4, 4, 2]
  const layer = new ShortcutA({ outChannels: 4, stride: 2 });
  const y = layer.apply(x) as tf.Tensor; // [1, 2, 2, 4]
  assert.deepEqual(y.shape, [1, 2, 2, 4]);
  assert.deepEqual(layer.computeOutputShape([null, 4, 4, 2]), [null, 2, 2, 4]);
  const xv = x.arraySync()[0];
  const expected = [
    [0, 2],
    [0, 2],
  ].map((_, r) => [0, 1].map((__, c) => [0, ...xv[2 * r][2 * c], 0]));
  assert.deepEqual(y.arraySync(), [expected]);
  assert.throws(() => new ShortcutA({ outChannels: 4, stride: 3 }), /stride must be 1 or 2/);
  tf.dispose([x, y]);
});

test("seeded: the same seed gives the same weights, another seed different ones", () => {
  const a = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 1], seed: 7 });
  const b = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 1], seed: 7 });
  const c = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 1], seed: 8 });
  const w = (m: tf.LayersModel): number[][] => m.getWeights().map((t) => Array.from(t.dataSync()));
  const wa = w(a);
  assert.deepEqual(w(b), wa);
  assert.notDeepEqual(w(c)[0], wa[0]);
  // Different layers get different seeds: the first two 16→16 convs of stage 1 are not copies.
  const convs = a.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => Array.from(l.getWeights()[0].dataSync()));
  assert.notDeepEqual(convs[1], convs[2]);
  [a, b, c].forEach((m) => m.dispose());
});

test("save → load keeps the custom shortcut layer and predicts identically", async () => {
  const net = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 1], seed: 3 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "resnet-test-"));
  try {
    await saveModel(net, dir);
    const back = await loadModel(dir);
    assert.equal(countParameters(back), countParameters(net));
    const X = tf.randomUniform([3, 32, 32, 1], -1, 1, "float32", 9); // [3, 32, 32, 1]
    const a = (net.predict(X) as tf.Tensor).arraySync();
    const b = (back.predict(X) as tf.Tensor).arraySync();
    assert.deepEqual(b, a); // same weights, same kernels: bit-identical
    X.dispose();
    back.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    net.dispose();
  }
});

test("trainClassifier runs batch norm in training mode: the moving statistics move, and the loss is finite", async () => {
  // Small inputs (8×8) keep this fast on the cpu backend; the layers are the same as at 32×32.
  const net = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [8, 8, 1], seed: 5 });
  const bn = net.getLayer("stem_bn");
  const movingMean = (): number[] => Array.from(bn.getWeights()[2].dataSync()); // [gamma, beta, movingMean, movingVariance]
  assert.ok(movingMean().every((v) => v === 0));
  const X = tf.randomUniform([4, 8, 8, 1], 0, 1, "float32", 2); // [4, 8, 8, 1], mean 0.5: conv outputs have nonzero means
  const y = tf.tensor1d([0, 1, 2, 3], "int32");
  const before = tf.memory().numTensors;
  const history = await trainClassifier(net, { X, y }, { numEpochs: 1, batchSize: 4, lr: 0.01, momentum: 0.9, seed: 0 });
  assert.equal(tf.memory().numTensors, before, "training leaked tensors");
  assert.ok(Number.isFinite(history.losses[0].meanLoss));
  // One step with momentum 0.9 moves the moving mean 10% of the way to the batch mean.
  const moved = movingMean().reduce((s, v) => s + Math.abs(v), 0);
  assert.ok(moved > 1e-4, `BN moving mean did not move (Σ|mean| = ${moved}): the layer ran in inference mode`);
  tf.dispose([X, y]);
  net.dispose();
});

test("rejects impossible configurations with errors naming the parameter", () => {
  assert.throws(() => buildCifarResNet({ depth: 21, numClasses: 10, inputShape: [32, 32, 3], seed: 0 }), /depth must be 6n \+ 2/);
  assert.throws(() => buildCifarResNet({ depth: 20, numClasses: 0, inputShape: [32, 32, 3], seed: 0 }), /numClasses/);
  assert.throws(() => buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [4, 4, 3], seed: 0 }), /too small/);
  assert.throws(() => buildResNet50({ inputShape: [16, 16, 3] }), /too small/);
  assert.throws(() => buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 3], seed: 0, shortcut: "C" as "A" }), /shortcut/);
});

test("multiplyAddsPerSample: LeNet by hand, ResNet-20 and ResNet-50 as He et al. count them", () => {
  const lenet = buildLeNet({ inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
  // conv1 5·5·3·6 at 28×28, conv2 5·5·6·16 at 10×10, dense 400·120 + 120·84 + 84·10.
  assert.equal(multiplyAddsPerSample(lenet), 5 * 5 * 3 * 6 * 28 * 28 + 5 * 5 * 6 * 16 * 10 * 10 + 400 * 120 + 120 * 84 + 84 * 10);
  lenet.dispose();
  const r20 = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 3], seed: 1 });
  // stem 3·3·3·16 at 32²; 6 convs 16→16 at 32²; 32→: 16→32 + 5 × 32→32 at 16²; 64: 32→64 + 5 × 64→64 at 8²; dense 64·10.
  const hand = 9 * 3 * 16 * 1024 + 6 * 9 * 16 * 16 * 1024 + (9 * 16 * 32 + 5 * 9 * 32 * 32) * 256 + (9 * 32 * 64 + 5 * 9 * 64 * 64) * 64 + 640;
  assert.equal(multiplyAddsPerSample(r20), hand);
  assert.ok(Math.abs(hand - 41e6) < 1e6, `ResNet-20 ≈ 41 M multiply-adds (He et al.), got ${hand}`);
  r20.dispose();
  const r50 = buildResNet50({ inputShape: [224, 224, 3], numClasses: 1000, includeTop: true, seed: 1 });
  const macs50 = multiplyAddsPerSample(r50);
  assert.ok(macs50 > 3.8e9 && macs50 < 4.2e9, `ResNet-50 ≈ 3.8–4.1 G multiply-adds, got ${macs50}`);
  r50.dispose();
});
