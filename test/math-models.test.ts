// Tests of the §4 loops in src/math-models.ts.
//
// References: (1) values worked out by hand, the arithmetic written in the comment beside each;
// (2) TensorFlow.js ops on the cpu backend (tf.matMul, tf.conv2d, tf.maxPool,
// tf.layers.simpleRNN), an implementation independent of the loops, on seeded random inputs.
// Tolerances: hand-worked integer cases are exact (deepEqual); comparisons with tf use 1e-5
// absolute, since tf computes in float32 (inputs of order 1, at most ~50 terms per sum, so the
// float32 rounding is ~1e-6) while the loops compute in float64.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  activationFn,
  addVectors,
  articleMlpLayer,
  conv2dLoop,
  elmanRnnLoop,
  flipKernel,
  matVec,
  maxPool2dLoop,
  mlpLayerForward,
  transpose,
  type Matrix,
} from "../src/from-scratch/math-models";
import { mulberry32 } from "../src/core/random";
import { assertArraysClose } from "./helpers/numeric";

const TF_TOL = 1e-5;

before(async () => {
  await tf.setBackend("cpu");
});

/** A seeded matrix of uniform values in [-1, 1). */
function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => 2 * rng() - 1));
}

// ---------------------------------------------------------------------------------------------
// §4.1.1 MLP

const W = [
  [1, 2],
  [3, 4],
  [5, 6],
];
const x = [1, 2];
const b = [1, 1, 1];

test("matVec: the article example by hand", () => {
  // [1·1 + 2·2, 3·1 + 4·2, 5·1 + 6·2] = [5, 11, 17]
  assert.deepEqual(matVec(W, x), [5, 11, 17]);
});

test("mlpLayerForward: Z = W·x + b = [6, 12, 18], ReLU leaves it unchanged (not the article's [8, 11, 14])", () => {
  // [5 + 1, 11 + 1, 17 + 1] = [6, 12, 18]
  const { z, a } = mlpLayerForward(W, x, b, "relu");
  assert.deepEqual(z, [6, 12, 18]);
  assert.deepEqual(a, [6, 12, 18]);
  assert.notDeepEqual(z, [8, 11, 14]);
});

test("mlpLayerForward: ReLU zeroes a negative pre-activation", () => {
  // W = [[1, -2]], x = [1, 1], b = [0.5]: z = 1 − 2 + 0.5 = −0.5, a = relu(−0.5) = 0
  const { z, a } = mlpLayerForward([[1, -2]], [1, 1], [0.5], "relu");
  assert.deepEqual(z, [-0.5]);
  assert.deepEqual(a, [0]);
});

test("articleMlpLayer differs from the standard layer: σ applied twice, bias outside σ", () => {
  // Article form with W = [[1, -2]], x = [1, 1], b = [0.5], ReLU:
  //   σ(W·x) = relu(−1) = 0; z = 0 + 0.5 = 0.5; a = relu(0.5) = 0.5   (standard: a = 0, above)
  const r = articleMlpLayer([[1, -2]], [1, 1], [0.5], "relu");
  assert.deepEqual(r.z, [0.5]);
  assert.deepEqual(r.a, [0.5]);
  // On the article's own example every W·x is positive, so with ReLU both forms give [6, 12, 18].
  assert.deepEqual(articleMlpLayer(W, x, b, "relu").z, [6, 12, 18]);
  // With a sigmoid they differ: z = sigmoid([5, 11, 17]) + 1, a = sigmoid(z).
  const s = (t: number): number => 1 / (1 + Math.exp(-t));
  const art = articleMlpLayer(W, x, b, "sigmoid");
  assertArraysClose(art.z, [s(5) + 1, s(11) + 1, s(17) + 1], "article z", 1e-12);
  assertArraysClose(art.a, [s(s(5) + 1), s(s(11) + 1), s(s(17) + 1)], "article a", 1e-12);
  // sigmoid(1.9933) ≈ 0.8801, well below the standard layer's sigmoid(6) ≈ 0.9975
  assert.ok(Math.abs(art.a[0] - 0.8801) < 1e-4, `article a[0] = ${art.a[0]}`);
  assertArraysClose(mlpLayerForward(W, x, b, "sigmoid").a, [s(6), s(12), s(18)], "standard a", 1e-12);
});

