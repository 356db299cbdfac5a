/**
 * Activation functions and their derivatives in plain TypeScript (float64), the non-linearities
 * of article §3.1: sigmoid, tanh, ReLU, leaky ReLU, GELU (exact erf form and tanh approximation).
 * Derivatives are written out by hand; test/activations.test.ts checks each against tf.grad of
 * the TF.js equivalent and against central finite differences.
 *
 * Convention at the kinks (x = 0), the same as TF.js's gradients: ReLU'(0) = 0, leaky ReLU'(0) = slope.
 */
import * as tf from "@tensorflow/tfjs";
import type { Figure } from "../core/figure";
import { requireIntegerAtLeast, requireNonNegative } from "../core/validate";

/** Logistic sigmoid σ(x) = 1 / (1 + e^−x) (article §3.1). */
export function sigmoid(x: number): number {
  // Two branches so that e^(large) never overflows.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** σ'(x) = σ(x)·(1 − σ(x)) (article §3.1). */
export function sigmoidDerivative(x: number): number {
  const s = sigmoid(x);
  return s * (1 - s);
}

/** Hyperbolic tangent (article §3.1). */
export function tanh(x: number): number {
  return Math.tanh(x);
}

/** tanh'(x) = 1 − tanh²(x) (article §3.1). */
export function tanhDerivative(x: number): number {
  const t = Math.tanh(x);
  return 1 - t * t;
}

/** ReLU(x) = max(0, x) (article §3.1). */
export function relu(x: number): number {
  return x > 0 ? x : 0;
}

/** ReLU'(x) = 1 for x > 0, else 0 (0 at the kink, as TF.js) (article §3.1). */
export function reluDerivative(x: number): number {
  return x > 0 ? 1 : 0;
}

function checkSlope(fn: string, slope: number): void {
  requireNonNegative(fn, "slope", slope);
}

/** Leaky ReLU: x for x > 0, slope·x otherwise (TF.js's default slope is 0.2, PyTorch's 0.01) (article §3.1). */
export function leakyRelu(x: number, slope = 0.2): number {
  checkSlope("leakyRelu", slope);
  return x > 0 ? x : slope * x;
}

/** Leaky ReLU'(x) = 1 for x > 0, else slope (slope at the kink, as TF.js) (article §3.1). */
export function leakyReluDerivative(x: number, slope = 0.2): number {
  checkSlope("leakyReluDerivative", slope);
  return x > 0 ? 1 : slope;
}

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt to about 1e-15, from the all-positive series
 * erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (Abramowitz & Stegun 7.1.6), which has
 * no cancellation; for |x| ≥ 6, erf(x) = ±1 in double precision (erfc(6) ≈ 2e-17).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  const a2 = a * a;
  let term = a;
  let sum = a;
  for (let n = 0; n < 500; n++) {
    term *= (2 * a2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-a2) * sum);
}

