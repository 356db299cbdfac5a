/**
 * A character tokenizer for classical Chinese verse (article §2.1: end-to-end learning from raw
 * text). Every character is one token; characters seen fewer than `minCount` times in the
 * training text map to `<unk>`. Five special tokens mark the structure of a poem:
 *
 *   <pad> 0 (reserved, never produced by encodePoem) · <unk> 1 · <bos> 2 poem start ·
 *   <eol> 3 end of a line that is not the last · <eos> 4 end of the poem
 *
 * so a quatrain of 4 lines × 5 characters is always 1 + 4 × 6 = 25 tokens:
 * `<bos> 春眠不覺曉 <eol> 處處聞啼鳥 <eol> 夜來風雨聲 <eol> 花落知多少 <eos>`.
 */
import { requirePositiveInteger } from "../core/validate";

export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOL = 3;
export const EOS = 4;
export const SPECIAL_TOKENS: readonly string[] = ["<pad>", "<unk>", "<bos>", "<eol>", "<eos>"];

/** The serialisable form of a tokenizer (saved beside a model). */
export interface TokenizerJSON {
  kind: "char-tokenizer";
  /** Every token in id order, the special tokens first. */
  vocab: string[];
}

/** Split a string into characters (code points, so characters outside the BMP stay whole). */
export function chars(text: string): string[] {
  return Array.from(text);
}

/** A tag token such as `<7x4>`: a label a poem can start with (its form), so a generator can be asked for one. */
const TAG = /^<[^<>\s]+>$/u;

/**
 * Character ↔ id mapping with `<unk>` for unseen characters and poem-structure tokens (article §2.1).
 * The vocabulary is the special tokens, then any tag tokens (`<5x4>`…), then single characters.
 */
export class CharTokenizer {
  readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(vocab: readonly string[]) {
    SPECIAL_TOKENS.forEach((s, i) => {
      if (vocab[i] !== s) throw new Error(`CharTokenizer: vocab[${i}] must be the special token ${s}; got ${JSON.stringify(vocab[i])}`);
    });
    this.ids = new Map();
    let numTags = 0;
    vocab.forEach((tok, i) => {
      if (i >= SPECIAL_TOKENS.length && chars(tok).length !== 1) {
        if (!TAG.test(tok) || i !== SPECIAL_TOKENS.length + numTags) {
          throw new Error(
            `CharTokenizer: vocab[${i}] must be a single character (or a tag like <5x4> right after the special tokens); got ${JSON.stringify(tok)}`,
          );
        }
        numTags++;
      }
      if (this.ids.has(tok)) throw new Error(`CharTokenizer: vocab has ${JSON.stringify(tok)} twice (ids ${this.ids.get(tok)} and ${i})`);
      this.ids.set(tok, i);
    });
    this.vocab = [...vocab];
    this.tags = vocab.slice(SPECIAL_TOKENS.length, SPECIAL_TOKENS.length + numTags);
  }

  /** The tag tokens (`<5x4>`…), in id order after the special tokens. */
  readonly tags: readonly string[];

  /**
   * Build the vocabulary from training text: characters seen at least `minCount` times, most
   * frequent first (ties by code point, so the ids are deterministic).
   */
  static fit(texts: readonly string[], opts: { minCount?: number; tags?: readonly string[] } = {}): CharTokenizer {
    const minCount = opts.minCount ?? 1;
    requirePositiveInteger("CharTokenizer.fit", "minCount", minCount);
    const tags = opts.tags ?? [];
    for (const t of tags) if (!TAG.test(t)) throw new Error(`CharTokenizer.fit: tag ${JSON.stringify(t)} must look like <name> (no spaces)`);
    const counts = new Map<string, number>();
    for (const t of texts) for (const c of chars(t)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const kept = [...counts.entries()]
      .filter(([c, n]) => n >= minCount && !SPECIAL_TOKENS.includes(c))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([c]) => c);
    return new CharTokenizer([...SPECIAL_TOKENS, ...tags, ...kept]);
  }

  static fromJSON(json: TokenizerJSON): CharTokenizer {
    if (json?.kind !== "char-tokenizer" || !Array.isArray(json.vocab)) {
      throw new Error(`CharTokenizer.fromJSON: expected {kind: "char-tokenizer", vocab: string[]}; got ${JSON.stringify(json)?.slice(0, 80)}`);
    }
    return new CharTokenizer(json.vocab);
  }

  toJSON(): TokenizerJSON {
    return { kind: "char-tokenizer", vocab: [...this.vocab] };
  }

  /** Vocabulary size, special tokens included. */
  get size(): number {
    return this.vocab.length;
  }

  /** The id of one character (`UNK` when it is not in the vocabulary). */
  id(char: string): number {
    return this.ids.get(char) ?? UNK;
  }

  /** Ids of the characters of `text` (no special tokens added). */
  encode(text: string): number[] {
    return chars(text).map((c) => this.id(c));
  }

  /** The text of `ids`; special tokens render as their names unless `skipSpecial`. */
  decode(ids: ArrayLike<number>, opts: { skipSpecial?: boolean } = {}): string {
    let s = "";
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocab.length)
        throw new Error(`CharTokenizer.decode: id ${id} at position ${i} is outside [0, ${this.vocab.length})`);
      if (opts.skipSpecial && id < SPECIAL_TOKENS.length + this.tags.length) continue;
      s += this.vocab[id];
    }
    return s;
  }

  /** The id of a tag token; throws naming the tags there are. */
  tagId(tag: string): number {
    const i = this.tags.indexOf(tag);
    if (i < 0) throw new Error(`CharTokenizer: no tag ${JSON.stringify(tag)}; the tokenizer has ${this.tags.length ? this.tags.join(", ") : "none"}`);
    return SPECIAL_TOKENS.length + i;
  }

  /** `<bos> [tag] line1 <eol> line2 <eol> … lineN <eos>`: a poem as one token sequence, optionally labelled (e.g. its form). */
  encodePoem(lines: readonly string[], opts: { tag?: string } = {}): number[] {
    if (lines.length === 0) throw new Error("CharTokenizer.encodePoem: a poem needs at least one line");
    const out = opts.tag === undefined ? [BOS] : [BOS, this.tagId(opts.tag)];
    lines.forEach((l, i) => {
      out.push(...this.encode(l));
      out.push(i === lines.length - 1 ? EOS : EOL);
    });
    return out;
  }

  /**
   * The lines of a token sequence, split at `<eol>` and stopped at the first `<eos>`; a leading
   * `<bos>` and tag are skipped (the tag is returned), `<unk>` renders as "□" (the lacuna mark of
   * the sources), a tag anywhere else as its name.
   */
  decodePoem(ids: ArrayLike<number>): { lines: string[]; ended: boolean; tag?: string } {
    const lines: string[] = [];
    let line = "";
    let tag: string | undefined;
    const start = ids.length > 0 && ids[0] === BOS ? 1 : 0;
    const isTag = (id: number): boolean => id >= SPECIAL_TOKENS.length && id < SPECIAL_TOKENS.length + this.tags.length;
    for (let i = start; i < ids.length; i++) {
      const id = ids[i];
      if (i === start && isTag(id)) {
        tag = this.vocab[id];
        continue;
      }
      if (id === EOS) {
        lines.push(line);
        return { lines, ended: true, ...(tag === undefined ? {} : { tag }) };
      }
      if (id === EOL) {
        lines.push(line);
        line = "";
      } else if (id === UNK) line += "□";
      else line += this.decode([id]);
    }
    if (line !== "") lines.push(line);
    return { lines, ended: false, ...(tag === undefined ? {} : { tag }) };
  }
}
