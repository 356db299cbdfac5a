/**
 * Count-based baselines for a language model: unigram and (interpolated) bigram character models
 * on the same token sequences, scored by the same per-token cross-entropy and perplexity
 * (article §8: what does scale buy over counting?).
 */
import type { TokenSequences } from "../training/train-lm";
import { requireAbove, requireInRange } from "../core/validate";

/** P(next | prev) of a count model; `prev` is ignored by a unigram. */
export interface NgramModel {
  order: 1 | 2;
  vocabSize: number;
  prob(prev: number, next: number): number;
}

/** Unigram: P(b) = (c(b) + α) / (N + α·V) over the target tokens of `train` (add-α smoothing). */
export function fitUnigram(train: TokenSequences, vocabSize: number, alpha = 1): NgramModel {
  requireAbove("fitUnigram", "alpha", alpha, 0);
  const counts = new Float64Array(vocabSize);
  let total = 0;
  forEachPair(train, (_, b) => {
    counts[b]++;
    total++;
  });
  const denom = total + alpha * vocabSize;
  return { order: 1, vocabSize, prob: (_prev, next) => (counts[next] + alpha) / denom };
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
  forEachPair(train, (a, b) => {
    const k = a * vocabSize + b;
    pair.set(k, (pair.get(k) ?? 0) + 1);
    context[a]++;
  });
  return {
    order: 2,
    vocabSize,
    prob: (a, b) => {
      const pu = uni.prob(a, b);
      if (context[a] === 0) return pu;
      return lambda * ((pair.get(a * vocabSize + b) ?? 0) / context[a]) + (1 - lambda) * pu;
    },
  };
}

/** Calls f(prev, next) for every target position of every sequence (token t predicts t + 1). */
function forEachPair(data: TokenSequences, f: (prev: number, next: number) => void): void {
  const L = data.length;
  for (let i = 0; i < data.count; i++) {
    const o = i * L;
    for (let t = 0; t + 1 < L; t++) f(data.tokens[o + t], data.tokens[o + t + 1]);
  }
}

/** Mean cross-entropy (nats per token) and perplexity of a count model on `data`'s target tokens. */
export function evaluateNgram(model: NgramModel, data: TokenSequences): { meanLoss: number; perplexity: number; tokens: number } {
  let total = 0;
  let n = 0;
  forEachPair(data, (a, b) => {
    total -= Math.log(model.prob(a, b));
    n++;
  });
  const meanLoss = total / n;
  return { meanLoss, perplexity: Math.exp(meanLoss), tokens: n };
}
