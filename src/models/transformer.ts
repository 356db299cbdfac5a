/**
 * A small decoder-only Transformer (GPT-style) in TensorFlow.js, written with tf ops on
 * tf.Variables: the architecture of *Attention Is All You Need* (article §7) behind GPT-3
 * (article §10), in miniature (article §2.1, §8).
 *
 *   tokens [batch, T] → token embedding [V, d] + learned position embedding [Tmax, d]
 *   → numLayers × pre-norm block:  x + Attn(LN(x)),  x + MLP(LN(x))
 *     Attn: multi-head causal self-attention (numHeads heads of d/numHeads), MLP: d → dFF → d, GELU
 *   → final layer norm → logits [batch, T, V] (output matrix = token embedding when tied; no output
 *     bias, as in GPT-2)
 *
 * Not a tf.LayersModel: the output is a sequence of logits [batch, T, V] and the embedding is
 * shared with the output projection, which the Layers API does not express; training goes
 * through src/train-lm.ts. Saved with model-io's file handlers (model.json + weights.bin).
 *
 * The token embedding is looked up with the runbook's one embedding op (src/models/embedding.ts),
 * whose gradient does not need the UnsortedSegmentSum kernel the wasm backend lacks.
 */
import * as tf from "@tensorflow/tfjs";
import { embeddingLookup } from "./embedding";
import { fileLoadHandler, fileSaveHandler } from "./model-io";
import { requireInteger, requirePositiveInteger } from "../core/validate";

/** Shape of a Transformer language model. */
export interface TransformerConfig {
  /** Vocabulary size V (tokenizer.size). */
  vocabSize: number;
  /** Longest input sequence Tmax (rows of the position embedding). */
  contextLength: number;
  /** Model width d. */
  dModel: number;
  /** Attention heads; must divide dModel. */
  numHeads: number;
  numLayers: number;
  /** Hidden width of the MLP (default 4·dModel). */
  dFF?: number;
  /** Use the token embedding as the output matrix (default true). */
  tieWeights?: boolean;
  /** Seed of the initial weights. */
  seed: number;
}

const LN_EPS = 1e-5;

function checkConfig(c: TransformerConfig): Required<TransformerConfig> {
  for (const key of ["vocabSize", "contextLength", "dModel", "numHeads", "numLayers"] as const) {
    const v = c[key];
    requirePositiveInteger("Transformer", key, v);
  }
  if (c.dModel % c.numHeads !== 0) throw new Error(`Transformer: numHeads (${c.numHeads}) must divide dModel (${c.dModel})`);
  const dFF = c.dFF ?? 4 * c.dModel;
  requirePositiveInteger("Transformer", "dFF", dFF);
  requireInteger("Transformer", "seed", c.seed);
  return { ...c, dFF, tieWeights: c.tieWeights ?? true };
}

/** The weight names and shapes of a configuration, in a fixed order. */
export function transformerWeightShapes(config: TransformerConfig): [string, number[]][] {
  const c = checkConfig(config);
  const { vocabSize: V, contextLength: T, dModel: d, dFF: f } = c;
  const shapes: [string, number[]][] = [
    ["tokEmb", [V, d]],
    ["posEmb", [T, d]],
  ];
  for (let l = 0; l < c.numLayers; l++) {
    shapes.push(
      [`h${l}.ln1.g`, [d]],
      [`h${l}.ln1.b`, [d]],
      [`h${l}.attn.wqkv`, [d, 3 * d]],
      [`h${l}.attn.bqkv`, [3 * d]],
      [`h${l}.attn.wo`, [d, d]],
      [`h${l}.attn.bo`, [d]],
      [`h${l}.ln2.g`, [d]],
      [`h${l}.ln2.b`, [d]],
      [`h${l}.mlp.w1`, [d, f]],
      [`h${l}.mlp.b1`, [f]],
      [`h${l}.mlp.w2`, [f, d]],
      [`h${l}.mlp.b2`, [d]],
    );
  }
  shapes.push(["lnf.g", [d]], ["lnf.b", [d]]);
  if (!c.tieWeights) shapes.push(["head.w", [d, V]]);
  return shapes;
}