test("mlpLayerForward agrees with tf.matMul + add on random inputs", () => {
  for (const [rows, cols, seed] of [
    [3, 2, 1],
    [7, 5, 2],
    [16, 33, 3],
  ]) {
    const Wr = randomMatrix(rows, cols, seed);
    const xr = randomMatrix(1, cols, seed + 100)[0];
    const br = randomMatrix(1, rows, seed + 200)[0];
    const ours = mlpLayerForward(Wr, xr, br, "tanh");
    const [zTf, aTf] = tf.tidy(() => {
      const z = tf.add(tf.matMul(tf.tensor2d(Wr), tf.tensor2d(xr, [cols, 1])).reshape([rows]), tf.tensor1d(br)); // [rows]
      return [Array.from(z.dataSync()), Array.from(tf.tanh(z).dataSync())];
    });
    assertArraysClose(ours.z, zTf, `z ${rows}×${cols}`, TF_TOL);
    assertArraysClose(ours.a, aTf, `a ${rows}×${cols}`, TF_TOL);
  }
});

test("shape errors name the parameter", () => {
  assert.throws(() => matVec(W, [1, 2, 3]), /W is 3×2 \(2 columns\) but x has 3 entries/);
  assert.throws(() => mlpLayerForward(W, x, [1, 1], "relu"), /b has 2 entries; expected 3/);
  assert.throws(() => mlpLayerForward([[1, 2], [3]], x, b, "relu"), /W: row 1 has 1 entries; expected 2/);
  assert.throws(() => activationFn("gelu" as "relu"), /activation: expected one of relu, tanh, sigmoid, linear/);
  assert.throws(() => addVectors([1], [1, 2]), /a has 1 entries but b has 2/);
});

test("transpose: [rows, cols] → [cols, rows]", () => {
  assert.deepEqual(
    transpose([
      [1, 2, 3],
      [4, 5, 6],
    ]),
    [
      [1, 4],
      [2, 5],
      [3, 6],
    ],
  );
});

// ---------------------------------------------------------------------------------------------
// §4.1.2 convolution and pooling

const K = [
  [1, 1, 1],
  [0, 1, 0],
  [-1, -1, -1],
];
const X = [
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
];

test("conv2dLoop valid: the article example gives the single value −13", () => {
  // 1·1 + 1·2 + 1·3 + 0·4 + 1·5 + 0·6 − 7 − 8 − 9 = 11 − 24 = −13
  assert.deepEqual(conv2dLoop(X, K, { padding: "valid" }), [[-13]]);
});

test("conv2dLoop same: zero padding 1, first row [−8, −13, −8]", () => {
  // (0,0): window [[0,0,0],[0,1,2],[0,4,5]] → 0 + 1 − (0 + 4 + 5) = −8
  // (0,1): window [[0,0,0],[1,2,3],[4,5,6]] → 0 + 2 − 15 = −13
  // (0,2): window [[0,0,0],[2,3,0],[5,6,0]] → 0 + 3 − 11 = −8
  // (1,0): window [[0,1,2],[0,4,5],[0,7,8]] → 3 + 4 − 15 = −8
  // (1,2): window [[2,3,0],[5,6,0],[8,9,0]] → 5 + 6 − 17 = −6
  // (2,0): window [[0,4,5],[0,7,8],[0,0,0]] → 9 + 7 − 0 = 16
  // (2,1): window [[4,5,6],[7,8,9],[0,0,0]] → 15 + 8 = 23
  // (2,2): window [[5,6,0],[8,9,0],[0,0,0]] → 11 + 9 = 20
  assert.deepEqual(conv2dLoop(X, K, { padding: "same" }), [
    [-8, -13, -8],
    [-8, -13, -6],
    [16, 23, 20],
  ]);
});

