/**
 * Asking a language model for a poem of a given form and judging what it writes (article §2.2 text
 * generation, §8): the prompt is `<bos>` and the form's tag (`<7x4>`…), optionally followed by a
 * first line; the sample is decoded and checked for the form asked, the rhyme of its even lines and
 * how much of it was copied from the training poems.
 */
import type { Transformer } from "../models/transformer";
import { generate, type SamplingOptions } from "../models/sampling";
import { formShape, type VerseForm } from "../data/tang-poetry";
import { BOS, EOL, EOS, PAD, UNK, type CharTokenizer } from "./tokenizer";
import { evenLinesRhyme, hasForm, type NgramIndex } from "./verse";

/** The tokenizer tag of a form: "<5x4>". */
export function formTag(form: VerseForm): string {
  return `<${form}>`;
}

/** One generated poem and its checks. */
export interface VerseSample {
  form: VerseForm;
  seed: number;
  /** The given first line ("" when the model wrote the whole poem). */
  firstLine: string;
  /** Prompt and generated tokens. */
  ids: number[];
  lines: string[];
  /** Exactly the form asked for, ended by `<eos>`. */
  wellFormed: boolean;
  /** Even lines in one rhyme class (modern readings, {@link evenLinesRhyme}). */
  rhymes: boolean;
  /** Generated lines (the given first line excluded) found verbatim in the training poems. */
  copiedLines: number;
  /** The poem's n-grams found in the training poems (NgramIndex.n characters, across line breaks). */
  sharedNgrams: number;
}

/** What {@link sampleVerse} needs besides the model. */
export interface VerseSamplingContext extends SamplingOptions {
  tokenizer: CharTokenizer;
  trainLines: ReadonlySet<string>;
  ngramIndex: NgramIndex;
}

/** Samples one poem of `form` (seeded), from the tag alone or from a given first line, and checks it. */
export function sampleVerse(model: Transformer, ctx: VerseSamplingContext, opts: { form: VerseForm; seed: number; firstLine?: string }): VerseSample {
  const { tokenizer } = ctx;
  const { lineChars, lines: numLines } = formShape(opts.form);
  const firstLine = opts.firstLine ?? "";
  if (firstLine !== "") {
    if (Array.from(firstLine).length !== lineChars)
      throw new Error(`sampleVerse: firstLine "${firstLine}" has ${Array.from(firstLine).length} characters; form ${opts.form} needs ${lineChars}`);
    const unknown = Array.from(firstLine).filter((c) => tokenizer.id(c) === UNK);
    if (unknown.length > 0) throw new Error(`sampleVerse: firstLine "${firstLine}" has characters outside the vocabulary: ${unknown.join("")}`);
  }
  const prompt = [BOS, tokenizer.tagId(formTag(opts.form)), ...(firstLine === "" ? [] : [...tokenizer.encode(firstLine), EOL])];
  const fullLength = 2 + numLines * (lineChars + 1);
  const ids = generate(model, prompt, {
    temperature: ctx.temperature,
    topK: ctx.topK,
    suppress: [PAD, BOS, UNK, ...tokenizer.tags.map((t) => tokenizer.tagId(t)), ...(ctx.suppress ?? [])],
    seed: opts.seed,
    maxNewTokens: fullLength + lineChars - prompt.length, // room for one line too many, so a wrong form shows
    stopToken: EOS,
  });
  const { lines, ended } = tokenizer.decodePoem(ids);
  const written = firstLine === "" ? lines : lines.slice(1);
  return {
    form: opts.form,
    seed: opts.seed,
    firstLine,
    ids,
    lines,
    wellFormed: ended && hasForm(lines, opts.form),
    rhymes: evenLinesRhyme(lines).rhymes,
    copiedLines: written.filter((l) => ctx.trainLines.has(l)).length,
    sharedNgrams: ctx.ngramIndex.shared(lines).shared,
  };
}

/** Per form: how many samples, the fractions well-formed and rhyming, copied lines and poems sharing a long n-gram with training. */
export function verseSampleSummary(samples: readonly VerseSample[]): {
  form: VerseForm;
  samples: number;
  wellFormed: number;
  rhyming: number;
  copiedLineFraction: number;
  withSharedNgram: number;
}[] {
  const forms = [...new Set(samples.map((s) => s.form))];
  return forms.map((form) => {
    const of = samples.filter((s) => s.form === form);
    const written = of.reduce((n, s) => n + s.lines.length - (s.firstLine === "" ? 0 : 1), 0);
    return {
      form,
      samples: of.length,
      wellFormed: of.filter((s) => s.wellFormed).length / of.length,
      rhyming: of.filter((s) => s.rhymes).length / of.length,
      copiedLineFraction: written === 0 ? 0 : of.reduce((n, s) => n + s.copiedLines, 0) / written,
      withSharedNgram: of.filter((s) => s.sharedNgrams > 0).length / of.length,
    };
  });
}