/** Trainable parameters N of a configuration (article §8: model size). */
export function countTransformerParameters(config: TransformerConfig): number {
  return transformerWeightShapes(config).reduce((s, [, shape]) => s + shape.reduce((p, k) => p * k, 1), 0);
}

/** Parameters outside the embeddings (Kaplan et al.'s N for scaling laws, article §8). */
export function countNonEmbeddingParameters(config: TransformerConfig): number {
  const c = checkConfig(config);
  const embedding = c.vocabSize * c.dModel + c.contextLength * c.dModel + (c.tieWeights ? 0 : c.dModel * c.vocabSize);
  return countTransformerParameters(config) - embedding;
}

/** GPT-2-style initial value: N(0, 0.02), residual projections scaled by 1/√(2·layers); gains 1, biases 0. */
function initialValue(name: string, shape: number[], seed: number, numLayers: number): tf.Tensor {
  if (name.endsWith(".g")) return tf.ones(shape);
  if (/\.b\w*$/.test(name)) return tf.zeros(shape);
  const std = /attn\.wo|mlp\.w2/.test(name) ? 0.02 / Math.sqrt(2 * numLayers) : 0.02;
  return tf.randomNormal(shape, 0, std, "float32", seed);
}

/** Layer norm over the last axis: [..., d] → [..., d]. */
function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPS))), g), b);
}

/** GELU, tanh approximation (GPT-2). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x)))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/**
 * a [n, k] · b [k, m] with a gradient that uses explicit transposes: on the wasm backend a
 * matMul with a transpose flag is about 10× slower than transposing first (measured: 188 ms vs
 * 35 ms for [768, 32]·[32, 2900]ᵀ), and tf.matMul's own gradient uses the flags.
 */
export function matMul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y] = args as [tf.Tensor2D, tf.Tensor2D];
    (args[2] as tf.GradSaveFunc)([x, y]);
    return {
      value: tf.matMul(x, y) as tf.Tensor2D, // [n, m]
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy, tf.transpose(ys)), tf.matMul(tf.transpose(xs), dy)]; // [n, k], [k, m]
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}

/** x [..., k] · w [k, m] + b [m] as one 2-D matmul. */
function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const k = shape[shape.length - 1];
  const y = tf.add(matMul2d(tf.reshape(x, [-1, k]) as tf.Tensor2D, w as tf.Tensor2D), b); // [rows, m]
  return tf.reshape(y, [...shape.slice(0, -1), w.shape[1] as number]);
}

/**
 * Mean cross-entropy of integer labels under softmax(logits), in nats: logits [n, V], labels [n]
 * → scalar. Computed on the host in one pass per row (max, log-sum-exp), with the gradient
 * (softmax − one-hot) / n written directly: on wasm, tf's softmaxCrossEntropy on one-hot labels
 * spends most of a training step in Exp and Sum over [n, V] (measured 170 ms of 310 ms at
 * n = 768, V = 2,900), the host loop a fraction of that.
 */
export function sparseSoftmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const [n, V] = logits.shape;
  if (labels.shape[0] !== n) throw new Error(`sparseSoftmaxCrossEntropy: labels [${labels.shape}] must have ${n} entries to match logits [${logits.shape}]`);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const z = (args[0] as tf.Tensor2D).dataSync(); // [n, V], row-major
    const y = labels.dataSync();
    const lse = new Float64Array(n);
    let total = 0;
    for (let r = 0; r < n; r++) {
      const label = y[r];
      if (!Number.isInteger(label) || label < 0 || label >= V) throw new Error(`sparseSoftmaxCrossEntropy: label ${label} at row ${r} is outside [0, ${V})`);
      const o = r * V;
      let max = -Infinity;
      for (let j = 0; j < V; j++) if (z[o + j] > max) max = z[o + j];
      let sum = 0;
      for (let j = 0; j < V; j++) sum += Math.exp(z[o + j] - max);
      lse[r] = max + Math.log(sum);
      total += lse[r] - z[o + label];
    }
    return {
      value: tf.scalar(total / n),
      gradFunc: (dy: tf.Scalar) => {
        const scale = dy.dataSync()[0] / n;
        const g = new Float32Array(n * V);
        for (let r = 0; r < n; r++) {
          const o = r * V;
          for (let j = 0; j < V; j++) g[o + j] = Math.exp(z[o + j] - lse[r]) * scale;
          g[o + y[r]] -= scale;
        }
        return tf.tensor2d(g, [n, V]);
      },
    };
  });
  return f(logits) as tf.Scalar;
}