test("conv2dLoop flip: true convolution rotates the kernel by 180°", () => {
  // flipped kernel [[−1,−1,−1],[0,1,0],[1,1,1]]; valid: −(1+2+3) + 5 + (7+8+9) = −6 + 5 + 24 = 23
  assert.deepEqual(flipKernel(K), [
    [-1, -1, -1],
    [0, 1, 0],
    [1, 1, 1],
  ]);
  assert.deepEqual(conv2dLoop(X, K, { flip: true }), [[23]]);
  // same, (0,0): window [[0,0,0],[0,1,2],[0,4,5]] → 0 + 1 + (0 + 4 + 5) = 10
  // same, (0,1): window [[0,0,0],[1,2,3],[4,5,6]] → 0 + 2 + 15 = 17; (0,2): 3 + 11 = 14
  assert.deepEqual(conv2dLoop(X, K, { padding: "same", flip: true })[0], [10, 17, 14]);
  // bias is added to every output: −13 + 0.5
  assert.deepEqual(conv2dLoop(X, K, { bias: 0.5 }), [[-12.5]]);
});

test("conv2dLoop agrees with tf.conv2d (valid, same, flipped, even kernels) on random inputs", () => {
  const cases: [number, number, number, number][] = [
    [5, 5, 3, 3],
    [7, 6, 3, 2],
    [8, 8, 4, 4],
    [6, 9, 2, 5],
    [4, 4, 1, 1],
  ];
  cases.forEach(([H, Wd, kh, kw], n) => {
    const img = randomMatrix(H, Wd, 10 + n);
    const ker = randomMatrix(kh, kw, 20 + n);
    for (const padding of ["valid", "same"] as const) {
      for (const flip of [false, true]) {
        const ours = conv2dLoop(img, ker, { padding: padding, flip: flip });
        const ref = tf.tidy(() => {
          let k = tf.tensor2d(ker); // [kh, kw]
          if (flip) k = tf.reverse(k, [0, 1]);
          const y = tf.conv2d(tf.tensor2d(img).reshape([1, H, Wd, 1]) as tf.Tensor4D, k.reshape([kh, kw, 1, 1]) as tf.Tensor4D, 1, padding); // [1, oh, ow, 1]
          return (y.squeeze([0, 3]) as tf.Tensor2D).arraySync();
        });
        assert.equal(ours.length, ref.length, `rows, ${H}×${Wd} * ${kh}×${kw} ${padding} flip=${flip}`);
        assertArraysClose(ours, ref, `${H}×${Wd} * ${kh}×${kw} ${padding} flip=${flip}`, TF_TOL);
      }
    }
  });
});

test("conv2dLoop rejects bad arguments", () => {
  assert.throws(() => conv2dLoop([[1, 2]], K), /kernel 3×3 is larger than image 1×2/);
  assert.throws(() => conv2dLoop(X, K, { padding: "full" as "same" }), /padding must be "valid" or "same"/);
});

test("maxPool2dLoop: a 4×4 input, 2×2 windows, stride 2, by hand", () => {
  const x4 = [
    [1, 3, 2, 4],
    [5, 6, 1, 2],
    [7, 2, 8, 1],
    [3, 4, 0, 9],
  ];
  // windows: max(1,3,5,6) = 6, max(2,4,1,2) = 4, max(7,2,3,4) = 7, max(8,1,0,9) = 9
  assert.deepEqual(maxPool2dLoop(x4, 2, 2), [
    [6, 4],
    [7, 9],
  ]);
  // stride 1: 3×3 windows of overlapping maxima, row 0: max(1,3,5,6)=6, max(3,2,6,1)=6, max(2,4,1,2)=4
  assert.deepEqual(maxPool2dLoop(x4, 2, 1)[0], [6, 6, 4]);
  assert.throws(() => maxPool2dLoop(x4, 5), /window 5×5 is larger than x \(4×4\)/);
});

