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
 * make runs irreproducible. The embedding is the runbook's own layer (WordEmbedding in
 * src/models/embedding.ts): the wasm backend lacks UnsortedSegmentSum, which tf.layers.embedding's
 * gradient (of tf.gather) needs.
 */
import * as tf from "@tensorflow/tfjs";
import { PAD_ID } from "./sequence-encoder";
import { requirePositiveInteger } from "../core/validate";
import { WordEmbedding } from "../models/embedding";

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
  if (kernelSize > sequenceLength)
    throw new Error(`${fn}: kernelSize ${kernelSize} is longer than sequenceLength ${sequenceLength}; expected kernelSize <= sequenceLength`);
  const ids = tf.input({ shape: [sequenceLength], dtype: "int32", name: "word_ids" }); // [batch, T]
  const vectors = new WordEmbedding({ inputDim: vocabSize, outputDim: embeddingDim, seed, paddingId: PAD_ID, name: "embedding" }).apply(
    ids,
  ) as tf.SymbolicTensor; // [batch, T, E]
  const features = tf.layers
    .conv1d({
      filters,
      kernelSize,
      activation: "relu",
      padding: "valid",
      name: "conv",
      kernelInitializer: tf.initializers.heUniform({ seed: seed + 1 }),
    })
    .apply(vectors) as tf.SymbolicTensor; // [batch, T − K + 1, F]
  const pooled = tf.layers.globalMaxPooling1d({ name: "max_pool" }).apply(features) as tf.SymbolicTensor; // [batch, F]
  const logits = tf.layers
    .dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }), name: "logits" })
    .apply(pooled) as tf.SymbolicTensor; // [batch, 2]
  return tf.model({ inputs: ids, outputs: logits, name: "conv_text" });
}
