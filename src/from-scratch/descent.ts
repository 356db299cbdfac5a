/**
 * Gradient descent and two of its descendants on 2-D loss surfaces (article §3.1: "gradient
 * descent updates the parameters"), in plain TypeScript so every update rule is visible:
 *
 *   gradient descent  θ ← θ − lr·g
 *   momentum          v ← μ·v + g;  θ ← θ − lr·v                        (= tf.train.momentum)
 *   Adam              m ← β1·m + (1−β1)·g;  s ← β2·s + (1−β2)·g²
 *                     θ ← θ − lr · (m / (1−β1ᵗ)) / (√(s / (1−β2ᵗ)) + ε)   (= tf.train.adam)
 *
 * test/descent.test.ts checks each against TF.js's optimiser on the same function.
 */
import type { Figure, Trace } from "../core/figure";
import { requireAbove, requireInRange, requireIntegerAtLeast, requireNonNegativeInteger, requirePositive } from "../core/validate";

/** A differentiable function of two variables with its gradient: a toy loss surface. */
export interface Surface2D {
  name: string;
  /** Formula for captions, e.g. "0.1·x² + 2·y²". */
  formula: string;
  f: (x: number, y: number) => number;
  grad: (x: number, y: number) => [number, number];
  /** Where the minimum is, and its value. */
  minimum: { x: number; y: number; value: number };
  /** A window that shows the interesting part, for plots. */
  xRange: [number, number];
  yRange: [number, number];
}

/** The elongated bowl f = a·x² + b·y² (d2l's 0.1·x² + 2·y² by default): a ravine 20× steeper across than along (article §3.1). */
export function elongatedQuadratic(a = 0.1, b = 2): Surface2D {
  if (!(a > 0 && b > 0)) throw new Error(`elongatedQuadratic: a=${a}, b=${b}; expected both > 0 (a bowl)`);
  return {
    name: "elongated quadratic",
    formula: `${a}·x² + ${b}·y²`,
    f: (x, y) => a * x * x + b * y * y,
    grad: (x, y) => [2 * a * x, 2 * b * y],
    minimum: { x: 0, y: 0, value: 0 },
    xRange: [-5.5, 1.5],
    yRange: [-2.5, 2.5],
  };
}

/** Rosenbrock's banana f = (a − x)² + b·(y − x²)², minimum 0 at (a, a²): a curved, flat-bottomed valley (article §3.1). */
export function rosenbrock(a = 1, b = 100): Surface2D {
  if (!(b > 0)) throw new Error(`rosenbrock: b=${b}; expected b > 0`);
  return {
    name: "Rosenbrock",
    formula: `(${a} − x)² + ${b}·(y − x²)²`,
    f: (x, y) => (a - x) ** 2 + b * (y - x * x) ** 2,
    grad: (x, y) => [-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)],
    minimum: { x: a, y: a * a, value: 0 },
    xRange: [-2, 2],
    yRange: [-1, 3],
  };
}

/** An update rule with its own state: given θ and the gradient at θ, returns the next θ. */
export interface StepRule {
  /** E.g. "gradient descent (lr 0.4)". */
  name: string;
  step(theta: readonly number[], grad: readonly number[]): number[];
}

function checkLr(fn: string, lr: number): void {
  requirePositive(fn, "lr", lr);
}

/** Plain gradient descent θ ← θ − lr·g (tf.train.sgd) (article §3.1). */
export function gradientDescent(opts: { lr: number }): StepRule {
  const { lr } = opts;
  checkLr("gradientDescent", lr);
  return {
    name: `gradient descent (lr ${lr})`,
    step: (theta, g) => theta.map((t, i) => t - lr * g[i]),
  };
}

/** Momentum ("heavy ball"): v ← μ·v + g; θ ← θ − lr·v (tf.train.momentum, PyTorch's SGD momentum) (article §3.1). */
export function momentum(opts: { lr: number; momentum: number }): StepRule {
  const { lr, momentum: mu } = opts;
  checkLr("momentum", lr);
  requireInRange("momentum", "momentum", mu, 0, 1, "[)");
  let v: number[] | null = null;
  return {
    name: `momentum (lr ${lr}, μ ${mu})`,
    step: (theta, g) => {
      const prev = v ?? theta.map(() => 0);
      v = prev.map((vi, i) => mu * vi + g[i]);
      const vel = v;
      return theta.map((t, i) => t - lr * vel[i]);
    },
  };
}

