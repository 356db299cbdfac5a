/**
 * Seeded randomness for the runbook: a tiny deterministic PRNG and shuffles.
 *
 * PyTorch's DataLoader(shuffle=True) reshuffles the training set every epoch
 * (article §5.2); here the permutation for epoch e is `shuffledIndices(n, seed + e)`,
 * so a run is reproducible from its seed alone.
 */
import { requireNonNegativeInteger } from "./validate";

/** A function returning uniform floats in [0, 1). */
export type Rng = () => number;

/** Mulberry32: a small, fast 32-bit seeded PRNG returning floats in [0, 1) (used for shuffles, article §5.2). */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n) drawn from `rng`. */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** In-place Fisher–Yates shuffle of `array` driven by `rng`; returns the same array. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A deterministic permutation of 0..n-1 (Fisher–Yates, mulberry32(seed)): the per-epoch shuffle of article §5.2. */
export function shuffledIndices(n: number, seed: number): Int32Array {
  requireNonNegativeInteger("shuffledIndices", "n", n);
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  return shuffleInPlace(indices, mulberry32(seed));
}