/** The causal mask as an additive bias: 0 where key ≤ query, −1e9 above the diagonal; [T, T]. */
export function causalMaskBias(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
  return tf.tensor2d(m, [T, T]);
}

/** A decoder-only Transformer language model on tf.Variables (article §7, §8). */
export class Transformer {
  readonly config: Required<TransformerConfig>;
  /** Trainable weights by name, in transformerWeightShapes order. */
  readonly weights: Map<string, tf.Variable>;

  constructor(config: TransformerConfig, initial?: tf.NamedTensorMap) {
    this.config = checkConfig(config);
    this.weights = new Map();
    transformerWeightShapes(this.config).forEach(([name, shape], i) => {
      const given = initial?.[name];
      if (initial && !given) throw new Error(`Transformer: weight ${name} missing from the loaded weights`);
      if (given && given.shape.join(",") !== shape.join(",")) {
        throw new Error(`Transformer: weight ${name} has shape [${given.shape}]; expected [${shape}]`);
      }
      const v = tf.tidy(() =>
        tf.variable(
          given ? given.clone() : initialValue(name, shape, this.config.seed * 1009 + i, this.config.numLayers),
          true,
          `${name}_${Transformer.nextId++}`,
        ),
      );
      this.weights.set(name, v);
    });
  }

  private static nextId = 0;

  private w(name: string): tf.Variable {
    const v = this.weights.get(name);
    if (!v) throw new Error(`Transformer: no weight ${name}`);
    return v;
  }

  /** Trainable variables, for an optimiser. */
  variables(): tf.Variable[] {
    return [...this.weights.values()];
  }

  /** Total parameters N. */
  numParameters(): number {
    return countTransformerParameters(this.config);
  }

