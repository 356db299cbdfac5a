import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  type StepRule,
  type Surface2D,
  adam,
  descentFigure,
  descentPath,
  elongatedQuadratic,
  gradientDescent,
  momentum,
  rosenbrock,
  surfaceGrid,
} from "../src/from-scratch/descent";

before(async () => {
  await tf.setBackend("cpu");
});

/** The same surfaces written with tf ops on a [2] tensor, for TF.js's optimisers. */
function tfLoss(surface: "quadratic" | "rosenbrock", v: tf.Tensor1D): tf.Scalar {
  const x = v.slice(0, 1);
  const y = v.slice(1, 1);
  if (surface === "quadratic") return tf.add(tf.mul(0.1, tf.square(x)), tf.mul(2, tf.square(y))).sum() as tf.Scalar;
  return tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))).sum() as tf.Scalar;
}

/** Positions after each of `steps` steps of a TF.js optimiser minimising the tf-ops surface from `start`. */
function tfPath(surface: "quadratic" | "rosenbrock", start: [number, number], optimizer: tf.Optimizer, steps: number): [number, number][] {
  const v = tf.variable(tf.tensor1d(start));
  const out: [number, number][] = [];
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      optimizer.minimize(() => tfLoss(surface, v));
    });
    const [a, b] = v.dataSync();
    out.push([a, b]);
  }
  optimizer.dispose();
  v.dispose();
  return out;
}

const CASES: { surface: Surface2D; key: "quadratic" | "rosenbrock"; start: [number, number]; rules: () => [StepRule, tf.Optimizer][] }[] = [
  {
    surface: elongatedQuadratic(),
    key: "quadratic",
    start: [-5, -2],
    rules: () => [
      [gradientDescent({ lr: 0.4 }), tf.train.sgd(0.4)],
      [momentum({ lr: 0.4, momentum: 0.5 }), tf.train.momentum(0.4, 0.5)],
      // lr 0.1, not larger: TF.js rounds 1 − β2 and β2ᵗ to float32 separately, so its ŝ is g²·(1 + 1.3e-5)
      // and every Adam step is (1 − 6.5e-6) of ours; at lr 0.5 that alone drifts past 1e-5 in 3 steps.
      [adam({ lr: 0.1 }), tf.train.adam(0.1)],
    ],
  },
  {
    surface: rosenbrock(),
    key: "rosenbrock",
    start: [-1.2, 1],
    rules: () => [
      [gradientDescent({ lr: 0.001 }), tf.train.sgd(0.001)],
      [momentum({ lr: 0.001, momentum: 0.9 }), tf.train.momentum(0.001, 0.9)],
      [adam({ lr: 0.05, beta1: 0.8, beta2: 0.99 }), tf.train.adam(0.05, 0.8, 0.99)],
    ],
  },
];

test("each update rule follows TF.js's optimiser on the same function to 1e-5 for 8 steps", () => {
  for (const c of CASES) {
    for (const [rule, opt] of c.rules()) {
      const ours = descentPath(c.surface, c.start, rule, 8).points.slice(1);
      const theirs = tfPath(c.key, c.start, opt, 8);
      ours.forEach((p, i) => {
        const d = Math.max(Math.abs(p[0] - theirs[i][0]), Math.abs(p[1] - theirs[i][1]));
        assert.ok(d <= 1e-5, `${c.surface.name}, ${rule.name}, step ${i + 1}: ours [${p}] vs TF.js [${theirs[i]}]`);
      });
      // The steps are not trivially small: the comparison would catch a wrong rule.
      assert.ok(Math.hypot(ours[7][0] - c.start[0], ours[7][1] - c.start[1]) > 0.05, `${rule.name} barely moved`);
    }
  }
});

test("the comparison can fail: momentum is not plain gradient descent", () => {
  const q = elongatedQuadratic();
  const gd = descentPath(q, [-5, -2], gradientDescent({ lr: 0.4 }), 3).points[3];
  const mo = descentPath(q, [-5, -2], momentum({ lr: 0.4, momentum: 0.5 }), 3).points[3];
  assert.ok(Math.abs(gd[0] - mo[0]) > 1e-2);
});

test("gradients equal central finite differences (float64, h 1e-6) to 1e-6", () => {
  for (const s of [elongatedQuadratic(), rosenbrock()]) {
    for (const [x, y] of [
      [-1.2, 1],
      [0.3, -0.7],
      [1.5, 2.2],
    ]) {
      const h = 1e-6;
      const fd = [(s.f(x + h, y) - s.f(x - h, y)) / (2 * h), (s.f(x, y + h) - s.f(x, y - h)) / (2 * h)];
      const g = s.grad(x, y);
      assert.ok(
        Math.abs(g[0] - fd[0]) < 1e-6 * Math.max(1, Math.abs(fd[0])) && Math.abs(g[1] - fd[1]) < 1e-6 * Math.max(1, Math.abs(fd[1])),
        `${s.name} at (${x}, ${y}): [${g}] vs [${fd}]`,
      );
    }
    assert.equal(s.f(s.minimum.x, s.minimum.y), s.minimum.value);
  }
});

test("on the bowl, gradient descent with lr 0.4 converges and with lr 0.6 diverges across the ravine (d2l §12.6)", () => {
  const q = elongatedQuadratic();
  const ok = descentPath(q, [-5, -2], gradientDescent({ lr: 0.4 }), 50);
  const bad = descentPath(q, [-5, -2], gradientDescent({ lr: 0.6 }), 50);
  // y is multiplied by (1 − 2·2·lr) each step: −0.6 (shrinks) for lr 0.4, −1.4 (grows) for lr 0.6.
  assert.ok(Math.abs(ok.points[50][1]) < 1e-9);
  assert.ok(Math.abs(bad.points[50][1]) > 1e6);
  assert.equal(ok.points.length, 51);
  assert.equal(ok.losses.length, 51);
});

test("Adam's first step moves every coordinate by lr (the bias-corrected m̂/√ŝ is ±1)", () => {
  const p = descentPath(rosenbrock(), [-1.2, 1], adam({ lr: 0.01 }), 1).points[1];
  assert.ok(Math.abs(p[0] - (-1.2 + 0.01)) < 1e-8 && Math.abs(p[1] - (1 + 0.01)) < 1e-8, `[${p}]`);
});

test("options are validated; the figure has the contour, one line per path and the minimum", () => {
  assert.throws(() => gradientDescent({ lr: 0 }), /lr must be a finite number > 0; got 0/);
  assert.throws(() => momentum({ lr: 0.1, momentum: 1 }), /momentum must be in \[0, 1\); got 1/);
  assert.throws(() => adam({ lr: 0.1, beta2: 1.5 }), /adam: beta2 must be in \[0, 1\); got 1\.5/);
  assert.throws(() => descentPath(rosenbrock(), [0, 0], adam({ lr: 0.1 }), -1), /steps must be [^;]+; got -1/);
  const q = elongatedQuadratic();
  const grid = surfaceGrid(q, 5);
  assert.equal(grid.z.length, 5);
  assert.equal(grid.z[0][0], q.f(q.xRange[0], q.yRange[0]));
  assert.equal(grid.z[4][0], q.f(q.xRange[0], q.yRange[1]), "rows follow y");
  const fig = descentFigure(q, [descentPath(q, [-5, -2], gradientDescent({ lr: 0.4 }), 3)], { gridSize: 10 });
  assert.deepEqual(
    fig.data.map((t) => t.type),
    ["contour", "scatter", "scatter"],
  );
});
