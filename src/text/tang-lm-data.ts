/**
 * The §8 language model's data, built one way for the notebook and for the PyTorch referee's export
 * (scripts/reference/export-tang-lm.ts): a seeded split of the Tang verse by poem, a character
 * tokenizer fitted on the training poems with one tag per form, and each split's poems packed end
 * to end into windows of contextLength + 1 tokens (article §2.1, §8).
 */
import { shuffledIndices } from "../core/random";
import { requireAbove, requirePositiveInteger } from "../core/validate";
import { loadTangVerse, VERSE_FORMS, type TangPoem, type VerseForm } from "../data/tang-poetry";
import { packSequences, type TokenSequences } from "../training/train-lm";
import { CharTokenizer } from "./tokenizer";
import { formTag } from "./verse-generation";

/** Settings of {@link prepareTangLanguageModelData} (the notebook's parameters of the same names). */
export interface TangLmDataOptions {
  /** The forms to train on. */
  forms: readonly VerseForm[];
  /** Seed of the split: shuffledIndices(poems, seed), the first ⌊…⌉ valFraction of it is validation. */
  seed: number;
  /** Share of the poems held out for validation, in (0, 1). */
  valFraction: number;
  /** Characters seen fewer times in the training poems map to <unk>. */
  minCount: number;
  /** Tokens the model reads per window; windows hold contextLength + 1 tokens. */
  contextLength: number;
  /** The poems to use (default: loadTangVerse({ forms })), e.g. ones a notebook already loaded. */
  poems?: readonly TangPoem[];
}

/** The split, the tokenizer and the windows of each split. */
export interface TangLmData {
  trainPoems: TangPoem[];
  valPoems: TangPoem[];
  tokenizer: CharTokenizer;
  /** Training windows: [trainSet.count, contextLength + 1] tokens. */
  trainSet: TokenSequences;
  /** Validation windows, from validation poems only. */
  valSet: TokenSequences;
}

/** `"all"` or a comma-separated list such as `"5x4,7x4"` → the forms; throws naming an unknown form. */
export function parseVerseForms(spec: string): VerseForm[] {
  if (spec.trim() === "all") return [...VERSE_FORMS];
  const forms = spec.split(",").map((f) => f.trim());
  for (const f of forms) {
    if (!(VERSE_FORMS as readonly string[]).includes(f))
      throw new Error(`parseVerseForms: form "${f}" in "${spec}"; expected "all" or some of ${VERSE_FORMS.join(", ")}`);
  }
  return forms as VerseForm[];
}

/** Split by poem, fit the tokenizer on the training poems, pack both splits into windows (article §8). */
export function prepareTangLanguageModelData(opts: TangLmDataOptions): TangLmData {
  const { forms, seed, valFraction, minCount, contextLength } = opts;
  requirePositiveInteger("prepareTangLanguageModelData", "contextLength", contextLength);
  requireAbove("prepareTangLanguageModelData", "valFraction", valFraction, 0);
  if (valFraction >= 1) throw new Error(`prepareTangLanguageModelData: valFraction must be below 1; got ${valFraction}`);
  if (forms.length === 0) throw new Error("prepareTangLanguageModelData: forms is empty; expected at least one of " + VERSE_FORMS.join(", "));
  const poems = opts.poems ?? loadTangVerse({ forms }).poems;
  const order = shuffledIndices(poems.length, seed);
  const numVal = Math.round(poems.length * valFraction);
  if (numVal < 1 || numVal >= poems.length) {
    throw new Error(
      `prepareTangLanguageModelData: valFraction ${valFraction} of ${poems.length} poems leaves ${numVal} for validation; expected at least one in each split`,
    );
  }
  const valPoems = Array.from(order.subarray(0, numVal), (i) => poems[i]);
  const trainPoems = Array.from(order.subarray(numVal), (i) => poems[i]);
  const tokenizer = CharTokenizer.fit(
    trainPoems.map((p) => p.lines.join("")),
    { minCount, tags: forms.map(formTag) },
  );
  const encode = (ps: TangPoem[]): number[][] => ps.map((p) => tokenizer.encodePoem(p.lines, { tag: formTag(p.form) }));
  return {
    trainPoems,
    valPoems,
    tokenizer,
    trainSet: packSequences(encode(trainPoems), contextLength + 1),
    valSet: packSequences(encode(valPoems), contextLength + 1),
  };
}