/** Adam with bias correction, ε outside the square root, TF.js's defaults β1 0.9, β2 0.999, ε 1e-7 (tf.train.adam) (article §3.1). */
export function adam(opts: { lr: number; beta1?: number; beta2?: number; epsilon?: number }): StepRule {
  const { lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = opts;
  checkLr("adam", lr);
  for (const [name, b] of [
    ["beta1", beta1],
    ["beta2", beta2],
  ] as const) {
    requireInRange("adam", name, b, 0, 1, "[)");
  }
  requireAbove("adam", "epsilon", epsilon, 0);
  let m: number[] | null = null;
  let s: number[] | null = null;
  let t = 0;
  return {
    name: `Adam (lr ${lr})`,
    step: (theta, g) => {
      t++;
      const m0 = m ?? theta.map(() => 0);
      const s0 = s ?? theta.map(() => 0);
      const m1 = m0.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
      const s1 = s0.map((si, i) => beta2 * si + (1 - beta2) * g[i] * g[i]);
      m = m1;
      s = s1;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      return theta.map((th, i) => th - (lr * (m1[i] / c1)) / (Math.sqrt(s1[i] / c2) + epsilon));
    },
  };
}

/** An optimiser's trajectory on a surface: the points visited (start included) and the loss at each. */
export interface DescentPath {
  name: string;
  /** steps + 1 points, [x, y]. */
  points: [number, number][];
  /** f at each point. */
  losses: number[];
}

/** Runs `rule` for `steps` steps from `start` on `surface` (article §3.1). */
export function descentPath(surface: Surface2D, start: readonly [number, number], rule: StepRule, steps: number): DescentPath {
  requireNonNegativeInteger("descentPath", "steps", steps);
  let theta: number[] = [start[0], start[1]];
  const points: [number, number][] = [[theta[0], theta[1]]];
  const losses = [surface.f(theta[0], theta[1])];
  for (let i = 0; i < steps; i++) {
    theta = rule.step(theta, surface.grad(theta[0], theta[1]));
    points.push([theta[0], theta[1]]);
    losses.push(surface.f(theta[0], theta[1]));
  }
  return { name: rule.name, points, losses };
}

/** f on an n×n grid over the surface's window: x [n], y [n], z [n][n] with z[row = y][col = x] as plotly's contour wants. */
export function surfaceGrid(surface: Surface2D, n = 120, transform: (z: number) => number = (z) => z): { x: number[]; y: number[]; z: number[][] } {
  requireIntegerAtLeast("surfaceGrid", "n", n, 2);
  const axis = ([lo, hi]: [number, number]) => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  const x = axis(surface.xRange);
  const y = axis(surface.yRange);
  return { x, y, z: y.map((yy) => x.map((xx) => transform(surface.f(xx, yy)))) };
}

/** A contour plot of the surface with the paths overlaid as lines from the same start (article §3.1). */
export function descentFigure(surface: Surface2D, paths: readonly DescentPath[], opts: { title?: string; logZ?: boolean; gridSize?: number } = {}): Figure {
  const grid = surfaceGrid(surface, opts.gridSize ?? 120, opts.logZ ? (z) => Math.log10(1 + z) : (z) => z);
  // Points outside the window would stretch the axes; clip them for the picture only.
  const [x0, x1] = surface.xRange;
  const [y0, y1] = surface.yRange;
  const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const contour: Trace = {
    type: "contour",
    x: grid.x,
    y: grid.y,
    z: grid.z,
    colorscale: "Viridis",
    reversescale: true,
    opacity: 0.75,
    ncontours: 25,
    showscale: true,
    name: "loss",
    colorbar: { title: { text: opts.logZ ? "log₁₀(1 + f)" : "f" } },
    contours: { coloring: "fill", showlines: true },
  };
  const colors = ["#d62728", "#ff7f0e", "#0050ff", "#17becf", "#e377c2"];
  // Earlier paths drawn wider, so a path that runs on top of another leaves it visible; a marker
  // per step only when there are few steps, and a large one where each path ends.
  const lines: Trace[] = paths.map((p, i) => {
    const last = p.points.length - 1;
    const stepSize = p.points.length <= 60 ? 5 : 0;
    return {
      type: "scatter",
      mode: "lines+markers",
      name: p.name,
      x: p.points.map((q) => clip(q[0], x0, x1)),
      y: p.points.map((q) => clip(q[1], y0, y1)),
      line: { color: colors[i % colors.length], width: 2 + 1.5 * (paths.length - 1 - i) },
      marker: { size: p.points.map((_, j) => (j === last ? 11 : stepSize)), color: colors[i % colors.length], line: { color: "white", width: 1 } },
    };
  });
  const min: Trace = {
    type: "scatter",
    mode: "markers",
    name: "minimum",
    x: [surface.minimum.x],
    y: [surface.minimum.y],
    marker: { symbol: "star", size: 14, color: "black" },
  };
  return {
    data: [contour, ...lines, min],
    layout: {
      title: { text: opts.title ?? `${surface.name}: f = ${surface.formula}` },
      xaxis: { title: { text: "x" }, range: [x0, x1] },
      yaxis: { title: { text: "y" }, range: [y0, y1] },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}
