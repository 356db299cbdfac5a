/**
 * Count-based baselines for a language model: unigram, (interpolated) bigram and Kneser–Ney trigram
 * character models on the same token sequences, scored by the same per-token cross-entropy and
 * perplexity (article §8: what does scale buy over counting?). A sequence's first target has one
 * token of context; models of order 3 see the sequence's first token repeated as the missing one,
 * in fitting and scoring alike.
 */
import type { TokenSequences } from "../training/train-lm";
import { requireAbove, requireInRange } from "../core/validate";

/** P(next | prev2, prev) of a count model: a unigram ignores both, a bigram `prev2`. */
export interface NgramModel {
  order: 1 | 2 | 3;
  vocabSize: number;
  prob(prev2: number, prev: number, next: number): number;
}

/** Unigram: P(b) = (c(b) + α) / (N + α·V) over the target tokens of `train` (add-α smoothing). */
export function fitUnigram(train: TokenSequences, vocabSize: number, alpha = 1): NgramModel {
  requireAbove("fitUnigram", "alpha", alpha, 0);
  const counts = new Float64Array(vocabSize);
  let total = 0;
  forEachTarget(train, (_u, _a, b) => {
    counts[b]++;
    total++;
  });
  const denom = total + alpha * vocabSize;
  return { order: 1, vocabSize, prob: (_u, _prev, next) => (counts[next] + alpha) / denom };
}

/**
 * Interpolated bigram: P(b | a) = λ · c(a, b) / c(a) + (1 − λ) · P_unigram(b) (Jelinek–Mercer);
 * P_unigram(b) when a was never seen as a context.
 */
export function fitBigram(train: TokenSequences, vocabSize: number, opts: { lambda: number; alpha?: number }): NgramModel {
  const { lambda } = opts;
  requireInRange("fitBigram", "lambda", lambda, 0, 1);
  const uni = fitUnigram(train, vocabSize, opts.alpha ?? 1);
  const pair = new Map<number, number>();
  const context = new Float64Array(vocabSize);
  forEachTarget(train, (_u, a, b) => {
    const k = a * vocabSize + b;
    pair.set(k, (pair.get(k) ?? 0) + 1);
    context[a]++;
  });
  return {
    order: 2,
    vocabSize,
    prob: (_u, a, b) => {
      const pu = uni.prob(0, a, b);
      if (context[a] === 0) return pu;
      return lambda * ((pair.get(a * vocabSize + b) ?? 0) / context[a]) + (1 - lambda) * pu;
    },
  };
}

/** D = n₁ / (n₁ + 2·n₂) from how many counts are 1 and 2 (Ney, Essen & Kneser 1994), 0.75 when undefined. */
function absoluteDiscount(counts: Iterable<number>): number {
  let n1 = 0;
  let n2 = 0;
  for (const c of counts) {
    if (c === 1) n1++;
    else if (c === 2) n2++;
  }
  return n1 + 2 * n2 > 0 && n1 > 0 ? n1 / (n1 + 2 * n2) : 0.75;
}

function increment(m: Map<number, number>, k: number, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

/**
 * Interpolated Kneser–Ney trigram (Chen & Goodman 1998, one discount per order):
 * P(w | u v) = max(c(uvw) − D₃, 0)/c(uv·) + D₃·N₁₊(uv·)/c(uv·) · P₂(w | v), and P₂(w | v) when uv was never a context;
 * P₂(w | v) = max(N₁₊(·vw) − D₂, 0)/N₁₊(·v·) + D₂·N₁₊(v·)/N₁₊(·v·) · P₁(w), with continuation counts N₁₊(·vw) (how many
 * distinct u precede vw), P₁(w) when v was never a context; P₁(w) = max(N₁₊(·w) − D₁, 0)/N₁₊(··) + D₁·N₁₊(·•)/N₁₊(··) / V,
 * which gives unseen tokens the uniform share. Every distribution sums to 1 over the vocabulary (a unit test checks).
 */
export function fitKneserNeyTrigram(train: TokenSequences, vocabSize: number): NgramModel {
  const V = vocabSize;
  const tri = new Map<number, number>(); // c(uvw), key (u·V + v)·V + w
  forEachTarget(train, (u, v, w) => increment(tri, (u * V + v) * V + w));
  const ctx3 = new Map<number, number>(); // c(uv·)
  const types3 = new Map<number, number>(); // N₁₊(uv·)
  const cont2 = new Map<number, number>(); // N₁₊(·vw), key v·V + w
  for (const [k, c] of tri) {
    const uv = Math.floor(k / V);
    increment(ctx3, uv, c);
    increment(types3, uv);
    increment(cont2, k % (V * V));
  }
  const ctx2 = new Float64Array(V); // N₁₊(·v·)
  const types2 = new Float64Array(V); // N₁₊(v·) over continuation counts
  const cont1 = new Float64Array(V); // N₁₊(·w): distinct v before w
  for (const [k, c] of cont2) {
    const v = Math.floor(k / V);
    ctx2[v] += c;
    types2[v]++;
    cont1[k % V]++;
  }
  const total1 = cont1.reduce((s, c) => s + c, 0); // N₁₊(··)
  const seen1 = cont1.reduce((s, c) => s + (c > 0 ? 1 : 0), 0);
  const d3 = absoluteDiscount(tri.values());
  const d2 = absoluteDiscount(cont2.values());
  const d1 = absoluteDiscount(cont1);
  const p1 = (w: number): number => Math.max(cont1[w] - d1, 0) / total1 + (d1 * seen1) / total1 / V;
  const p2 = (v: number, w: number): number => {
    if (ctx2[v] === 0) return p1(w);
    return Math.max((cont2.get(v * V + w) ?? 0) - d2, 0) / ctx2[v] + ((d2 * types2[v]) / ctx2[v]) * p1(w);
  };
  return {
    order: 3,
    vocabSize,
    prob: (u, v, w) => {
      const uv = u * V + v;
      const c = ctx3.get(uv);
      if (c === undefined) return p2(v, w);
      return Math.max((tri.get(uv * V + w) ?? 0) - d3, 0) / c + ((d3 * (types3.get(uv) ?? 0)) / c) * p2(v, w);
    },
  };
}

/** Calls f(prev2, prev, next) for every target position of every sequence (token t predicts t + 1; before the first token, the first token again). */
function forEachTarget(data: TokenSequences, f: (prev2: number, prev: number, next: number) => void): void {
  const L = data.length;
  for (let i = 0; i < data.count; i++) {
    const o = i * L;
    for (let t = 0; t + 1 < L; t++) f(data.tokens[o + Math.max(t - 1, 0)], data.tokens[o + t], data.tokens[o + t + 1]);
  }
}

/** Mean cross-entropy (nats per token) and perplexity of a count model on `data`'s target tokens. */
export function evaluateNgram(model: NgramModel, data: TokenSequences): { meanLoss: number; perplexity: number; tokens: number } {
  let total = 0;
  let n = 0;
  forEachTarget(data, (u, a, b) => {
    total -= Math.log(model.prob(u, a, b));
    n++;
  });
  const meanLoss = total / n;
  return { meanLoss, perplexity: Math.exp(meanLoss), tokens: n };
}
