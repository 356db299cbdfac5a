/**
 * The runbook's one embedding lookup (article §6 text models, §7–§8 the GPT): rows of a table
 * [V, d] picked by integer ids, as an op ({@link embeddingLookup}, used by the Transformer) and as
 * a Layers-API layer ({@link WordEmbedding}, used by the text classifier).
 *
 * Why not tf.gather / tf.layers.embedding: the gradient of tf.gather needs the UnsortedSegmentSum
 * kernel, which the wasm backend lacks. The gradient here is the same sum (each output row's
 * gradient added into the table row it came from), done on the host.
 */
import * as tf from "@tensorflow/tfjs";
import { requireInteger, requirePositiveInteger } from "../core/validate";

type LayerShape = (number | null)[];

/**
 * Rows `ids` of `table`: table [V, d], ids [rows] (int32) → [rows, d]. With `paddingId`, that id
 * maps to the zero vector and its row of the table gets no gradient. The gradient with respect to
 * the table is a scatter-add of the output gradient into the looked-up rows; ids get none.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D, paddingId: number | null = null): tf.Tensor2D {
  const [V, d] = table.shape;
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor2D; // [V, d]
    (args[1] as tf.GradSaveFunc)([ids]);
    const rows = tf.gather(t, ids) as tf.Tensor2D; // [rows, d]
    const value = paddingId === null ? rows : (tf.mul(rows, tf.expandDims(tf.cast(tf.notEqual(ids, paddingId), "float32"), 1)) as tf.Tensor2D);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = dy.dataSync(); // [rows, d]
        const idx = saved[0].dataSync(); // [rows]
        const out = new Float32Array(V * d); // [V, d]
        for (let r = 0; r < idx.length; r++) {
          if (idx[r] === paddingId) continue;
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
  /**
   * The id that maps to the zero vector and is never updated (default 0, the padding id of the
   * runbook's sequence encoders; null for none).
   */
  paddingId?: number | null;
  name?: string;
}

/** Word ids [batch, T] → word vectors [batch, T, E]; the padding id is the zero vector (article §6). */
export class WordEmbedding extends tf.layers.Layer {
  /** The name saved models carry (model.json's class_name): do not change it, saved models would no longer load. */
  static readonly className = "RunbookWordEmbedding";
  readonly inputDim: number;
  readonly outputDim: number;
  readonly seed: number;
  readonly paddingId: number | null;
  private embeddings: tf.LayerVariable | null = null;

  constructor(args: WordEmbeddingArgs) {
    super({ name: args.name });
    requirePositiveInteger("WordEmbedding", "inputDim", args.inputDim);
    requirePositiveInteger("WordEmbedding", "outputDim", args.outputDim);
    const paddingId = args.paddingId === undefined ? 0 : args.paddingId;
    if (paddingId !== null) requireInteger("WordEmbedding", "paddingId", paddingId);
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.seed = args.seed;
    this.paddingId = paddingId;
  }

  override build(): void {
    this.embeddings = this.addWeight(
      "embeddings",
      [this.inputDim, this.outputDim],
      "float32",
      tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: this.seed }),
    );
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
      const table = (this.embeddings as tf.LayerVariable).read() as tf.Tensor2D; // [V, E]
      const rows = embeddingLookup(table, ids, this.paddingId); // [batch·T, E]
      return tf.reshape(rows, [...x.shape, this.outputDim]); // [batch, T, E]
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    // Models saved before paddingId existed have none in their config and load with the default 0.
    return { ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim, seed: this.seed, paddingId: this.paddingId };
  }
}
tf.serialization.registerClass(WordEmbedding);
