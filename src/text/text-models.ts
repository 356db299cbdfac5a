/**
 * The sequence text classifier for the NLP scenario (article §6), a seeded tfjs LayersModel that output
 * logits (no softmax) for the runbook's one training loop, `trainClassifier` (src/train.ts):
 *
 *   conv sequence model  ids [batch, T] → embedding [batch, T, E] → conv1d F@K + ReLU [batch, T−K+1, F]
 *                        → global max pool [batch, F] → dense 2                → logits [batch, 2]
 *
 * Logistic regression and the MLP on bag-of-words / TF-IDF vectors are the runbook's one table
 * model, `buildMlp` (src/model.ts); `predictClassScores` (src/predict.ts) gives the scores.
 *
 * No dropout: tfjs's seeded dropout draws the same mask at every step, and an unseeded one would
 * make runs irreproducible. The embedding is the runbook's own layer ({@link WordEmbedding}): the
 * wasm backend lacks UnsortedSegmentSum, which tf.layers.embedding's gradient (of tf.gather) needs.
 */
import * as tf from "@tensorflow/tfjs";
import { PAD_ID } from "./sequence-encoder";
import { requirePositiveInteger } from "../core/validate";

type LayerShape = (number | null)[];

/**
 * Rows `ids` of `table`; id PAD_ID maps to the zero vector and is never updated. The gradient is
 * a scatter-add of the output gradient into the looked-up rows, on the host.
 */
function embeddingLookup(table: tf.Tensor, ids: tf.Tensor1D): tf.Tensor2D {
  const [V, d] = table.shape as [number, number];
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor2D; // [V, d]
    (args[1] as tf.GradSaveFunc)([ids]);
    const notPad = tf.expandDims(tf.cast(tf.notEqual(ids, PAD_ID), "float32"), 1); // [rows, 1]
    return {
      value: tf.mul(tf.gather(t, ids), notPad) as tf.Tensor2D, // [rows, d]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy.dataSync(); // [rows, d]
        const idx = saved[0].dataSync(); // [rows]
        const out = new Float32Array(V * d);
        for (let r = 0; r < idx.length; r++) {
          if (idx[r] === PAD_ID) continue;
          const o = idx[r] * d;
          for (let j = 0; j < d; j++) out[o + j] += g[r * d + j];
        }
        return tf.tensor2d(out, [V, d]);
      },
    };
  });
  return lookup(table) as tf.Tensor2D;
}

/** Options of {@link WordEmbedding}. */
export interface WordEmbeddingArgs {
  /** Rows of the table: the encoder's size (vocabulary + padding + unknown). */
  inputDim: number;
  /** Length E of each word vector. */
  outputDim: number;
  /** Seed of the uniform(±0.05) initialisation (Keras's default for embeddings). */
  seed: number;
  name?: string;
}

/** Word ids [batch, T] → word vectors [batch, T, E]; padding (id 0) is the zero vector (article §6). */
export class WordEmbedding extends tf.layers.Layer {
  static readonly className = "RunbookWordEmbedding";
  readonly inputDim: number;
  readonly outputDim: number;
  readonly seed: number;
  private embeddings: tf.LayerVariable | null = null;

  constructor(args: WordEmbeddingArgs) {
    super({ name: args.name });
    requirePositiveInteger("WordEmbedding", "inputDim", args.inputDim);
    requirePositiveInteger("WordEmbedding", "outputDim", args.outputDim);
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.seed = args.seed;
  }

  override build(): void {
    this.embeddings = this.addWeight("embeddings", [this.inputDim, this.outputDim], "float32",
      tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: this.seed }));
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as LayerShape;
    return [...s, this.outputDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs; // [batch, T]
      const ids = tf.cast(tf.reshape(x, [-1]), "int32") as tf.Tensor1D; // [batch·T]
      const rows = embeddingLookup((this.embeddings as tf.LayerVariable).read(), ids); // [batch·T, E]
      return tf.reshape(rows, [...x.shape, this.outputDim]); // [batch, T, E]
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim, seed: this.seed };
  }
}
tf.serialization.registerClass(WordEmbedding);

/** Options of {@link buildConvTextClassifier}. */
export interface ConvTextOptions {
  /** Rows of the embedding: WordEncoder.size. */
  vocabSize: number;
  /** Ids per document T (the encoder's fixed length). */
  sequenceLength: number;
  /** Word vector length E. */
  embeddingDim: number;
  /** Convolution filters F (n-gram detectors). */
  filters: number;
  /** Words per filter window K (≤ sequenceLength). */
  kernelSize: number;
  numClasses?: number;
  /** Base seed: embedding seed, conv seed + 1, output seed + 2. */
  seed: number;
}

/** Embedding → 1-D convolution + ReLU → global max pool → logits: a Kim-style CNN for text (article §6). */
export function buildConvTextClassifier(opts: ConvTextOptions): tf.LayersModel {
  const { vocabSize, sequenceLength, embeddingDim, filters, kernelSize, numClasses = 2, seed } = opts;
  const fn = "buildConvTextClassifier";
  for (const [name, v] of Object.entries({ vocabSize, sequenceLength, embeddingDim, filters, kernelSize, numClasses })) requirePositiveInteger(fn, name, v);
  if (vocabSize < 3) throw new Error(`${fn}: vocabSize is ${vocabSize}; expected at least 3 (padding, unknown and one word)`);
  if (kernelSize > sequenceLength) throw new Error(`${fn}: kernelSize ${kernelSize} is longer than sequenceLength ${sequenceLength}; expected kernelSize <= sequenceLength`);
  const ids = tf.input({ shape: [sequenceLength], dtype: "int32", name: "word_ids" }); // [batch, T]
  const vectors = new WordEmbedding({ inputDim: vocabSize, outputDim: embeddingDim, seed, name: "embedding" }).apply(ids) as tf.SymbolicTensor; // [batch, T, E]
  const features = tf.layers.conv1d({
    filters, kernelSize, activation: "relu", padding: "valid", name: "conv",
    kernelInitializer: tf.initializers.heUniform({ seed: seed + 1 }),
  }).apply(vectors) as tf.SymbolicTensor; // [batch, T − K + 1, F]
  const pooled = tf.layers.globalMaxPooling1d({ name: "max_pool" }).apply(features) as tf.SymbolicTensor; // [batch, F]
  const logits = tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), name: "logits" })
    .apply(pooled) as tf.SymbolicTensor; // [batch, 2]
  return tf.model({ inputs: ids, outputs: logits, name: "conv_text" });
}
