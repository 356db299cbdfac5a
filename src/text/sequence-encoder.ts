/**
 * Word ids for sequence models (article §6 NLP). Built on the runbook's one word tokenizer
 * (`tokenize` in bag-of-words.ts; src/tokenizer.ts is the Tang model's character tokenizer): a
 * vocabulary of the words in the most TRAINING documents (buildVocabulary), id 0 = padding,
 * id 1 = unknown word, ids 2… = the vocabulary in order. Sequences are cut or padded to a fixed
 * length: padding goes at the end; truncation keeps the first `length` tokens (the subject and the
 * start of the body) unless `truncate: "start"` keeps the last ones.
 */
import * as tf from "@tensorflow/tfjs";
import { buildVocabulary, tokenize } from "./bag-of-words";
import { requirePositiveInteger } from "../core/validate";

/** Id of the padding token (article §6). */
export const PAD_ID = 0;
/** Id of every word outside the vocabulary (article §6). */
export const UNK_ID = 1;
/** Names of the two reserved ids, for decoding (article §6). */
export const RESERVED_TOKENS: readonly string[] = ["<pad>", "<unk>"];

/** Which end of a long sequence is dropped: "end" keeps the first tokens, "start" the last (article §6). */
export type Truncation = "end" | "start";

/** Maps words to ids and documents to fixed-length id sequences (article §6). */
export class WordEncoder {
  readonly vocabulary: readonly string[];
  private readonly index: Map<string, number>;

  constructor(vocabulary: readonly string[]) {
    const index = new Map<string, number>();
    vocabulary.forEach((w, i) => {
      if (typeof w !== "string" || w.length === 0) throw new Error(`WordEncoder: vocabulary[${i}] is ${JSON.stringify(w)}; expected a non-empty word`);
      if (index.has(w))
        throw new Error(`WordEncoder: vocabulary[${i}] "${w}" repeats vocabulary[${index.get(w)! - RESERVED_TOKENS.length}]; expected distinct words`);
      index.set(w, i + RESERVED_TOKENS.length);
    });
    this.vocabulary = [...vocabulary];
    this.index = index;
  }

  /** The `maxWords` words in the most training documents, each in ≥ minDocFreq of them (article §6). */
  static fit(trainDocs: readonly string[], maxWords: number, minDocFreq = 2): WordEncoder {
    if (trainDocs.length === 0) throw new Error("WordEncoder.fit: trainDocs is empty; expected at least one training document");
    requirePositiveInteger("WordEncoder.fit", "maxWords", maxWords);
    return new WordEncoder(buildVocabulary(trainDocs, maxWords, minDocFreq));
  }

  /** Number of ids: vocabulary + padding + unknown (the embedding's rows). */
  get size(): number {
    return this.vocabulary.length + RESERVED_TOKENS.length;
  }

  /** Id of a token (already tokenised), UNK_ID when unknown. */
  idOf(token: string): number {
    return this.index.get(token) ?? UNK_ID;
  }

  /** The word of an id ("<pad>", "<unk>" for the reserved ones). */
  tokenOf(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) throw new Error(`WordEncoder.tokenOf: id ${id} outside 0..${this.size - 1}`);
    return id < RESERVED_TOKENS.length ? RESERVED_TOKENS[id] : this.vocabulary[id - RESERVED_TOKENS.length];
  }

  /** All ids of a text, unknown words as UNK_ID (no padding, no truncation). */
  encode(text: string): Int32Array {
    return Int32Array.from(tokenize(text), (t) => this.idOf(t));
  }

  /** Exactly `length` ids: truncated as `truncate` says, padded with PAD_ID at the end. */
  encodeFixed(text: string, length: number, truncate: Truncation = "end"): Int32Array {
    requirePositiveInteger("WordEncoder.encodeFixed", "length", length);
    if (truncate !== "end" && truncate !== "start")
      throw new Error(`WordEncoder.encodeFixed: truncate is ${JSON.stringify(truncate)}; expected "end" or "start"`);
    const ids = this.encode(text);
    const kept = ids.length <= length ? ids : truncate === "end" ? ids.subarray(0, length) : ids.subarray(ids.length - length);
    const out = new Int32Array(length); // PAD_ID = 0 everywhere else
    out.set(kept);
    return out;
  }

  /** Id sequences of many texts as an int32 tensor [docs.length, length] (article §6). */
  encodeBatch(docs: readonly string[], length: number, truncate: Truncation = "end"): tf.Tensor2D {
    requirePositiveInteger("WordEncoder.encodeBatch", "length", length);
    const out = new Int32Array(docs.length * length);
    docs.forEach((d, r) => out.set(this.encodeFixed(d, length, truncate), r * length));
    return tf.tensor2d(out, [docs.length, length], "int32"); // [docs, length]
  }

  /** Words of an id sequence, padding dropped. */
  decode(ids: ArrayLike<number>): string[] {
    const words: string[] = [];
    for (let i = 0; i < ids.length; i++) if (ids[i] !== PAD_ID) words.push(this.tokenOf(ids[i]));
    return words;
  }

  /** Share of the documents' tokens that are unknown, and of documents longer than `length` tokens. */
  coverage(docs: readonly string[], length: number): { unknownRate: number; truncatedRate: number; meanTokens: number } {
    requirePositiveInteger("WordEncoder.coverage", "length", length);
    let tokens = 0;
    let unknown = 0;
    let truncated = 0;
    for (const d of docs) {
      const ids = this.encode(d);
      tokens += ids.length;
      for (const id of ids) if (id === UNK_ID) unknown++;
      if (ids.length > length) truncated++;
    }
    return {
      unknownRate: tokens > 0 ? unknown / tokens : 0,
      truncatedRate: docs.length > 0 ? truncated / docs.length : 0,
      meanTokens: docs.length > 0 ? tokens / docs.length : 0,
    };
  }
}