  /** Multi-head causal self-attention on x [B, T, d] → [B, T, d]. */
  private attention(x: tf.Tensor3D, l: number, mask: tf.Tensor2D): tf.Tensor3D {
    const [B, T, d] = x.shape;
    const H = this.config.numHeads;
    const dh = d / H;
    const qkv = dense(x, this.w(`h${l}.attn.wqkv`), this.w(`h${l}.attn.bqkv`)); // [B, T, 3d]
    const heads = (t: tf.Tensor): tf.Tensor4D => tf.transpose(tf.reshape(t, [B, T, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, dh]
    const [q, k, v] = tf.split(qkv, 3, -1).map(heads);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask); // [B, H, T, T]
    const att = tf.softmax(scores, -1); // rows sum to 1 over keys ≤ query
    const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B, T, d]); // [B, T, d]
    return dense(y, this.w(`h${l}.attn.wo`), this.w(`h${l}.attn.bo`)) as tf.Tensor3D;
  }

  /** Next-token logits for every position: tokens [B, T] (int32, T ≤ contextLength) → [B, T, V]. */
  logits(tokens: tf.Tensor2D): tf.Tensor3D {
    const [B, T] = tokens.shape;
    const { contextLength, vocabSize: V, dModel: d } = this.config;
    if (T > contextLength || T < 1) throw new Error(`Transformer.logits: sequence length ${T} must be in [1, ${contextLength}] (contextLength)`);
    return tf.tidy(() => {
      const ids = tf.reshape(tf.cast(tokens, "int32"), [-1]) as tf.Tensor1D; // [B·T]
      const tok = tf.reshape(embeddingLookup(this.w("tokEmb") as tf.Tensor2D, ids), [B, T, d]); // [B, T, d]
      const pos = tf.slice(this.w("posEmb"), [0, 0], [T, d]); // [T, d]
      let x = tf.add(tok, pos) as tf.Tensor3D; // [B, T, d]
      const mask = causalMaskBias(T);
      for (let l = 0; l < this.config.numLayers; l++) {
        x = tf.add(x, this.attention(layerNorm(x, this.w(`h${l}.ln1.g`), this.w(`h${l}.ln1.b`)) as tf.Tensor3D, l, mask)) as tf.Tensor3D;
        const h = gelu(dense(layerNorm(x, this.w(`h${l}.ln2.g`), this.w(`h${l}.ln2.b`)), this.w(`h${l}.mlp.w1`), this.w(`h${l}.mlp.b1`)));
        x = tf.add(x, dense(h, this.w(`h${l}.mlp.w2`), this.w(`h${l}.mlp.b2`))) as tf.Tensor3D;
      }
      const hF = tf.reshape(layerNorm(x, this.w("lnf.g"), this.w("lnf.b")), [B * T, d]); // [B·T, d]
      const out = this.config.tieWeights
        ? matMul2d(hF as tf.Tensor2D, tf.transpose(this.w("tokEmb")) as tf.Tensor2D) // [B·T, V]
        : matMul2d(hF as tf.Tensor2D, this.w("head.w") as tf.Tensor2D);
      return tf.reshape(out, [B, T, V]) as tf.Tensor3D;
    });
  }

  /** Mean next-token cross-entropy (nats): inputs, targets [B, T] int32 → scalar. */
  loss(inputs: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    if (inputs.shape.join(",") !== targets.shape.join(",")) {
      throw new Error(`Transformer.loss: targets [${targets.shape}] must have the shape of inputs [${inputs.shape}]`);
    }
    return tf.tidy(() => {
      const logits = this.logits(inputs); // [B, T, V]
      const V = this.config.vocabSize;
      const flat = tf.reshape(logits, [-1, V]) as tf.Tensor2D; // [B·T, V]
      const labels = tf.reshape(tf.cast(targets, "int32"), [-1]) as tf.Tensor1D; // [B·T]
      return sparseSoftmaxCrossEntropy(flat, labels);
    });
  }

  dispose(): void {
    for (const v of this.weights.values()) v.dispose();
    this.weights.clear();
  }
}

/** Save a Transformer (config, weights and any JSON metadata such as the tokenizer) to `dir` (article §3.2 step 5). */
export async function saveTransformer(model: Transformer, dir: string, metadata: NonNullable<tf.io.ModelArtifacts["userDefinedMetadata"]> = {}): Promise<void> {
  const named = [...model.weights.entries()].map(([name, tensor]) => ({ name, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  await fileSaveHandler(dir).save!({
    modelTopology: { kind: "runbook-transformer", config: model.config },
    format: "runbook-transformer",
    generatedBy: `TensorFlow.js ${tf.version.tfjs}`,
    weightSpecs: specs,
    weightData: data,
    userDefinedMetadata: metadata,
  });
}

/** Load a Transformer saved by {@link saveTransformer}, with its metadata. */
export async function loadTransformer(dir: string): Promise<{ model: Transformer; metadata: NonNullable<tf.io.ModelArtifacts["userDefinedMetadata"]> }> {
  const artifacts = await fileLoadHandler(dir).load!();
  const topology = artifacts.modelTopology as { kind?: string; config?: TransformerConfig } | undefined;
  if (topology?.kind !== "runbook-transformer" || !topology.config) {
    throw new Error(`loadTransformer: ${dir}/model.json is not a saved Transformer; expected modelTopology.kind "runbook-transformer"`);
  }
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs ?? []);
  try {
    const model = new Transformer(topology.config, weights);
    return { model, metadata: artifacts.userDefinedMetadata ?? {} };
  } finally {
    tf.dispose(Object.values(weights));
  }
}