/** The standard normal density φ(x) = e^(−x²/2) / √(2π). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** The standard normal distribution function Φ(x) = (1 + erf(x/√2)) / 2. */
export function normalCdf(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** GELU, exact form: x·Φ(x) (Hendrycks & Gimpel 2016; the activation of BERT and GPT) (article §3.1). */
export function gelu(x: number): number {
  return x * normalCdf(x);
}

/** GELU'(x) = Φ(x) + x·φ(x) (article §3.1). */
export function geluDerivative(x: number): number {
  return normalCdf(x) + x * normalPdf(x);
}

/** √(2/π), the constant of the tanh approximation of GELU. */
const GELU_C = Math.sqrt(2 / Math.PI);
/** The cubic coefficient of the tanh approximation of GELU. */
const GELU_K = 0.044715;

/** GELU, tanh approximation: x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³))) (article §3.1). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + GELU_K * x * x * x)));
}

/** Derivative of the tanh approximation: (1 + t)/2 + x/2 · (1 − t²) · √(2/π) · (1 + 3·0.044715·x²), t = tanh(…) (article §3.1). */
export function geluTanhDerivative(x: number): number {
  const t = Math.tanh(GELU_C * (x + GELU_K * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x);
}

/** Names of the activations in {@link ACTIVATIONS}. */
export type ActivationName = "sigmoid" | "tanh" | "relu" | "leakyRelu" | "gelu" | "geluTanh";

/** An activation: the function, its derivative and a label for plots and tables. */
export interface Activation {
  name: ActivationName;
  label: string;
  f: (x: number) => number;
  df: (x: number) => number;
}

/** The activations of article §3.1 by name (leaky ReLU with TF.js's default slope 0.2). */
export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = {
  sigmoid: { name: "sigmoid", label: "sigmoid", f: sigmoid, df: sigmoidDerivative },
  tanh: { name: "tanh", label: "tanh", f: tanh, df: tanhDerivative },
  relu: { name: "relu", label: "ReLU", f: relu, df: reluDerivative },
  leakyRelu: { name: "leakyRelu", label: "leaky ReLU (slope 0.2)", f: (x) => leakyRelu(x, 0.2), df: (x) => leakyReluDerivative(x, 0.2) },
  gelu: { name: "gelu", label: "GELU (exact, erf)", f: gelu, df: geluDerivative },
  geluTanh: { name: "geluTanh", label: "GELU (tanh approx.)", f: geluTanh, df: geluTanhDerivative },
};

/** The same activations as TF.js ops (TF.js 4.22 has no GELU op: built from tf.erf / tf.tanh), for checks against autodiff (article §3.1). */
export const TF_ACTIVATIONS: Readonly<Record<ActivationName, (x: tf.Tensor) => tf.Tensor>> = {
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  relu: (x) => tf.relu(x),
  leakyRelu: (x) => tf.leakyRelu(x, 0.2),
  gelu: (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
  geluTanh: (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(tf.mul(GELU_C, tf.add(x, tf.mul(GELU_K, tf.pow(x, 3))))))),
};

/** Looks an activation up by name; the error lists the known names. */
export function getActivation(name: string): Activation {
  const a = (ACTIVATIONS as Record<string, Activation | undefined>)[name];
  if (!a) throw new Error(`activation "${name}" is unknown; expected one of ${Object.keys(ACTIVATIONS).join(", ")}`);
  return a;
}

/** n evenly spaced points from lo to hi inclusive (the x axis of the activation plots). */
export function linspace(lo: number, hi: number, n: number): number[] {
  requireIntegerAtLeast("linspace", "n", n, 2);
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** One colour per activation; the GELU approximation dashed over the exact GELU, so both stay visible. */
const LINE_STYLE: Record<ActivationName, { color: string; width: number; dash?: string }> = {
  sigmoid: { color: "#1f77b4", width: 2 },
  tanh: { color: "#ff7f0e", width: 2 },
  relu: { color: "#2ca02c", width: 4 },
  leakyRelu: { color: "#d62728", width: 2, dash: "dash" },
  gelu: { color: "#9467bd", width: 4 },
  geluTanh: { color: "#111111", width: 1.5, dash: "dot" },
};

/** A line chart of the activations (kind "function") or of their derivatives (kind "derivative") over xs (article §3.1). */
export function activationFigure(names: readonly ActivationName[], xs: readonly number[], kind: "function" | "derivative"): Figure {
  return {
    data: names.map((n) => {
      const a = getActivation(n);
      const g = kind === "function" ? a.f : a.df;
      return { type: "scatter", mode: "lines", name: a.label, x: [...xs], y: xs.map((x) => g(x)), line: LINE_STYLE[n] };
    }),
    layout: {
      title: { text: kind === "function" ? "Activation functions" : "Their derivatives" },
      xaxis: { title: { text: "x" }, zeroline: true },
      yaxis: { title: { text: kind === "function" ? "f(x)" : "f′(x)" }, zeroline: true },
    },
  };
}
