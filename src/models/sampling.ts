/**
 * Sampling text from a language model: temperature, top-k and a seed (article §2.2: generation).
 * The draw happens on the host with the runbook's seeded PRNG, so the same logits and seed give
 * the same token on any backend.
 */
import * as tf from "@tensorflow/tfjs";
import { mulberry32, type Rng } from "../core/random";
import type { Transformer } from "./transformer";
import { requireNonNegative, requireNonNegativeInteger, requirePositiveInteger } from "../core/validate";

/** How to turn logits into a token. */
export interface SamplingOptions {
  /** Divides the logits: < 1 sharper, > 1 flatter; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (default: all). */
  topK?: number;
  /** Token ids never to sample (e.g. <pad>, <bos>, <unk>). */
  suppress?: readonly number[];
}

/** Probabilities a sampler draws from: softmax(logits / temperature) restricted to the top k, renormalised. */
export function samplingDistribution(logits: ArrayLike<number>, opts: SamplingOptions = {}): Float64Array {
  const V = logits.length;
  const temperature = opts.temperature ?? 1;
  requireNonNegative("sampling", "temperature", temperature);
  const topK = opts.topK ?? V;
  requirePositiveInteger("sampling", "topK", topK);
  const z = Float64Array.from(logits as ArrayLike<number>);
  for (const s of opts.suppress ?? []) if (s >= 0 && s < V) z[s] = -Infinity;
  // Candidates: the top k by logit (ties broken by lower id, so the set is deterministic).
  const order = Array.from({ length: V }, (_, i) => i).filter((i) => z[i] > -Infinity);
  if (order.length === 0) throw new Error("sampling: every token is suppressed");
  order.sort((a, b) => z[b] - z[a] || a - b);
  const keep = order.slice(0, Math.min(topK, order.length));
  const p = new Float64Array(V);
  if (temperature === 0) {
    p[keep[0]] = 1;
    return p;
  }
  const max = z[keep[0]];
  let sum = 0;
  for (const i of keep) {
    p[i] = Math.exp((z[i] - max) / temperature);
    sum += p[i];
  }
  for (const i of keep) p[i] /= sum;
  return p;
}

/** Draw one token id from `logits` with temperature/top-k, using `rng` (article §2.2). */
export function sampleToken(logits: ArrayLike<number>, rng: Rng, opts: SamplingOptions = {}): number {
  const p = samplingDistribution(logits, opts);
  const u = rng();
  let acc = 0;
  let last = -1;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    acc += p[i];
    last = i;
    if (u < acc) return i;
  }
  return last; // rounding: u ≥ the accumulated sum
}

/** Options for {@link generate}. */
export interface GenerateOptions extends SamplingOptions {
  seed: number;
  /** Stop after this many new tokens. */
  maxNewTokens: number;
  /** Stop once this token is produced (it is included in the output). */
  stopToken?: number;
}

/** Extend `prompt` token by token with `model`, seeded; returns prompt + new tokens (article §2.2 text generation). */
export function generate(model: Transformer, prompt: readonly number[], opts: GenerateOptions): number[] {
  if (prompt.length === 0) throw new Error("generate: the prompt needs at least one token (e.g. <bos>)");
  requireNonNegativeInteger("generate", "maxNewTokens", opts.maxNewTokens);
  const rng = mulberry32(opts.seed);
  const T = model.config.contextLength;
  const out = [...prompt];
  for (let i = 0; i < opts.maxNewTokens; i++) {
    const context = out.slice(-T);
    const last = tf.tidy(() => {
      const logits = model.logits(tf.tensor2d(context, [1, context.length], "int32")); // [1, t, V]
      return logits.slice([0, context.length - 1, 0], [1, 1, -1]).dataSync(); // [V]
    });
    const next = sampleToken(last, rng, opts);
    out.push(next);
    if (opts.stopToken !== undefined && next === opts.stopToken) break;
  }
  return out;
}