test("maxPool2dLoop agrees with tf.maxPool on random inputs", () => {
  const cases: [number, number, number, number][] = [
    [4, 4, 2, 2],
    [6, 7, 3, 2],
    [9, 9, 3, 3],
    [5, 8, 2, 1],
  ];
  cases.forEach(([H, Wd, size, stride], n) => {
    const xin = randomMatrix(H, Wd, 30 + n);
    const ref = tf.tidy(() =>
      (tf.maxPool(tf.tensor2d(xin).reshape([1, H, Wd, 1]) as tf.Tensor4D, size, stride, "valid").squeeze([0, 3]) as tf.Tensor2D).arraySync(),
    );
    assertArraysClose(maxPool2dLoop(xin, size, stride), ref, `${H}×${Wd} pool ${size} stride ${stride}`, TF_TOL);
  });
});

// ---------------------------------------------------------------------------------------------
// §4.1.3 RNN

test("elmanRnnLoop: a 2-unit linear RNN by hand", () => {
  // Wxh = [[1],[2]], Whh = [[0.5, 0],[0, −1]], bh = [0, 1], h0 = [1, 1], xs = [[1],[2]], linear:
  //   h1 = [1·1 + 0.5·1 + 0, 2·1 − 1·1 + 1] = [1.5, 2]
  //   h2 = [1·2 + 0.5·1.5 + 0, 2·2 − 1·2 + 1] = [2.75, 3]
  //   y_t = [1, 1]·h_t + 0.25: y1 = 3.75, y2 = 6
  const r = elmanRnnLoop({
    Wxh: [[1], [2]],
    Whh: [
      [0.5, 0],
      [0, -1],
    ],
    bh: [0, 1],
    h0: [1, 1],
    xs: [[1], [2]],
    Why: [[1, 1]],
    by: [0.25],
    activation: "linear",
  });
  assert.deepEqual(r.hiddenStates, [
    [1.5, 2],
    [2.75, 3],
  ]);
  assert.deepEqual(r.preActivations, [
    [1.5, 2],
    [2.75, 3],
  ]);
  assert.deepEqual(r.outputs, [[3.75], [6]]);
  // tanh (the default) applies tanh at each step, feeding tanh(h1) into step 2:
  //   h1 = tanh([1.5, 2]); h2 = tanh([2 + 0.5·h1[0], 4 − h1[1] + 1])
  const t = elmanRnnLoop({
    Wxh: [[1], [2]],
    Whh: [
      [0.5, 0],
      [0, -1],
    ],
    bh: [0, 1],
    h0: [1, 1],
    xs: [[1], [2]],
  });
  const h1 = [Math.tanh(1.5), Math.tanh(2)];
  assertArraysClose(t.hiddenStates, [h1, [Math.tanh(2 + 0.5 * h1[0]), Math.tanh(4 - h1[1] + 1)]], "tanh rnn", 1e-12);
  assert.equal(t.outputs, undefined);
});

test("elmanRnnLoop: the article's 5×3 W_h cannot multiply [h_{t−1}, x_t] (8 entries)", () => {
  const Wh = [
    [1, 0, 1],
    [1, 1, 0],
    [1, 0, 1],
    [0, 1, 1],
    [0, 1, 0],
  ];
  assert.throws(() => matVec(Wh, [1, 2, 3, 4, 5, 1, 2, 3], { W: "W_h", x: "[h_0, x_1]" }), /W_h is 5×3 \(3 columns\) but \[h_0, x_1\] has 8 entries/);
  assert.throws(() => elmanRnnLoop({ Wxh: Wh, Whh: Wh, bh: [1, 1, 1, 1, 1], h0: [1, 2, 3, 4, 5], xs: [[1, 2, 3]] }), /Whh is 5×3; expected 5×5/);
  assert.throws(
    () => elmanRnnLoop({ Wxh: Wh, Whh: randomMatrix(5, 5, 1), bh: [1, 1, 1, 1, 1], h0: [1, 2, 3, 4, 5], xs: [[1, 2]] }),
    /xs\[0\] has 2 entries; expected 3/,
  );
  // What the article's numbers would need at least: W_h·x_1 + b_h = [1+3, 1+2, 1+3, 2+3, 2] + 1 = [5, 4, 5, 6, 3]
  assert.deepEqual(addVectors(matVec(Wh, [1, 2, 3]), [1, 1, 1, 1, 1]), [5, 4, 5, 6, 3]);
});

test("elmanRnnLoop agrees with tf ops and with tf.layers.simpleRNN (kernel = Wxh^T, recurrent = Whh^T)", () => {
  const hidden = 4;
  const input = 3;
  const T = 5;
  const Wxh = randomMatrix(hidden, input, 41);
  const Whh = randomMatrix(hidden, hidden, 42); // not symmetric, so a transposition mistake shows
  const bh = randomMatrix(1, hidden, 43)[0];
  const h0 = randomMatrix(1, hidden, 44)[0];
  const xs = randomMatrix(T, input, 45);
  const ours = elmanRnnLoop({ Wxh: Wxh, Whh: Whh, bh: bh, h0: h0, xs: xs, activation: "tanh" });

  // tf ops, one step at a time with column vectors: h_t = tanh(Wxh·x_t + Whh·h_{t−1} + b_h)
  const opsStates = tf.tidy(() => {
    let h: tf.Tensor2D = tf.tensor2d(h0, [hidden, 1]);
    const out: number[][] = [];
    for (const xt of xs) {
      h = tf.tanh(
        tf
          .matMul(tf.tensor2d(Wxh), tf.tensor2d(xt, [input, 1]))
          .add(tf.matMul(tf.tensor2d(Whh), h))
          .add(tf.tensor2d(bh, [hidden, 1])),
      ) as tf.Tensor2D; // [hidden, 1]
      out.push(Array.from(h.dataSync()));
    }
    return out;
  });
  assertArraysClose(ours.hiddenStates, opsStates, "loop vs tf ops", TF_TOL);

  // Keras layout: kernel [input, units] = Wxh^T, recurrent kernel [units, units] = Whh^T.
  const layer = tf.layers.simpleRNN({ units: hidden, returnSequences: true, activation: "tanh" });
  const layerStates = tf.tidy(() => {
    const seq = tf.tensor3d([xs]); // [1, T, input]
    const init = tf.tensor2d([h0]); // [1, hidden]
    layer.apply(seq, { initialState: [init] }); // builds the weights
    layer.setWeights([tf.tensor2d(transpose(Wxh)), tf.tensor2d(transpose(Whh)), tf.tensor1d(bh)]);
    const y = layer.apply(seq, { initialState: [init] }) as tf.Tensor3D; // [1, T, hidden]
    return y.squeeze([0]).arraySync() as number[][];
  });
  assertArraysClose(ours.hiddenStates, layerStates, "loop vs simpleRNN", TF_TOL);
  // Forgetting the transposition gives a different answer (so the test can tell).
  const wrong = tf.tidy(() => {
    const seq = tf.tensor3d([xs]);
    layer.setWeights([tf.tensor2d(transpose(Wxh)), tf.tensor2d(Whh), tf.tensor1d(bh)]);
    return (layer.apply(seq, { initialState: [tf.tensor2d([h0])] }) as tf.Tensor3D).squeeze([0]).arraySync() as number[][];
  });
  const maxDiff = Math.max(...wrong.flat().map((v, i) => Math.abs(v - ours.hiddenStates.flat()[i])));
  assert.ok(maxDiff > 1e-2, `untransposed recurrent kernel should differ, max diff ${maxDiff}`);
  layer.dispose();
});
